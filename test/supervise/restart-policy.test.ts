import t from 'tap';
import type { RestartSpec } from '../../src/plan/spec.js';
import { decideRestart, restartDelay, type RestartHistory } from '../../src/supervise/restart-policy.js';

const policy = (o: Partial<RestartSpec> = {}): RestartSpec => ({
  when: 'on-failure',
  strategy: 'exponential',
  delayMs: 1000,
  maxDelayMs: 60_000,
  maxAttempts: 10,
  resetAfterMs: 300_000,
  ...o,
});
const fail = { type: 'service' as const, code: 1, signal: null, runMs: 100 };
const fresh: RestartHistory = { failures: 0, restarts: 0 };

t.test('exponential delays double, cap at max_delay, and jitter stays within ±10%', async (t) => {
  const p = policy();
  const mid = () => 0.5; // zero jitter
  t.same([0, 1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(p, n, mid)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  t.equal(restartDelay(p, 2, () => 0), 3600, 'lowest jitter: −10%');
  t.equal(restartDelay(p, 2, () => 0.999999), 4400, 'highest jitter: +10%');
  t.equal(restartDelay(p, 5000, mid), 60000, 'huge n stays at the cap');
  t.equal(restartDelay(policy({ strategy: 'immediate' }), 5, mid), 0);
  t.equal(restartDelay(policy({ strategy: 'delayed', delayMs: 750 }), 5, mid), 750);
});

t.test('a sequence of failures walks the backoff and gives up at max_attempts', async (t) => {
  const p = policy({ maxAttempts: 4 });
  let h = fresh;
  const delays: number[] = [];
  for (let k = 0; k < 3; k++) {
    const d = decideRestart(p, fail, h, () => 0.5);
    t.equal(d.restart, true);
    if (d.restart) delays.push(d.delayMs);
    h = d.history;
  }
  t.same(delays, [1000, 2000, 4000]);
  const last = decideRestart(p, fail, h, () => 0.5);
  t.equal(last.restart, false);
  if (!last.restart) {
    t.equal(last.outcome, 'failed');
    t.match(last.reason, /gave up after 4 consecutive failed runs \(last: exit code 1\)/);
  }
});

t.test('max_attempts 0 never gives up', async (t) => {
  let h: RestartHistory = { failures: 1000, restarts: 1000 };
  const d = decideRestart(policy({ maxAttempts: 0 }), fail, h, () => 0.5);
  t.equal(d.restart, true);
  h = d.history;
  t.equal(h.failures, 1001);
});

t.test('a run longer than reset_after resets the count and the backoff', async (t) => {
  const p = policy({ maxAttempts: 3, resetAfterMs: 5000 });
  const h: RestartHistory = { failures: 2, restarts: 6 };
  const short = decideRestart(p, { ...fail, runMs: 4999 }, h, () => 0.5);
  t.equal(short.restart, false, 'short run: third consecutive failure gives up');
  const long = decideRestart(p, { ...fail, runMs: 5000 }, h, () => 0.5);
  t.equal(long.restart, true);
  if (long.restart) {
    t.equal(long.delayMs, 1000, 'backoff back at the first delay');
    t.same(long.history, { failures: 1, restarts: 1 });
  }
});

t.test('when × exit kind', async (t) => {
  const clean = { type: 'service' as const, code: 0, signal: null, runMs: 10 };
  const killed = { type: 'service' as const, code: null, signal: 'SIGKILL', runMs: 10 };
  const r = (when: RestartSpec['when'], end: typeof clean | typeof killed) => decideRestart(policy({ when, strategy: 'immediate' }), end, fresh, () => 0.5);
  t.match(r('on-failure', clean), { restart: false, outcome: 'exited' });
  t.match(r('on-failure', killed), { restart: true, reason: 'signal SIGKILL' });
  t.match(r('always', clean), { restart: true, reason: 'exit code 0' });
  t.match(r('never', killed), { restart: false, outcome: 'failed', reason: 'signal SIGKILL (restart: never)' });
  t.match(r('never', clean), { restart: false, outcome: 'exited' });
  const oneshotOk = decideRestart(policy({ when: 'always' }), { type: 'oneshot', code: 0, signal: null, runMs: 5 }, fresh, () => 0.5);
  t.match(oneshotOk, { restart: false, outcome: 'exited', reason: 'completed' }, 'a completed oneshot is never restarted');
  const liveness = decideRestart(policy({ strategy: 'immediate' }), { ...clean, killedFor: 'liveness failure' }, fresh, () => 0.5);
  t.match(liveness, { restart: true, reason: 'liveness failure', history: { failures: 1 } }, 'a supervisor kill counts as a failure');
  const unknown = decideRestart(policy({ strategy: 'immediate' }), { type: 'service', code: null, signal: null, runMs: 5 }, fresh, () => 0.5);
  t.match(unknown, { restart: true, reason: 'exit code unknown' });
});

t.test('a clean exit breaks the failure streak', async (t) => {
  const d = decideRestart(policy({ when: 'always' }), { type: 'service', code: 0, signal: null, runMs: 5 }, { failures: 9, restarts: 2 }, () => 0.5);
  t.match(d, { restart: true, history: { failures: 0, restarts: 3 } });
});
