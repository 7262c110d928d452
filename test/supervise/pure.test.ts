import t from 'tap';
import { initialState, transition, type AgentState } from '../../src/supervise/agent-state.js';
import { conditionStatus } from '../../src/supervise/conditions.js';
import { decideExit, type RunEndContext } from '../../src/supervise/exit-decision.js';
import { COUNTED_RESTARTS, healthColor, healthScore, withRestart } from '../../src/supervise/health.js';
import { initialTracker, observeThreshold, type ThresholdTracker } from '../../src/supervise/thresholds.js';
import { parseStat, treeOf, type ProcInfo } from '../../src/supervise/procfs.js';

t.test('state machine: `complete` from pending only; an adopted spawn keeps its own start time', async (t) => {
  const done = transition(initialState(0), { type: 'complete', at: 5 });
  t.same(done, { name: 'exited', since: 5, exit: { code: null, signal: null, at: 5 }, completed: true });
  t.same(conditionStatus('migrate', done, 'completed'), { kind: 'met' });
  for (const from of [{ name: 'waiting', since: 0, on: [] }, { name: 'stopped', since: 0, reason: 'x' }, done] as AgentState[]) {
    t.throws(() => transition(from, { type: 'complete', at: 6 }), /Internal error: unexpected state \w+ for input complete/, `not from ${from.name}`);
  }
  t.match(transition(initialState(0), { type: 'spawn', at: 100, pid: 7, attempt: 0, startedAt: 40 }), { name: 'starting', since: 100, startedAt: 40 });
});

t.test('exit decision: stop wins, forced restarts at once, startup retries, then the restart policy', async (t) => {
  const base: RunEndContext = {
    spec: { type: 'service', restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 3, resetAfterMs: 60_000 }, startup: { timeoutMs: 1000, retries: 1 } },
    exit: { code: 1, signal: null, at: 10 },
    runMs: 10,
    stoppingFor: undefined,
    intent: undefined,
    history: { failures: 0, restarts: 0 },
    startupRetries: 0,
    random: () => 0.5,
  };
  t.match(decideExit({ ...base, stoppingFor: 'manual', intent: { kind: 'forced', reason: 'r' } }), { kind: 'stopped', reason: 'manual' });
  t.match(decideExit({ ...base, intent: { kind: 'forced', reason: 'dependency db restarted' } }), { kind: 'backoff', delayMs: 0, reason: 'dependency db restarted', history: { failures: 0 } });
  const retry = decideExit({ ...base, intent: { kind: 'startup-timeout', reason: 'not ready within 1000ms' } });
  t.match(retry, { kind: 'backoff', reason: 'not ready within 1000ms (startup retry 1 of 1)', startupRetries: 1 });
  t.match(decideExit({ ...base, startupRetries: 1, intent: { kind: 'startup-timeout', reason: 'not ready within 1000ms' } }), { kind: 'failed', reason: 'not ready within 1000ms after 2 attempts' });
  t.match(decideExit(base), { kind: 'backoff', reason: 'exit code 1', history: { failures: 1 } });
  t.match(decideExit({ ...base, history: { failures: 2, restarts: 2 } }), { kind: 'failed' });
  t.match(decideExit({ ...base, spec: { ...base.spec, type: 'oneshot' }, exit: { code: 0, signal: null, at: 10 } }), { kind: 'exited', completed: true });
});

t.test('state machine: a full life and the illegal moves', async (t) => {
  let s: AgentState = initialState(0);
  s = transition(s, { type: 'wait', at: 1, on: ['db (ready)'] });
  t.match(s, { name: 'waiting', on: ['db (ready)'] });
  s = transition(s, { type: 'spawn', at: 2, pid: 42, attempt: 1 });
  t.match(s, { name: 'starting', pid: 42, startedAt: 2 });
  s = transition(s, { type: 'ready', at: 3 });
  t.match(s, { name: 'running', pid: 42, startedAt: 2, since: 3 });
  s = transition(s, { type: 'exit', exit: { code: 1, signal: null, at: 4 }, outcome: { kind: 'backoff', attempt: 2, until: 1004, reason: 'exit code 1' } });
  t.match(s, { name: 'backoff', until: 1004, lastExit: { code: 1 } });
  s = transition(s, { type: 'spawn', at: 1004, pid: 43, attempt: 2 });
  s = transition(s, { type: 'stop', at: 1005, reason: 'manual', then: 'restart' });
  s = transition(s, { type: 'stop', at: 1006, reason: 'manual', then: 'stopped' });
  t.match(s, { name: 'stopping', then: 'stopped' }, 'a manual stop overrides a restart in progress');
  s = transition(s, { type: 'exit', exit: { code: null, signal: 'SIGTERM', at: 1007 }, outcome: { kind: 'stopped', reason: 'manual' } });
  t.match(s, { name: 'stopped', lastExit: { signal: 'SIGTERM' } });

  t.throws(() => transition(initialState(0), { type: 'ready', at: 1 }), /Internal error: unexpected state pending for input ready/);
  t.throws(() => transition({ name: 'running', since: 0, pid: 1, attempt: 1, startedAt: 0 }, { type: 'spawn', at: 1, pid: 2, attempt: 2 }), /Internal error: unexpected state/);
  t.throws(() => transition({ name: 'stopped', since: 0, reason: 'x' }, { type: 'exit', exit: { code: 0, signal: null, at: 1 }, outcome: { kind: 'exited', completed: true } }), /Internal error/);
  t.throws(() => transition({ name: 'running', since: 0, pid: 1, attempt: 1, startedAt: 0 }, { type: 'block', at: 1, reason: 'r', dependency: 'd' }), /Internal error/);
  t.throws(() => transition({ name: 'running', since: 0, pid: 1, attempt: 1, startedAt: 0 }, { type: 'cancel', at: 1, reason: 'r' }), /Internal error/);
});

t.test('dependency conditions', async (t) => {
  const running: AgentState = { name: 'running', since: 0, pid: 1, attempt: 1, startedAt: 0 };
  const starting: AgentState = { name: 'starting', since: 0, pid: 1, attempt: 1, startedAt: 0 };
  const done: AgentState = { name: 'exited', since: 0, exit: { code: 0, signal: null, at: 0 }, completed: true };
  t.same(conditionStatus('x', starting, 'started'), { kind: 'met' });
  t.same(conditionStatus('x', starting, 'ready'), { kind: 'unmet' });
  t.same(conditionStatus('x', running, 'ready'), { kind: 'met' });
  t.same(conditionStatus('x', running, 'completed'), { kind: 'unmet' });
  t.same(conditionStatus('x', done, 'completed'), { kind: 'met' });
  t.same(conditionStatus('x', { name: 'backoff', since: 0, attempt: 2, until: 5, reason: 'r' }, 'ready'), { kind: 'unmet' });
  t.match(conditionStatus('x', { name: 'failed', since: 0, reason: 'boom' }, 'started'), { kind: 'broken', reason: 'dependency x failed: boom' });
  t.match(conditionStatus('x', { name: 'exited', since: 0, exit: { code: 0, signal: null, at: 0 }, completed: false }, 'ready'), { kind: 'broken' });
});

t.test('thresholds fire only after the value held for `for`, and clear the same way', async (t) => {
  const spec = { warn: 80, critical: 95, forMs: 1000 };
  let tr: ThresholdTracker = initialTracker();
  const feed = (value: number, now: number) => {
    const r = observeThreshold(spec, tr, value, now);
    tr = r.tracker;
    return r.change;
  };
  t.equal(feed(90, 0), undefined);
  t.equal(feed(90, 500), undefined);
  t.equal(feed(50, 700), undefined, 'a dip resets the window');
  t.equal(feed(90, 800), undefined);
  t.equal(feed(90, 1700), undefined, '900 ms held: not yet');
  t.match(feed(90, 1800), { kind: 'breached', level: 'warn', limit: 80, heldMs: 1000 });
  t.equal(feed(99, 2000), undefined);
  t.match(feed(99, 3000), { kind: 'breached', level: 'critical', limit: 95, heldMs: 1000 });
  t.equal(feed(85, 3500), undefined, 'critical stays until cleared');
  t.equal(feed(10, 4000), undefined);
  t.match(feed(10, 5000), { kind: 'cleared', from: 'critical' });
  t.equal(tr.active, 'ok');

  let only: ThresholdTracker = initialTracker();
  const r1 = observeThreshold({ critical: 100, forMs: 0 }, only, 150, 0);
  t.match(r1.change, { kind: 'breached', level: 'critical' }, 'forMs 0 fires on the first sample; critical without warn');
  only = r1.tracker;
});

t.test('health score formula and colours', async (t) => {
  const base = { restartTimes: [], probeFailures: 0, breaches: [], now: 1_000_000 };
  t.equal(healthScore({ ...base, state: 'running' }), 100);
  t.equal(healthScore({ ...base, state: 'failed' }), 0);
  t.equal(healthScore({ ...base, state: 'running', restartTimes: [999_000, 998_000, 1_000_000 - 11 * 60_000] }), 80, 'only restarts in the last 10 minutes count');
  t.equal(healthScore({ ...base, state: 'running', restartTimes: Array(9).fill(999_999) }), 60, 'restart penalty capped at 40');
  t.equal(healthScore({ ...base, state: 'running', probeFailures: 2, breaches: ['warn'] }), 65);
  t.equal(healthScore({ ...base, state: 'running', breaches: ['critical', 'critical'] }), 40);
  t.equal(healthScore({ ...base, state: 'backoff' }), 50);
  t.equal(healthScore({ ...base, state: 'exited', cleanExit: false }), 50);
  t.equal(healthScore({ ...base, state: 'blocked' }), 30);
  t.same([100, 80, 79, 50, 49, 0].map(healthColor), ['green', 'green', 'yellow', 'yellow', 'red', 'red']);
});

t.test('restart times stay bounded through a crash loop and score as the full history would', async (t) => {
  const now = 10_000_000;
  let kept: number[] = [];
  const all: number[] = [];
  // Two hours of a restart every 2 s, then one restart 11 minutes after the last.
  for (let at = now - 7_200_000; at <= now; at += 2000) (kept = withRestart(kept, at)), all.push(at);
  t.equal(kept.length, COUNTED_RESTARTS);
  t.same(kept, all.slice(-COUNTED_RESTARTS), 'the latest ones, oldest first');
  const base = { state: 'running' as const, probeFailures: 0, breaches: [] };
  for (const at of [now, now + 9 * 60_000, now + 11 * 60_000]) {
    t.equal(healthScore({ ...base, restartTimes: kept, now: at }), healthScore({ ...base, restartTimes: all, now: at }), `same score at +${(at - now) / 60_000} min`);
  }
  const later = withRestart(kept, now + 11 * 60_000);
  t.equal(healthScore({ ...base, restartTimes: later, now: now + 11 * 60_000 }), 90, 'old restarts leave the window');
});

t.test('procfs: stat parsing and tree walking', async (t) => {
  const stat = '123 (my (weird) name) S 1 123 123 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 98765 1000 100';
  t.match(parseStat(stat), { pid: 123, ppid: 1, pgid: 123, state: 'S', startTime: 98765 });
  const p = (pid: number, ppid: number, pgid: number, state = 'S'): ProcInfo => ({ pid, ppid, pgid, state, startTime: pid });
  const procs = [p(10, 1, 10), p(11, 10, 10), p(12, 11, 12), p(13, 12, 12), p(14, 1, 10), p(15, 10, 10, 'Z'), p(99, 1, 99)];
  t.same(
    treeOf(10, procs).map((x) => x.pid).sort(),
    [10, 11, 12, 13, 14],
    'group members, setsid descendants by parent links, orphans still in the group; no zombies, no strangers',
  );
});
