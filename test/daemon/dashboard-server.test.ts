import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import t from 'tap';
import { startDashboardServer, type DashboardServer } from '../../src/daemon/dashboard-server.js';
import type { StatusSnapshot } from '../../src/report/status-snapshot.js';
import { loadFixture, TestBackend } from '../browser/fixtures/test-backend.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: () => { ok: boolean; message?: string; error?: string };
}

/** One HTTP request with full control of headers (fetch would not let us set Host). */
function request(server: DashboardServer, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, agent: false, method: init.method ?? 'GET', headers: { Host: `127.0.0.1:${server.port}`, ...init.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

async function setup(t: { teardown(fn: () => unknown): void }, fixture = 'healthy'): Promise<{ server: DashboardServer; backend: TestBackend; auth: Record<string, string> }> {
  const backend = new TestBackend(loadFixture(fixture));
  const server = await startDashboardServer(backend, { port: 0 });
  t.teardown(() => server.close());
  return { server, backend, auth: { 'X-Orchestra-Token': server.token } };
}

t.test('listens on loopback with a long random token', async (t) => {
  const { server } = await setup(t);
  t.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{64}$`));
  t.ok(server.port > 0);
  const other = await startDashboardServer(new TestBackend(loadFixture('empty')));
  t.teardown(() => other.close());
  t.not(other.token, server.token, 'each server its own token');
  await t.rejects(startDashboardServer(new TestBackend(loadFixture('empty')), { token: 'short' }), /at least 32 characters/);
  await t.rejects(startDashboardServer(new TestBackend(loadFixture('empty')), { port: server.port }), /already in use/);
});

t.test('the page needs the token', async (t) => {
  const { server } = await setup(t);
  t.equal((await request(server, '/')).status, 401, 'no token');
  t.equal((await request(server, '/?token=' + 'f'.repeat(64))).status, 401, 'wrong token');
  t.equal((await request(server, '/?token=' + server.token.slice(0, -1))).status, 401, 'a prefix of the token');
  const page = await request(server, `/?token=${server.token}`);
  t.equal(page.status, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.body, '<span class="project">research-fleet</span>');
  t.match(page.body, `<meta name="orchestra-token" content="${server.token}">`);
  const nonce = /<script nonce="([^"]+)">/.exec(page.body)?.[1];
  t.ok(nonce, 'the script carries a nonce');
  const csp = String(page.headers['content-security-policy']);
  t.match(csp, `script-src 'nonce-${nonce}'`);
  t.match(csp, `style-src 'nonce-${nonce}'`);
  t.notMatch(csp, 'unsafe-inline');
  t.match(csp, "default-src 'none'");
  t.equal(page.headers['cache-control'], 'no-store');
  t.equal(page.headers['referrer-policy'], 'no-referrer');
  const again = await request(server, `/?token=${server.token}`);
  t.not(/<script nonce="([^"]+)">/.exec(again.body)?.[1], nonce, 'a fresh nonce per response');
});

t.test('API calls need the token in the header', async (t) => {
  const { server, backend, auth } = await setup(t);
  t.equal((await request(server, '/api/status')).status, 401);
  t.equal((await request(server, `/api/status?token=${server.token}`)).status, 401, 'query token not accepted for the API');
  const status = await request(server, '/api/status', { headers: auth });
  t.equal(status.status, 200);
  t.equal(status.headers['cache-control'], 'no-store');
  t.equal((JSON.parse(status.body) as StatusSnapshot).agents.length, 5);
  const refused = await request(server, `/api/agents/redis/stop?token=${server.token}`, { method: 'POST' });
  t.equal(refused.status, 401, 'POST with only the query token is refused');
  t.equal(refused.json().ok, false);
  const wrong = await request(server, '/api/all/stop', { method: 'POST', headers: { 'X-Orchestra-Token': 'e'.repeat(64) } });
  t.equal(wrong.status, 401);
  t.same(backend.calls, [], 'nothing ran');
});

t.test('Host and Origin are checked', async (t) => {
  const { server, backend, auth } = await setup(t);
  const rebinding = await request(server, `/?token=${server.token}`, { headers: { Host: `evil.example:${server.port}` } });
  t.equal(rebinding.status, 403, 'a rebinding host name is refused');
  t.equal((await request(server, '/api/status', { headers: { ...auth, Host: '127.0.0.1:1' } })).status, 403, 'wrong port in Host');
  t.equal((await request(server, '/api/status', { headers: { ...auth, Host: `localhost:${server.port}` } })).status, 200, 'localhost is fine');
  const cross = await request(server, '/api/agents/redis/stop', { method: 'POST', headers: { ...auth, Origin: 'http://evil.example' } });
  t.equal(cross.status, 403, 'foreign Origin on POST');
  const nullOrigin = await request(server, '/api/agents/redis/stop', { method: 'POST', headers: { ...auth, Origin: 'null' } });
  t.equal(nullOrigin.status, 403, 'opaque Origin on POST');
  t.same(backend.calls, []);
  const same = await request(server, '/api/agents/redis/stop', { method: 'POST', headers: { ...auth, Origin: `http://127.0.0.1:${server.port}` } });
  t.equal(same.status, 200, 'our own Origin is fine');
});

t.test('actions run through the backend and answer { ok, message }', async (t) => {
  const { server, backend, auth } = await setup(t);
  const stop = await request(server, '/api/agents/api-0/stop', { method: 'POST', headers: auth });
  t.equal(stop.status, 200);
  t.same(stop.json(), { ok: true, message: 'stopped api-0' });
  t.equal(backend.snapshot().agents.find((a) => a.name === 'api-0')!.state, 'stopped');
  const byAgent = await request(server, '/api/agents/api/restart', { method: 'POST', headers: auth });
  t.same(byAgent.json(), { ok: true, message: 'restarted api' }, 'a manifest agent name is accepted too');
  for (const verb of ['stop', 'start', 'restart']) {
    const all = await request(server, `/api/all/${verb}`, { method: 'POST', headers: auth });
    t.equal(all.status, 200, `all/${verb}`);
  }
  t.same(
    backend.calls.filter((c) => c.phase === 'begin').map((c) => c.action),
    ['stop', 'restart', 'stopAll', 'startAll', 'restartAll'],
  );
});

t.test('reload is an action for one agent, refused with its reason when the agent has none', async (t) => {
  const { server, backend, auth } = await setup(t);
  const refused = await request(server, '/api/agents/redis/reload', { method: 'POST', headers: auth });
  t.equal(refused.status, 409);
  t.match(refused.json(), { ok: false, error: 'redis not reloaded: it has no `reload`' });
  backend.reloadable.add('redis');
  const ok = await request(server, '/api/agents/redis/reload', { method: 'POST', headers: auth });
  t.same(ok.json(), { ok: true, message: 'reloaded redis' });
  t.equal((await request(server, '/api/all/reload', { method: 'POST', headers: auth })).status, 404, 'no reload of all from the page');
});

t.test('emergency stop needs the project name in the body', async (t) => {
  const { server, backend, auth } = await setup(t);
  const json = { ...auth, 'Content-Type': 'application/json' };
  t.equal((await request(server, '/api/kill', { method: 'POST', headers: auth })).status, 400, 'no body');
  t.equal((await request(server, '/api/kill', { method: 'POST', headers: json, body: '{"confirm":"research"}' })).status, 400, 'wrong name');
  t.same(backend.calls, []);
  const kill = await request(server, '/api/kill', { method: 'POST', headers: json, body: '{"confirm":"research-fleet"}' });
  t.equal(kill.status, 200);
  t.same(kill.json(), { ok: true, message: 'killed 5 agents' });
});

t.test('unknown agents get 404 with a suggestion', async (t) => {
  const { server, backend, auth } = await setup(t);
  const typo = await request(server, '/api/agents/wroker/start', { method: 'POST', headers: auth });
  t.equal(typo.status, 404);
  t.same(typo.json(), { ok: false, error: 'unknown agent `wroker`; did you mean `worker`?' });
  const far = await request(server, '/api/agents/zzzzzzzz/start', { method: 'POST', headers: auth });
  t.same(far.json(), { ok: false, error: 'unknown agent `zzzzzzzz`' });
  t.same(backend.calls, []);
});

t.test('a refused action is 409 with the backend error', async (t) => {
  const { server, backend, auth } = await setup(t);
  backend.refuseStart.add('worker');
  const res = await request(server, '/api/agents/worker/start', { method: 'POST', headers: auth });
  t.equal(res.status, 409);
  t.same(res.json(), { ok: false, error: 'worker is disabled in the manifest' });
  const next = await request(server, '/api/agents/redis/start', { method: 'POST', headers: auth });
  t.equal(next.status, 200, 'the queue goes on after a failure');
});

t.test('actions are serialized', async (t) => {
  const { server, backend, auth } = await setup(t);
  backend.hold();
  const first = request(server, '/api/agents/redis/stop', { method: 'POST', headers: auth });
  await backend.begun(1);
  const second = request(server, '/api/agents/worker/stop', { method: 'POST', headers: auth });
  // The server answers other requests meanwhile: once status is served, the second POST has surely arrived.
  t.equal((await request(server, '/api/status', { headers: auth })).status, 200);
  t.same(backend.calls, [{ phase: 'begin', action: 'stop', names: ['redis'] }], 'the second waits while the first runs');
  backend.release();
  const [a, b] = await Promise.all([first, second]);
  t.same([a.json(), b.json()], [{ ok: true, message: 'stopped redis' }, { ok: true, message: 'stopped worker' }], 'each gets its own outcome');
  t.same(
    backend.calls.map((c) => `${c.phase} ${c.names.join()}`),
    ['begin redis', 'end redis', 'begin worker', 'end worker'],
  );
});

t.test('the event stream sends a snapshot on every change', async (t) => {
  const { server, backend } = await setup(t);
  const received: StatusSnapshot[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const req = httpRequest({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } });
  t.teardown(() => req.destroy());
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^text\/event-stream/);
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^event: snapshot\ndata: (.*)$/m.exec(message);
      if (data) received.push(JSON.parse(data[1]!) as StatusSnapshot);
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
    }
  });
  const until = (count: number): Promise<void> =>
    received.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }));
  await until(1);
  t.equal(received[0]!.agents.find((a) => a.name === 'redis')!.state, 'running', 'the current snapshot at once');
  backend.setState('redis', 'backoff');
  await until(2);
  t.equal(received[1]!.agents.find((a) => a.name === 'redis')!.state, 'backoff', 'the change arrives');
  t.equal((await request(server, '/api/status')).status, 401, 'the stream does not weaken the API');
});

t.test('the event stream needs the token and sends heartbeats', async (t) => {
  const backend = new TestBackend(loadFixture('empty'));
  const server = await startDashboardServer(backend, { heartbeatMs: 50 });
  t.teardown(() => server.close());
  t.equal((await request(server, '/api/events')).status, 401);
  const text = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        if (body.includes(': heartbeat\n\n')) {
          req.destroy();
          resolve(body);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  t.match(text, 'event: snapshot');
});

t.test('the fragment is the re-rendered region', async (t) => {
  const { server, backend, auth } = await setup(t);
  backend.setState('worker', 'failed');
  const res = await request(server, '/api/fragment', { headers: auth });
  t.equal(res.status, 200);
  t.match(res.body, /data-agent="worker" data-state="failed"/);
  t.notMatch(res.body, '<html');
});

t.test('malformed requests get 4xx and the server keeps serving', async (t) => {
  const { server, backend, auth } = await setup(t);
  const json = { ...auth, 'Content-Type': 'application/json' };
  const cases: [string, Parameters<typeof request>[2], number][] = [
    ['/api/agents/redis/stop', { method: 'GET', headers: auth }, 405],
    ['/api/status', { method: 'POST', headers: auth }, 405],
    ['/api/agents/redis/explode', { method: 'POST', headers: auth }, 404],
    ['/api/all/explode', { method: 'POST', headers: auth }, 404],
    ['/api/nothing', { headers: auth }, 404],
    ['/api/agents/%E0%A4%A/stop', { method: 'POST', headers: auth }, 400],
    ['/api/agents/redis/stop', { method: 'POST', headers: json, body: '{not json' }, 400],
    ['/api/agents/redis/stop', { method: 'POST', headers: json, body: '[1,2]' }, 400],
    ['/api/agents/redis/stop', { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'hi' }, 415],
    ['/api/agents/redis/stop', { method: 'POST', headers: json, body: `{"x":"${'a'.repeat(20_000)}"}` }, 413],
  ];
  for (const [path, init, status] of cases) {
    const res = await request(server, path, init);
    t.equal(res.status, status, `${init?.method ?? 'GET'} ${path.slice(0, 40)} → ${status}`);
    t.equal(res.json().ok, false);
    t.equal(res.headers['cache-control'], 'no-store');
  }
  t.equal((await request(server, '/api/agents/redis/stop', { method: 'GET', headers: auth })).headers['allow'], 'POST');
  // Raw garbage on the socket: node answers 400 itself; the server must live on.
  const garbage = await new Promise<string>((resolve) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => resolve(data));
  });
  t.match(garbage, /^HTTP\/1\.1 400/);
  t.same(backend.calls, [], 'nothing ran');
  t.equal((await request(server, '/api/status', { headers: auth })).status, 200, 'still serving');
});

t.test('close ends open streams and stops listening', async (t) => {
  const backend = new TestBackend(loadFixture('empty'));
  const server = await startDashboardServer(backend);
  let watchingWhileOpen = 0;
  const ended = new Promise<void>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
      res.resume();
      res.on('close', () => resolve());
      // Close only once the stream is open.
      res.once('data', () => ((watchingWhileOpen = backend.watching), void server.close()));
    });
    req.on('error', () => resolve());
    req.end();
  });
  await ended;
  await server.close();
  t.equal(backend.listenerCount, 0, 'unsubscribed from the backend');
  t.equal(watchingWhileOpen, 1, 'the open stream held a watch on usage');
  t.equal(backend.watching, 0, 'released when it ended');
  await t.rejects(request(server, '/api/status'), { code: 'ECONNREFUSED' });
});

t.test('the log, detail, history and revision endpoints: token, Host, Origin, bad input', async (t) => {
  const { server, backend, auth } = await setup(t);
  backend.diffs.set(3, 'No changes. Running agents match the manifest.\n');
  const host = { Host: `evil.example:${server.port}` };
  for (const path of ['/api/agents/redis/detail', '/api/history', '/api/revisions/3/diff', '/api/revisions/3/rollback-plan']) {
    t.equal((await request(server, path)).status, 401, `${path} without the token`);
    t.equal((await request(server, `${path}?token=${server.token}`)).status, 401, `${path} refuses the query token`);
    t.equal((await request(server, path, { headers: { ...auth, ...host } })).status, 403, `${path} with a foreign Host`);
    t.equal((await request(server, path, { headers: auth })).status, 200, `${path} with the header`);
  }
  t.equal((await request(server, '/api/agents/redis/logs', { headers: host })).status, 403, 'the log stream checks Host too');
  const rollback = (headers: Record<string, string>) => request(server, '/api/revisions/3/rollback', { method: 'POST', headers });
  t.equal((await rollback({})).status, 401, 'rollback without the token');
  t.equal((await rollback({ ...auth, Origin: 'http://evil.example' })).status, 403, 'rollback from a foreign origin');
  t.same(backend.calls, [], 'nothing was rolled back');
  t.equal((await request(server, '/api/revisions/3/rollback', { headers: auth })).status, 405, 'GET cannot roll back');
  t.equal((await request(server, '/api/revisions/0/diff', { headers: auth })).status, 400, 'revision 0');
  t.equal((await request(server, '/api/revisions/x/diff', { headers: auth })).status, 400, 'not a number');
  t.match((await request(server, '/api/revisions/9/diff', { headers: auth })).json().error, 'revision 9 does not exist');
  t.equal((await request(server, '/api/agents/wroker/detail', { headers: auth })).status, 404, 'unknown instance');
  t.equal((await request(server, '/api/agents/api/logs', { headers: auth })).status, 404, 'an agent with replicas is not an instance');
  const ok = await rollback({ ...auth, Origin: `http://127.0.0.1:${server.port}` });
  t.equal(ok.status, 200);
  t.equal(ok.json().message, 'rolled back to revision 3');
});
