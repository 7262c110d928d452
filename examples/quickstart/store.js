// A tiny in-memory key-value store speaking a line protocol over TCP:
//   SET key value -> OK     GET key -> value or (nil)     INCR key -> n
import { createServer } from 'node:net';

const port = Number(process.env.PORT ?? 7401);
const data = new Map();

function handle(line) {
  const [verb, key, ...rest] = line.trim().split(' ');
  switch (verb?.toUpperCase()) {
    case 'SET':
      data.set(key, rest.join(' '));
      return 'OK';
    case 'GET':
      return data.get(key) ?? '(nil)';
    case 'INCR': {
      const n = Number(data.get(key) ?? 0) + 1;
      data.set(key, String(n));
      return String(n);
    }
    case 'PING':
      return 'PONG';
    default:
      return `ERR unknown command ${verb}`;
  }
}

const server = createServer((socket) => {
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (line.trim()) socket.write(handle(line) + '\n');
    }
  });
  socket.on('error', () => {});
});

server.listen(port, '127.0.0.1', () => console.log(`store listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log('store shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
