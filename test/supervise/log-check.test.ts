import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Clock } from '../../src/supervise/clock.js';
import type { Instance } from '../../src/supervise/instance.js';
import { LogCheck } from '../../src/supervise/log-check.js';
import { Observations } from '../../src/supervise/observations.js';
import { tempDir } from './spec-helper.js';

/** A clock moved by hand: timers run when `advance` passes them. */
function manualClock() {
  let at = 1_000_000;
  let timers: { at: number; fn: () => void; delay: number }[] = [];
  const clock: Clock = {
    now: () => at,
    setTimeout: (fn, ms) => {
      const timer = { at: at + ms, fn, delay: ms };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((x) => x !== handle);
    },
  };
  return {
    clock,
    /** Moves the clock without running a timer (none may fall due on the way). */
    advance(ms: number): void {
      if (timers.some((x) => x.at <= at + ms)) throw new Error('a timer falls due');
      at += ms;
    },
    /** The delays of the timers armed and not yet run. */
    pending: (): number[] => timers.map((x) => x.delay),
    /** Moves to the first timer, runs it and lets the tick's promises settle. */
    async next(): Promise<void> {
      const first = timers.sort((a, b) => a.at - b.at).shift();
      if (!first) throw new Error('no timer armed');
      at = first.at;
      first.fn();
      for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
    },
  };
}

/** Just what the log check reads of an instance: its log settings, pid, file and the boundary's counter. */
function fakeInstance(file: string, counter: { usec: number }): Instance {
  return {
    name: 'w',
    pid: 4242,
    logFile: file,
    spec: { logs: { maxSizeBytes: 1024 * 1024, keep: 1 } },
    boundary: { cpuUsageUsec: () => counter.usec },
  } as unknown as Instance;
}

/** A log check over one instance whose current run the monitor has seen, CPU from its cgroup or not. */
function setup(t: Test, inCgroup: boolean) {
  const file = join(tempDir(t), 'w.log');
  writeFileSync(file, '');
  const counter = { usec: 1000 };
  const i = fakeInstance(file, counter);
  const seen = new Observations();
  const run = seen.run(seen.watch(i), 4242);
  run.inCgroup = inCgroup;
  run.usage = { cpu: 1, rss: 0 };
  const m = manualClock();
  const logs = new LogCheck({ clock: m.clock, emit: () => undefined, instances: () => [i] }, seen, 1000);
  /** What the monitor's round does for a run that showed CPU since the round before. */
  const roundSawCpu = (): void => {
    seen.log(i)!.quiet = false;
    logs.ran(i, m.clock.now(), inCgroup ? counter.usec : undefined);
  };
  return { file, counter, i, seen, m, logs, roundSawCpu };
}

t.test('under a cgroup, a listed log whose counter has not moved since its last look leaves the list at that look', async (t) => {
  const { m, logs, i, roundSawCpu, counter } = setup(t, true);
  logs.note(i, m.clock.now());
  t.same(m.pending(), [1000], 'a state change lists the log: a look a tick later');
  await m.next();
  t.equal(m.pending().length, 1, 'the first look has no earlier counter to compare with: still listed');
  await m.next();
  t.same(m.pending(), [], 'nothing ran between the two looks: off the list, though the last round said 1 % CPU');

  roundSawCpu();
  t.same(m.pending(), [], 'a round that saw CPU spent before the last look does not list it again');

  counter.usec = 2000;
  roundSawCpu();
  t.same(m.pending(), [2000], 'it ran without writing since: listed, the back-off going on from the last step (1 s -> 2 s)');
  await m.next();
  t.same(m.pending(), [], 'and off the list at the next look, the counter where the round left it');

  appendFileSync(i.logFile, 'a line\n');
  counter.usec = 3000;
  roundSawCpu();
  t.same(m.pending(), [1000], 'it ran and wrote: the next look a tick later');
});

t.test('without a cgroup counter, a listed log stays listed while the rounds say its writer uses CPU', async (t) => {
  const { m, logs, i } = setup(t, false);
  logs.note(i, m.clock.now());
  await m.next();
  await m.next();
  await m.next();
  t.same(m.pending(), [4000], 'still listed: looks 1, 1 and 2 s apart, the next 4 s on, while the file stays put');
});

t.test('a writer that runs without writing is left to the rounds after a look at the top step finds its file as it was', async (t) => {
  const { m, logs, i, seen, roundSawCpu } = setup(t, false);
  logs.note(i, m.clock.now());
  const steps: number[][] = [];
  for (let k = 0; k < 6; k++) {
    await m.next();
    steps.push(m.pending());
  }
  t.same(steps, [[1000], [2000], [4000], [8000], [16000], []], 'backs off; the first look 30 s after the file last changed leaves the tick no timer');
  t.equal(seen.log(i)?.byRounds, true);

  logs.note(i, m.clock.now(), true);
  t.same(m.pending(), [], "a round's walk does not list it again");
  roundSawCpu();
  t.same(m.pending(), [], 'a round that sees its writer run looks itself and lists nothing');
  t.equal(seen.log(i)?.byRounds, true, 'still left to the rounds');

  appendFileSync(i.logFile, 'a line\n');
  roundSawCpu();
  t.same(m.pending(), [1000], 'it wrote: listed a tick later, the back-off from the start');
  t.equal(seen.log(i)?.byRounds, false);
});

t.test('a log left to the rounds is listed again by a state change of its instance', async (t) => {
  const { m, logs, i, seen } = setup(t, false);
  logs.note(i, m.clock.now());
  for (let k = 0; k < 6; k++) await m.next();
  t.equal(seen.log(i)?.byRounds, true);
  logs.note(i, m.clock.now());
  t.same(m.pending(), [1000]);
  await m.next();
  t.same(m.pending(), [2000], 'watched afresh: the look after a state change backs off but does not count the time before it');
});

t.test("a round that sees the writer run 30 s after its file last changed takes the tick's next look and leaves it to the rounds", async (t) => {
  const { m, logs, i, seen, roundSawCpu } = setup(t, false);
  logs.note(i, m.clock.now());
  for (let k = 0; k < 5; k++) await m.next();
  t.same(m.pending(), [16000], 'listed, the file as it was 15 s ago');
  roundSawCpu();
  t.same(m.pending(), [16000], 'a round 15 s after the file last changed leaves the look to the tick');
  m.advance(15_000);
  roundSawCpu();
  t.same(m.pending(), [], 'the round looked instead, and the tick is not armed for nothing');
  t.equal(seen.log(i)?.byRounds, true);
});

t.test('a round that sees the writer run before the top step leaves the listed log to the tick', async (t) => {
  const { m, logs, i, roundSawCpu } = setup(t, false);
  logs.note(i, m.clock.now());
  for (let k = 0; k < 3; k++) await m.next();
  t.same(m.pending(), [4000]);
  roundSawCpu();
  t.same(m.pending(), [4000], 'unchanged: no look of the round');
});
