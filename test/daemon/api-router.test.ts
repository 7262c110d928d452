import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type * as Tap from 'tap';
import { ApiError, ApiRouter } from '../../src/daemon/api-router.js';

/** Serves `router` on 127.0.0.1; closed on teardown. */
async function serve(t: Tap.Test, router: ApiRouter): Promise<number> {
  const server: Server = createServer(router.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** Sends a raw request path (not normalized by URL) and reads the JSON answer. */
function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('path parameters are decoded; a malformed escape is a 400 naming the path, not an internal error', async (t) => {
  const seen: string[] = [];
  const router = new ApiRouter().on('POST', '/v1/agents/:name/stop', ({ params }) => {
    seen.push(params['name']!);
    return { ok: true };
  });
  const port = await serve(t, router);
  t.same(await call(port, 'POST', '/v1/agents/web%2D1/stop'), { status: 200, json: { ok: true } });
  t.same(seen, ['web-1']);
  const bad = await call(port, 'POST', '/v1/agents/%E0%A4%A/stop');
  t.equal(bad.status, 400);
  t.match(bad.json['error'], /malformed escape in \/v1\/agents\/%E0%A4%A\/stop/);
  t.same(seen, ['web-1'], 'the handler never ran');
});

t.test('unknown path 404, wrong method 405 with Allow, bad JSON 400, ApiError status kept', async (t) => {
  const router = new ApiRouter()
    .on('GET', '/v1/status', () => ({ ok: true }))
    .on('POST', '/v1/fail', () => {
      throw new ApiError(409, 'not now', { hint: 'later' });
    });
  const port = await serve(t, router);
  t.equal((await call(port, 'GET', '/v1/nope')).status, 404);
  t.equal((await call(port, 'POST', '/v1/status')).status, 405);
  t.same(await call(port, 'POST', '/v1/fail', '{'), { status: 400, json: { error: 'request body is not valid JSON' } });
  t.same(await call(port, 'POST', '/v1/fail', '{}'), { status: 409, json: { error: 'not now', hint: 'later' } });
});
