import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { postWebhook, webhookBackoff } from '../../src/daemon/webhook.js';
import { foreverManifest, Project } from '../cli/project.js';
import { runCli } from '../cli/run-cli.js';
import { until } from '../helpers/until.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A server that answers each request with the next status of `statuses` (the last one repeats), recording what it got. */
function recorder(statuses: number[]): { received: Received[]; handler: (req: IncomingMessage, res: ServerResponse) => void } {
  const received: Received[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end();
    });
  };
  return { received, handler };
}

async function listen(t: Test, server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}


const noSleep = (waits: number[]) => (ms: number) => (waits.push(ms), Promise.resolve());

t.test('retries a failing webhook with exponential backoff, then succeeds', async (t) => {
  const { received, handler } = recorder([503, 500, 200]);
  const port = await listen(t, createHttpServer(handler));
  const waits: number[] = [];
  const r = await postWebhook({ url: `http://127.0.0.1:${port}/h`, headers: { 'X-Token': 'abc' }, timeoutMs: 5000, retries: 3 }, '{"a":1}', noSleep(waits));
  t.same(r, { ok: true, attempts: 3 });
  t.equal(received.length, 3);
  t.same(waits, [500, 1000]);
  t.equal(received[0]!.headers['x-token'], 'abc');
  t.equal(received[0]!.headers['content-type'], 'application/json');
  t.equal(received[2]!.body, '{"a":1}');
});

t.test('gives up after the retries, and at once on a client error', async (t) => {
  const failing = recorder([500]);
  const port = await listen(t, createHttpServer(failing.handler));
  const r = await postWebhook({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5000, retries: 2 }, '{}', noSleep([]));
  t.same(r, { ok: false, attempts: 3, reason: 'webhook answered 500' });
  t.equal(failing.received.length, 3);

  const refused = recorder([404]);
  const port2 = await listen(t, createHttpServer(refused.handler));
  const r2 = await postWebhook({ url: `http://127.0.0.1:${port2}/`, timeoutMs: 5000, retries: 5 }, '{}', noSleep([]));
  t.same(r2, { ok: false, attempts: 1, reason: 'webhook answered 404' });
  t.same(webhookBackoff(10), 30_000, 'the backoff is capped');
});

t.test('a webhook that does not answer times out per attempt', async (t) => {
  const hanging = createHttpServer(() => undefined);
  const port = await listen(t, hanging);
  t.teardown(() => hanging.closeAllConnections());
  const r = await postWebhook({ url: `http://127.0.0.1:${port}/`, timeoutMs: 200, retries: 1 }, '{}', noSleep([]));
  t.equal(r.ok, false);
  t.equal(r.attempts, 2);
  t.match(!r.ok && r.reason, /no answer within 200ms/);
});

t.test('the daemon posts to an https webhook with interpolated, masked headers, and reports failures', async (t) => {
  const certDir = mkdtempSync(join(tmpdir(), 'orchestra-cert-'));
  t.teardown(() => rmSync(certDir, { recursive: true, force: true }));
  const key = join(certDir, 'key.pem');
  const cert = join(certDir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  // Fails twice, then accepts: the daemon's retries must get through.
  const { received, handler } = recorder([503, 502, 200]);
  const port = await listen(t, createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, handler));
  const header = [`notify: { webhook: "https://localhost:${port}/hook", events: [applied], headers: { Authorization: "Bearer \${HOOK_TOKEN}" }, retries: 3 }`];
  const p = new Project(t, foreverManifest({ a: [] }, header));
  const env = { NODE_EXTRA_CA_CERTS: cert, HOOK_TOKEN: 'tok-5ecret-value' };

  const config = runCli(['config'], { cwd: p.dir, env });
  t.equal(config.code, 0, config.stderr);
  t.notMatch(config.stdout, /tok-5ecret-value/, 'config masks header values');
  t.match(config.stdout, /Authorization: "\*\*\*"/);

  const applied = runCli(['apply', '--yes'], { cwd: p.dir, env });
  t.equal(applied.code, 0, applied.stderr);
  await until(() => received.length >= 3, 'three webhook attempts');
  t.equal(received[2]!.headers['authorization'], 'Bearer tok-5ecret-value', 'the header arrives interpolated');
  t.equal((JSON.parse(received[2]!.body) as { kind: string }).kind, 'applied');

  // A changed token shows in the plan, masked.
  p.write(foreverManifest({ a: [] }, header));
  const plan = runCli(['plan'], { cwd: p.dir, env: { ...env, HOOK_TOKEN: 'tok-other-value' } });
  t.notMatch(plan.stdout, /tok-/, 'plan masks header values');
  t.match(plan.stdout, /notify\.headers\.Authorization/);

  // Now a webhook that always fails: reported as an event, never fatal.
  const failing = recorder([500]);
  const port2 = await listen(t, createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, failing.handler));
  p.write(foreverManifest({ a: [], b: [] }, [`notify: { webhook: "https://localhost:${port2}/hook", events: [applied], retries: 1, headers: { X-Key: "\${HOOK_TOKEN}" } }`]));
  const again = runCli(['apply', '--yes'], { cwd: p.dir, env });
  t.equal(again.code, 0, again.stderr);
  const events = join(p.stateDir, 'events.jsonl');
  await until(() => existsSync(events) && readFileSync(events, 'utf8').includes('notify-failed'), 'the notify-failed event');
  t.equal(failing.received.length, 2, 'one attempt and one retry');
  const line = readFileSync(events, 'utf8').split('\n').find((l) => l.includes('notify-failed'))!;
  t.match(line, /webhook failed after 2 attempt\(s\): webhook answered 500/);
  t.notMatch(readFileSync(events, 'utf8'), /tok-5ecret-value/, 'no header value in the events');
  const status = runCli(['status', '--json'], { cwd: p.dir, env });
  t.equal(status.code, 0, 'the daemon is still there');
  const shown = (JSON.parse(status.stdout) as { events: { type: string; severity: string }[] }).events.find((e) => e.type === 'notify-failed');
  t.match(shown, { severity: 'warning' }, 'the failure is shown in the status snapshot (page, dashboard) as a warning');
});
