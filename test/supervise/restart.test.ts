import t from 'tap';
import { dep, fixture, harness, is, plan, sh, spec } from './spec-helper.js';

t.test('max_attempts consecutive failures → failed, with every restart recorded', async (t) => {
  const h = harness(
    t,
    plan([spec({ name: 'crashy', command: sh('exit 3'), restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 3, resetAfterMs: 60_000 } })]),
  );
  await h.engine.startAll();
  await h.waitFor(is('agent-failed', 'crashy'));
  const st = h.engine.status()[0]!;
  t.equal(st.state, 'failed');
  t.match(st.detail, /gave up after 3 consecutive failed runs \(last: exit code 3\)/);
  t.equal(h.of('agent-started', 'crashy').length, 3);
  t.same(h.of('restart-scheduled', 'crashy').map((e) => ('reason' in e ? e.reason : '')), ['exit code 3', 'exit code 3']);
  t.equal(st.restarts, 2);
  t.same(st.recentRestarts.map((r) => r.reason), ['exit code 3', 'exit code 3']);
  t.match(st.lastExit, { code: 3, signal: null });
  t.equal(st.color, 'red');
});

t.test('exponential backoff with a real process: delays follow delay·2^n within the jitter', async (t) => {
  const random = () => 0.5; // jitter 0 so the scheduled delays are exact
  const h = harness(
    t,
    plan([spec({ name: 'flappy', command: sh('exit 1'), restart: { when: 'always', strategy: 'exponential', delayMs: 40, maxDelayMs: 200, maxAttempts: 6, resetAfterMs: 60_000 } })]),
    { random },
  );
  await h.engine.startAll();
  await h.waitFor(is('agent-failed', 'flappy'));
  const delays = h.of('restart-scheduled', 'flappy').map((e) => ('delayMs' in e ? e.delayMs : -1));
  t.same(delays, [40, 80, 160, 200, 200]);
  // The real gap between an exit and the next start is at least the scheduled delay.
  const exits = h.of('agent-exited', 'flappy').map((e) => Date.parse(e.time));
  const starts = h.of('agent-started', 'flappy').map((e) => Date.parse(e.time));
  for (let k = 0; k < delays.length; k++) t.ok(starts[k + 1]! - exits[k]! >= delays[k]! - 2, `restart ${k + 1} waited its delay`);
});

t.test('reset_after: a run longer than it resets the failure count', async (t) => {
  const h = harness(
    t,
    plan([spec({ name: 'slowcrash', command: sh('sleep 0.25; exit 1'), restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 2, resetAfterMs: 100 } })]),
  );
  await h.engine.startAll();
  // Each run lasts ~250 ms > reset_after, so the count never reaches max_attempts.
  await h.waitFor((e) => e.type === 'restart-scheduled' && e.agent === 'slowcrash' && e.attempt === 5);
  for (const e of h.of('restart-scheduled', 'slowcrash')) t.match(e, { failures: 1 });
  t.equal(h.of('agent-failed', 'slowcrash').length, 0);
});

t.test('oneshot failures follow the restart policy; success completes', async (t) => {
  const h = harness(
    t,
    plan([
      spec({ name: 'job', type: 'oneshot', command: sh('exit 2'), restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 2, resetAfterMs: 60_000 } }),
      spec({ name: 'after-job', dependsOn: [dep('job', 'completed')] }),
    ]),
  );
  await h.engine.startAll();
  const st = Object.fromEntries(h.engine.status().map((s) => [s.name, s]));
  t.equal(st.job?.state, 'failed');
  t.equal(h.of('agent-started', 'job').length, 2);
  t.equal(st['after-job']?.state, 'blocked');
});

t.test('depends_on restart: true restarts the dependent when its dependency restarts; manual stop never restarts', async (t) => {
  const h = harness(
    t,
    plan([
      spec({ name: 'db', restart: { when: 'always', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 60_000 } }),
      spec({ name: 'api', dependsOn: [dep('db', 'started', true)] }),
      spec({ name: 'worker', dependsOn: [dep('db', 'started', false)] }),
    ]),
  );
  await h.engine.startAll();
  const apiPid = h.engine.status().find((s) => s.name === 'api')!.pid!;
  const workerPid = h.engine.status().find((s) => s.name === 'worker')!.pid!;
  await h.engine.restart(['db'], 'test');
  const r = await h.waitFor((e) => e.type === 'agent-restarting' && e.agent === 'api');
  t.match(r, { reason: 'dependency db restarted (manual: test)' });
  await h.waitFor((e) => e.type === 'agent-started' && e.agent === 'api' && e.pid !== apiPid);
  t.equal(h.engine.status().find((s) => s.name === 'worker')!.pid, workerPid, 'worker (restart: false) kept running');

  await h.engine.stop(['db']);
  t.equal(h.engine.status().find((s) => s.name === 'db')!.state, 'stopped');
  t.equal(h.of('restart-scheduled', 'db').length, 1, 'only the manual restart was scheduled');
});

t.test('adopt watches a foreign process and restarts it by policy when it exits (exit code unknown)', async (t) => {
  const { spawn } = await import('node:child_process');
  const foreign = spawn(fixture('crash-after', 200)[0]!, fixture('crash-after', 200).slice(1), { stdio: 'ignore' });
  t.teardown(() => foreign.kill('SIGKILL'));
  const h = harness(t, plan([spec({ name: 'old', command: fixture('forever'), restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 3, resetAfterMs: 60_000 } })]));
  h.engine.adopt('old', foreign.pid!);
  t.match(h.engine.status()[0], { state: 'running', pid: foreign.pid });
  const s = await h.waitFor(is('restart-scheduled', 'old'));
  t.match(s, { reason: 'exit code unknown' });
  await h.waitFor(is('agent-started', 'old'));
});

t.test('each run is spawned with ORCHESTRA_RESTARTS: the restarts that came before it', async (t) => {
  const h = harness(
    t,
    plan([spec({ name: 'counted', command: sh('echo "run $ORCHESTRA_RESTARTS of $ORCHESTRA_INSTANCE"; exit 3'), restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 3, resetAfterMs: 60_000 } })]),
  );
  await h.engine.startAll();
  await h.waitFor(is('agent-failed', 'counted'));
  const { readFileSync } = await import('node:fs');
  const { statePaths } = await import('../../src/daemon/paths.js');
  const lines = readFileSync(statePaths(h.stateDir).logFile('counted'), 'utf8').trim().split('\n');
  t.same(lines, ['run 0 of counted', 'run 1 of counted', 'run 2 of counted']);
});
