import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { ProbeSpec } from '../../src/plan/spec.js';
import { dep, fixture, freePort, harness, indexOf, is, plan, sh, spec, tempDir } from './spec-helper.js';

const timing = { intervalMs: 30, timeoutMs: 1000, failures: 3, initialDelayMs: 0 };

t.test('readiness of each probe type gates the dependent', async (t) => {
  const tcpPort = await freePort();
  const httpPort = await freePort();
  const probes: Record<string, { command: string[]; readiness: ProbeSpec }> = {
    tcp: { command: fixture('ready-after', 200, tcpPort), readiness: { kind: 'tcp', host: '127.0.0.1', port: tcpPort, ...timing } },
    http: { command: fixture('http-health', httpPort), readiness: { kind: 'http', url: `http://127.0.0.1:${httpPort}/health`, ...timing } },
    log: { command: fixture('ready-after', 200), readiness: { kind: 'log', pattern: 'READY after \\d+ms', ...timing } },
    exec: { command: fixture('forever'), readiness: { kind: 'exec', command: sh('exit 0'), ...timing } },
  };
  const specs = Object.entries(probes).flatMap(([name, p]) => [spec({ name, ...p }), spec({ name: `after-${name}`, dependsOn: [dep(name, 'ready')] })]);
  const h = harness(t, plan(specs));
  await h.engine.startAll();
  for (const name of Object.keys(probes)) {
    t.equal(h.engine.status().find((s) => s.name === name)?.state, 'running', `${name} ready`);
    t.ok(indexOf(h.events, 'agent-ready', name) < indexOf(h.events, 'agent-starting', `after-${name}`), `after-${name} starts after ${name} is ready`);
  }
  const tcp = h.engine.status().find((s) => s.name === 'tcp');
  t.equal(tcp?.probes.readiness?.ok, true);
});

t.test('a log probe sees a ready line printed at once, before the probe is set up, and not the previous run\'s', async (t) => {
  // sh prints before the engine has even returned from spawn: the probe must read from where this run began.
  const h = harness(
    t,
    plan([
      spec({
        name: 'quick',
        command: sh('echo "run $$ ready"; exec sleep 30'),
        readiness: { kind: 'log', pattern: 'ready', ...timing },
        startup: { timeoutMs: 30_000, retries: 0 },
      }),
    ]),
  );
  await h.engine.startAll();
  t.equal(h.engine.status()[0]?.state, 'running', 'ready from a line printed at once');

  // The second run's probe starts after the first run's line: a file that only holds old lines is not ready.
  const second = spec({ name: 'quick', command: sh('exec sleep 30'), readiness: { kind: 'log', pattern: 'ready', ...timing }, startup: { timeoutMs: 1500, retries: 0 } });
  const h2 = harness(t, plan([second]), { stateDir: h.stateDir });
  await h.engine.stop(['quick']);
  await h2.engine.startAll();
  t.equal(h2.engine.status()[0]?.state, 'failed', 'the old line in the same log does not make the new run ready');
});

t.test('an http probe answering 500 never passes; startup timeout → retries → failed → dependents blocked; an independent branch runs', async (t) => {
  const p = await freePort();
  const h = harness(
    t,
    plan([
      spec({
        name: 'sick',
        command: fixture('http-health', p, 500),
        readiness: { kind: 'http', url: `http://127.0.0.1:${p}/health`, ...timing, failures: 2 },
        startup: { timeoutMs: 1500, retries: 2 },
        stop: { signal: 'SIGTERM', timeoutMs: 2000 },
      }),
      spec({ name: 'needs-sick', dependsOn: [dep('sick')] }),
      spec({ name: 'needs-needs-sick', dependsOn: [dep('needs-sick', 'started')] }),
      spec({ name: 'independent' }),
    ]),
  );
  await h.engine.startAll();
  const st = Object.fromEntries(h.engine.status().map((s) => [s.name, s]));
  t.equal(st.sick?.state, 'failed');
  t.match(st.sick?.detail, /not ready within 1500ms after 3 attempts/);
  t.equal(h.of('agent-started', 'sick').length, 3, 'started once plus two retries');
  t.same(h.of('restart-scheduled', 'sick').map((e) => ('reason' in e ? e.reason : '')), ['not ready within 1500ms (startup retry 1 of 2)', 'not ready within 1500ms (startup retry 2 of 2)']);
  t.ok(h.of('probe-failed', 'sick').length >= 1, 'probe failures reported');
  // On a loaded machine the fixture may not listen yet within 1.5 s, so the last failure can be a refused connection.
  t.match(st.sick?.probes.readiness, { ok: false, message: /^(HTTP 500|ECONNREFUSED)$/ }, 'the last probe result says why it failed');
  t.equal(st['needs-sick']?.state, 'blocked');
  t.match(st['needs-sick']?.detail, /dependency sick failed/);
  t.equal(st['needs-needs-sick']?.state, 'blocked');
  t.match(st['needs-needs-sick']?.detail, /dependency needs-sick is blocked/);
  t.equal(st.independent?.state, 'running');
  t.equal(h.of('agent-started', 'needs-sick').length, 0);
});

t.test('a liveness probe restarts a running agent after `failures` consecutive failures', async (t) => {
  const p = await freePort();
  const dir = tempDir(t);
  const flag = join(dir, 'sick');
  const h = harness(
    t,
    plan([
      spec({
        name: 'web',
        command: fixture('http-health', p, 200, flag),
        readiness: { kind: 'tcp', host: '127.0.0.1', port: p, ...timing },
        liveness: { kind: 'http', url: `http://127.0.0.1:${p}/health`, ...timing, failures: 3 },
        restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 5, resetAfterMs: 60_000 },
        stop: { signal: 'SIGTERM', timeoutMs: 2000 },
      }),
    ]),
  );
  await h.engine.startAll();
  writeFileSync(flag, '');
  const failed = await h.waitFor((e) => e.type === 'probe-failed' && e.probe === 'liveness');
  t.match(failed, { probe: 'liveness', failures: 3, reason: 'HTTP 500' });
  const scheduled = await h.waitFor(is('restart-scheduled', 'web'));
  t.match(scheduled, { reason: 'liveness failure (HTTP 500)', failures: 1 });
  await h.waitFor(is('agent-restarting', 'web'));
  t.equal(h.of('agent-started', 'web').length >= 1, true);
});
