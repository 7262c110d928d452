// HTTP API over the store: GET /health, GET /kv/:key, PUT /kv/:key (body = value), GET /jobs.
import { createServer } from 'node:http';
import { storeCommand } from './client.js';

const port = Number(process.env.PORT ?? 7480);

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') {
      const pong = await storeCommand('PING');
      res.writeHead(pong === 'PONG' ? 200 : 503).end(pong + '\n');
      return;
    }
    if (url.pathname === '/jobs') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end((await storeCommand('GET jobs')) + '\n');
      return;
    }
    const key = /^\/kv\/([\w.-]+)$/.exec(url.pathname)?.[1];
    if (key && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end((await storeCommand(`GET ${key}`)) + '\n');
      return;
    }
    if (key && req.method === 'PUT') {
      let body = '';
      for await (const chunk of req) body += chunk;
      res.writeHead(200).end((await storeCommand(`SET ${key} ${body.replace(/\s+/g, ' ')}`)) + '\n');
      return;
    }
    res.writeHead(404).end('not found\n');
  } catch (error) {
    res.writeHead(502).end(`store unavailable: ${error.message}\n`);
  }
});

server.listen(port, '127.0.0.1', () => console.log(`api listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log('api shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
