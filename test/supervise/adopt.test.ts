import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import { clockTicks } from '../../src/supervise/kernel-constants.js';
import { processStartedAt, readAllProcs } from '../../src/supervise/procfs.js';
import { dep, fixture, harness, is, plan, spec } from './spec-helper.js';

const alive = (pid: number) => readAllProcs().some((p) => p.pid === pid && p.state !== 'Z');

/** Starts a real process outside any engine, as a previous daemon would have; killed on teardown. */
async function foreign(t: Test): Promise<{ pid: number; spawnedAt: number; before: number }> {
  const before = Date.now();
  const [file, ...args] = fixture('forever');
  const child = spawn(file!, args, { detached: true, stdio: 'ignore' });
  await new Promise((r, j) => (child.once('spawn', r), child.once('error', j)));
  const spawnedAt = Date.now();
  child.unref();
  t.teardown(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return { pid: child.pid!, spawnedAt, before };
}

t.test('markCompleted: a oneshot completed under an earlier engine lets its dependents start, and restart them', async (t) => {
  const h = harness(
    t,
    plan([
      spec({ name: 'migrate', type: 'oneshot', command: fixture('exit-with', 0) }),
      spec({ name: 'api', dependsOn: [dep('migrate', 'completed')] }),
    ]),
  );
  const at = Date.now() - 60_000;
  h.engine.markCompleted('migrate', at);
  t.match(h.engine.status()[0], { state: 'exited', detail: 'completed', since: new Date(at).toISOString() });
  t.same(h.events, [], 'no event of its own');
  await h.engine.start(['api']);
  t.equal(h.engine.status()[1]!.state, 'running', 'the dependent started');
  const firstPid = h.engine.status()[1]!.pid;
  await h.engine.restart(['api'], 'test');
  const after = h.engine.status();
  t.equal(after[1]!.state, 'running', 'restart settles');
  t.not(after[1]!.pid, firstPid, 'a new process');
  t.equal(h.of('agent-started', 'migrate').length, 0, 'the completed oneshot never ran again');
  t.equal(after[0]!.state, 'exited');
});

t.test('markCompleted is legal from pending only', async (t) => {
  const h = harness(t, plan([spec({ name: 'svc' })]));
  await h.engine.startAll();
  t.throws(() => h.engine.markCompleted('svc', Date.now()), /Internal error: unexpected state running for input complete/);
});

t.test('processStartedAt: the wall-clock start of a real process, to about a second', async (t) => {
  const hz = await clockTicks();
  t.ok(Number.isInteger(hz) && hz > 0, `clock ticks ${hz}`);
  const p = await foreign(t);
  const startedAt = await processStartedAt(p.pid);
  t.ok(startedAt !== undefined, 'readable');
  // Ticks are 10 ms, uptime is in centiseconds; the btime fallback is whole seconds: allow a second and two ticks.
  t.ok(startedAt! >= p.before - 1000 - 2 * (1000 / hz), `not before the spawn request (${startedAt! - p.before} ms)`);
  t.ok(startedAt! <= p.spawnedAt + 2 * (1000 / hz), `not after the spawn returned (${startedAt! - p.spawnedAt} ms)`);
  t.equal(await processStartedAt(2 ** 30), undefined, 'no such process');
});

t.test('adopt with a start time: uptime counts from the real start; stop ends the foreign tree', async (t) => {
  const p = await foreign(t);
  // Let the process age so a wrong uptime (counted from adoption) would be visibly short.
  await new Promise((r) => setTimeout(r, 1500));
  const startedAt = await processStartedAt(p.pid);
  const h = harness(t, plan([spec({ name: 'old' })]));
  h.engine.adopt('old', p.pid, startedAt);
  const st = h.engine.status()[0]!;
  t.match(st, { state: 'running', pid: p.pid });
  t.ok(st.uptimeMs >= Date.now() - p.spawnedAt - 50, `uptime ${st.uptimeMs} ms covers the time before adoption`);
  await h.engine.stop(['old']);
  t.match(await h.waitFor(is('agent-stopped', 'old')), { killed: false, survivors: [] });
  t.notOk(alive(p.pid), 'adopted process gone');
  t.match(h.engine.status()[0], { state: 'stopped', lastExit: { code: null } });
});

t.test('adopt without a start time counts uptime from adoption', async (t) => {
  const p = await foreign(t);
  const h = harness(t, plan([spec({ name: 'old' })]));
  const before = Date.now();
  h.engine.adopt('old', p.pid);
  t.ok(h.engine.status()[0]!.uptimeMs <= Date.now() - before + 5);
});
