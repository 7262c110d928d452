import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readAllProcs, treeOf } from '../../src/supervise/procfs.js';
import { systemClock, type Clock } from '../../src/supervise/clock.js';
import { procSampler, type Sampler, type Usage } from '../../src/supervise/sampler.js';
import { fixture, harness, is, plan, sh, spec, tempDir } from './spec-helper.js';

/** Full rounds at the watched step whether anyone looks or not (the unwatched step is no longer than the watched one). */
const WATCHED = { watchedForMs: 0, everyMs: 1 };

/** Waits for `cond`, polling; fails naming `what` after a minute. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A sampler fed by the test: every pid reports the current value of `rss`/`cpu`; it counts its calls. */
function fakeSampler() {
  const s = { rss: 0, cpu: 0, calls: 0, pidsPerCall: [] as number[] };
  const sampler: Sampler = {
    async sample(pids) {
      s.calls++;
      s.pidsPerCall.push(pids.length);
      return new Map<number, Usage>(pids.map((p) => [p, { cpu: s.cpu, rss: s.rss }]));
    },
  };
  return { s, sampler };
}

t.test('thresholds fire only after the sustained window, critical runs on_critical, clearing is an event', async (t) => {
  const { s, sampler } = fakeSampler();
  const MiB = 1024 ** 2;
  const h = harness(
    t,
    plan(
      [
        spec({
          name: 'hog',
          thresholds: { memory: { warn: 100 * MiB, critical: 200 * MiB, forMs: 300 }, onCritical: 'restart' },
          restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 5, resetAfterMs: 60_000 },
          stop: { signal: 'SIGTERM', timeoutMs: 2000 },
        }),
        spec({ name: 'calm', thresholds: { memory: { critical: 200 * MiB, forMs: 300 }, onCritical: 'alert' } }),
      ],
      50,
    ),
    { sampler },
  );
  await h.engine.startAll();
  const highFrom = Date.now();
  s.rss = 150 * MiB;
  const warn = await h.waitFor(is('threshold-breached', 'hog'));
  t.match(warn, { metric: 'memory', level: 'warn', limit: 100 * MiB });
  t.ok(Date.parse(warn.time) - highFrom >= 300, 'not before the value held for `for`');
  t.ok('heldMs' in warn && warn.heldMs >= 300);
  t.match(h.engine.status().find((x) => x.name === 'hog'), { alerts: [{ metric: 'memory', level: 'warn' }], health: 85 });
  t.ok(s.pidsPerCall.every((n) => n >= 2), 'one sampler call covers every tree');
  s.rss = 250 * MiB;
  const crit = await h.waitFor((e) => e.type === 'threshold-breached' && e.level === 'critical');
  t.match(crit, { agent: 'hog', action: 'restart' });
  const sch = await h.waitFor(is('restart-scheduled', 'hog'));
  t.match(sch, { reason: /^threshold: memory 250\.0MiB ≥ 200\.0MiB for \d+ms$/ });
  s.rss = 10 * MiB;
  await h.waitFor(is('agent-started', 'hog'));
  t.equal(h.of('threshold-breached', 'calm').filter((e) => 'level' in e && e.level === 'critical').length, 1, 'calm breaches too (same fake values) but only alerts');
  t.equal(h.of('agent-stopping', 'calm').length, 0, 'on_critical: alert leaves it running');
  const cleared = await h.waitFor(is('threshold-cleared', 'calm'));
  t.match(cleared, { metric: 'memory', from: 'critical' });
});

t.test('the /proc sampler sums a tree: a memory leak is seen growing', async (t) => {
  const h = harness(t, plan([spec({ name: 'leak', command: fixture('leak-memory', 16, 96) })], 100_000), { sampler: procSampler() });
  await h.engine.startAll();
  // A round can land within a few ms of the exec, before the program has mapped much (seen: 0 and 3 MiB): wait for a real figure.
  let first = 0;
  for (const until = Date.now() + 20_000; first <= 1024 * 1024 && Date.now() < until; ) {
    await h.engine.sampleNow();
    first = h.engine.status()[0]!.rss ?? 0;
    if (first <= 1024 * 1024) await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(first > 1024 * 1024, 'rss measured');
  const deadline = Date.now() + 20_000;
  let now = first;
  while (now < first + 48 * 1024 * 1024 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    await h.engine.sampleNow();
    now = h.engine.status()[0]!.rss ?? 0;
  }
  t.ok(now >= first + 48 * 1024 * 1024, `rss grew (${first} → ${now})`);
});

t.test('log rotation by size loses no line from a fast writer', async (t) => {
  const N = 60_000;
  const h = harness(
    t,
    plan([spec({ name: 'chatty', command: fixture('print-lines', N, 40), logs: { maxSizeBytes: 256 * 1024, keep: 100 } })], 100_000),
    { logCheckMs: 5 },
  );
  await h.engine.startAll();
  const file = `${h.stateDir}/logs/chatty.log`;
  const deadline = Date.now() + 60_000;
  // Wait for the writer to finish: the `done` line lands in the live file or a rotated one.
  const all = (): string => {
    const parts: string[] = [];
    for (let k = 100; k >= 1; k--) if (existsSync(`${file}.${k}`)) parts.push(readFileSync(`${file}.${k}`, 'utf8'));
    parts.push(readFileSync(file, 'utf8'));
    return parts.join('');
  };
  while (!all().includes('done\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  // A rotation copies the live file into `.1` before truncating it, so a read
  // during one sees those bytes twice. The writer is idle after `done`: once
  // the live file is under the limit, no rotation runs or is due.
  while (statSync(file).size >= 256 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const rotations = h.of('log-rotated', 'chatty');
  t.ok(rotations.length >= 1, `rotated ${rotations.length} times while writing`);
  t.ok(rotations.every((e) => 'lossless' in e && e.lossless), 'every rotation froze the writer');
  const lines = all().split('\n').filter((l) => l.startsWith('line '));
  t.equal(lines.length, N, 'every line present exactly once');
  const inOrder = lines.every((l, k) => l.startsWith(`line ${k} `));
  t.ok(inOrder, 'in order, none duplicated');
});

t.test('the log tick skips a file whose writer used no CPU since its last look, and looks again once it shows CPU', async (t) => {
  const { s, sampler } = fakeSampler();
  const LIMIT = 64 * 1024;
  // Writes past the limit once the first looks (log tick every 5 ms) have seen a small file.
  const writer = sh(`sleep 2; head -c ${LIMIT * 2} /dev/zero; exec sleep 60`);
  const h = harness(t, plan([spec({ name: 'w', command: writer, logs: { maxSizeBytes: LIMIT, keep: 1 } })], 50), { sampler, logCheckMs: 5, unwatched: WATCHED });
  await h.engine.startAll();
  const file = `${h.stateDir}/logs/w.log`;
  const until = async (cond: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until(() => existsSync(file) && statSync(file).size >= LIMIT, 'the file to pass the limit');
  const calls = s.calls;
  await until(() => s.calls >= calls + 4, 'four more monitor rounds');
  t.equal(h.of('log-rotated', 'w').length, 0, 'the fake sampler says 0 % CPU: the tick does not look');
  s.cpu = 3;
  await h.waitFor(is('log-rotated', 'w'));
  t.ok(statSync(file).size < LIMIT, 'rotated once the tree showed CPU');
});

t.test('niceness: the monitor nices tree members that escaped it, and a plan update renices every member it has seen', async (t) => {
  // The child lowers its own niceness back to 0 (allowed as root; elsewhere it fails and stays at 5, which the test tolerates).
  const shell = sh('nice -n -5 sleep 600 & wait');
  const h = harness(t, plan([spec({ name: 'n', command: shell, nice: 5 })], 100_000));
  await h.engine.startAll();
  const main = h.engine.status()[0]!.pid!;
  const deadline = Date.now() + 20_000;
  let child: number | undefined;
  // The child is first the forked shell (niceness 5, inherited); only once it has exec'd `sleep` has `nice -n -5` run.
  const isSleep = (pid: number): boolean => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  };
  while (child === undefined && Date.now() < deadline) {
    child = treeOf(main, readAllProcs()).find((p) => p.pid !== main && isSleep(p.pid))?.pid;
    if (child === undefined) await new Promise((r) => setTimeout(r, 20));
  }
  if (child === undefined) throw new Error('the child never appeared');
  t.equal(getPriority(main), 5, 'the main process niced at spawn');
  // Born niced (as root): the shell forks at 5 whatever the timing, so `nice -n -5` lands at 0, never -5.
  if (process.getuid?.() === 0) t.equal(getPriority(child), 0, 'the child escaped its niceness before the round');
  t.equal(getPriority(0), 0, 'the supervisor went back to its own niceness after the spawn');
  await h.engine.sampleNow();
  t.equal(getPriority(child), 5, 'a member that lowered its niceness is niced again by the next round');
  h.engine.updatePlan(plan([spec({ name: 'n', command: shell, nice: 10 })], 100_000));
  t.equal(getPriority(main), 10, 'the plan update renices the main process at once');
  t.equal(getPriority(child), 10, 'and every member the monitor has seen');
});

t.test('between full rounds only instances with thresholds are sampled; the others every fifth interval', async (t) => {
  const { s, sampler } = fakeSampler();
  const h = harness(t, plan([spec({ name: 'judged', thresholds: { memory: { critical: 1e15, forMs: 1000 }, onCritical: 'alert' } }), spec({ name: 'plain' })], 400), { sampler });
  await h.engine.startAll();
  const from = s.calls;
  const deadline = Date.now() + 60_000;
  while (s.calls < from + 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const rounds = s.pidsPerCall.slice(from);
  t.ok(rounds.length >= 8, `${rounds.length} rounds`);
  t.ok(rounds.includes(1), 'some rounds sampled only the judged instance');
  t.ok(rounds.includes(2), 'and some (full) rounds both');
  t.ok(rounds.filter((n) => n === 2).length < rounds.length / 2, `full rounds are the fewer (${rounds.join(',')})`);
  t.match(h.engine.status().find((x) => x.name === 'plain'), { rss: Number }, 'usage of the unjudged instance comes from the full rounds');
});

t.test('with the cgroup boundary, CPU comes from cpu.stat: work done by a child that has already exited is counted', async (t) => {
  const dir = tempDir(t);
  // The child burns CPU and exits between two rounds; what is left to read per process is an idle `sleep`.
  const script = 'while [ ! -e go ]; do sleep 0.05; done; times > before; head -c 40000000 /dev/urandom > /dev/null; times > after; touch done; exec sleep 600';
  const h = harness(t, plan([spec({ name: 'burst', command: sh(script), cwd: dir })], 100_000));
  if (h.engine.boundaryInfo().kind !== 'cgroup') {
    t.comment(`skipped: no cgroup boundary here (${h.engine.boundaryInfo().reason})`);
    return;
  }
  await h.engine.startAll();
  const from = performance.now();
  await h.engine.sampleNow(); // the counter's first reading
  writeFileSync(join(dir, 'go'), '');
  const deadline = Date.now() + 60_000;
  while (!existsSync(join(dir, 'done')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.ok(existsSync(join(dir, 'done')), 'the child did its work and exited');
  await h.engine.sampleNow();
  const windowMs = performance.now() - from;
  const cpu = h.engine.status()[0]!.cpu ?? 0;
  // `times`: the second line is the CPU of the shell's exited children, e.g. `0m0.15s 0m0.04s`.
  const childSeconds = (f: string): number => {
    const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(readFileSync(join(dir, f), 'utf8').trim())!;
    return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
  };
  const headCpu = childSeconds('after') - childSeconds('before');
  const floor = ((headCpu * 1000) / windowMs) * 100 * 0.8;
  t.ok(headCpu > 0, `the child used ${headCpu}s of CPU`);
  t.ok(cpu >= floor, `the round counts the exited child's CPU: ${cpu.toFixed(1)} % ≥ ${floor.toFixed(1)} % (80 % of its share of the window)`);
});

t.test('a look refreshes usage older than one interval, once', async (t) => {
  const { s, sampler } = fakeSampler();
  s.rss = 5 * 1024 * 1024;
  // No tick within the test: every round here is one a look asked for.
  const h = harness(t, plan([spec({ name: 'a' }), spec({ name: 'b' })], 100_000), { sampler });
  await h.engine.startAll();
  t.equal(h.engine.status()[0]!.rss, undefined, 'no figures before any round');
  h.engine.lookedAtUsage();
  const deadline = Date.now() + 30_000;
  while (h.engine.status()[0]!.rss === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.equal(s.calls, 1, 'the look ran one round');
  t.same(s.pidsPerCall, [2], 'over every instance');
  t.equal(h.engine.status()[1]!.rss, 5 * 1024 * 1024, 'the next look sees the figures');
  // A round calls the sampler before its first await, so a second call would already show.
  h.engine.lookedAtUsage();
  t.equal(s.calls, 1, 'figures younger than the interval are not read again');
});

t.test('an idle fleet without thresholds wakes the monitor only for full rounds, and its quiet logs not every tick', async (t) => {
  const { s, sampler } = fakeSampler();
  // Every timer the engine arms, by delay: the log tick's is LOG_MS, sampling ticks are at least INTERVAL.
  const INTERVAL = 50;
  const LOG_MS = 7;
  const armed: number[] = [];
  // The log tick's timers, by delay: told from the sampling ones by who armed them.
  const logArmed: number[] = [];
  const byLogTick = (): boolean => /log-check\.[tj]s/.test(new Error().stack ?? '');
  const clock: Clock = {
    ...systemClock,
    setTimeout: (fn, ms) => ((byLogTick() ? logArmed : armed).push(ms), systemClock.setTimeout(fn, ms)),
  };
  const quiet = (name: string) => spec({ name, command: sh('exec sleep 600'), logs: { maxSizeBytes: 1024 * 1024, keep: 1 } });
  const h = harness(t, plan([quiet('a'), quiet('b')], INTERVAL), { sampler, clock, logCheckMs: LOG_MS, unwatched: WATCHED });
  await h.engine.startAll();
  // Two full rounds: the logs have been looked at and both agents showed 0 % CPU.
  await until(() => s.calls >= 2, 'two full rounds');
  const from = armed.length;
  const logFrom = logArmed.length;
  const calls = s.calls;
  await until(() => s.calls >= calls + 4, 'four more full rounds');
  const ticks = armed.length - from;
  t.ok(ticks <= 5, `${ticks} sampling ticks for 4 full rounds (every interval would be ~20)`);
  const logTicks = (from: number): number[] => logArmed.slice(from);
  t.equal(logTicks(logFrom).length, 0, 'no log tick while every log is known quiet');

  // The writers show CPU: their logs are back on the tick's list.
  s.cpu = 1;
  const at = logArmed.length;
  await until(() => logTicks(at).length >= 3, 'log ticks once a writer shows CPU');
  const ticks3 = logTicks(at).slice(0, 3);
  // `sleep` writes nothing: the round that saw the CPU looked and found each file as it was, so the back-off goes
  // on from the step the last look left (not from one tick), and each look that finds it so doubles the step.
  t.ok(ticks3[0]! > LOG_MS, `the round looked: the tick's first look is not one tick later (${ticks3.join(', ')} ms)`);
  t.ok(ticks3[2]! > ticks3[0]!, `the log tick backs off while the file does not grow (${ticks3.join(', ')} ms)`);

  // The file grows: the step is one tick again.
  appendFileSync(`${h.stateDir}/logs/a.log`, 'x\n');
  const grew = logArmed.length;
  await until(() => logTicks(grew).some((ms) => ms <= LOG_MS), 'a log tick one step after the file grew');
  t.pass('a file that grows is looked at every tick again');

  // Quiet again until the tick lets `a` go (its step is one tick since it grew); then it runs and writes: the
  // round sees the file grown, and the tick looks one tick later.
  s.cpu = 0;
  const settled = s.calls;
  await until(() => s.calls >= settled + 3, 'three quiet rounds');
  const quietFrom = logArmed.length;
  await new Promise((r) => setTimeout(r, 300));
  appendFileSync(`${h.stateDir}/logs/a.log`, 'y\n');
  s.cpu = 1;
  await until(() => logTicks(quietFrom).length >= 1, 'a log tick once a writer wrote and showed CPU');
  t.ok(logTicks(quietFrom)[0]! <= LOG_MS, `the round saw the file grown: the first look a tick later (${logTicks(quietFrom).join(', ')} ms)`);
});

t.test('unwatched, full rounds come at the unwatched step; a look or a held watch brings the watched step back at once, until it runs out', async (t) => {
  const { s, sampler } = fakeSampler();
  // Watched step 100 ms (five intervals of 20), unwatched 5 s; a look keeps the fleet watched for 400 ms.
  const armed: number[] = [];
  const clock: Clock = { ...systemClock, setTimeout: (fn, ms) => (armed.push(ms), systemClock.setTimeout(fn, ms)) };
  const h = harness(t, plan([spec({ name: 'a', command: sh('exec sleep 600') })], 20), { sampler, clock, unwatched: { watchedForMs: 400, everyMs: 5000 } });
  await h.engine.startAll();
  await until(() => s.calls >= 1, 'the first full round');
  await until(() => armed.at(-1)! > 1000, 'the tick armed after it');
  t.ok(armed.at(-1)! > 4000, `nobody looked: the next round in ${armed.at(-1)} ms (the unwatched step)`);

  const rounds = new Array<number>();
  h.engine.onUsageRound((at) => rounds.push(at));
  void h.engine.lookedAtUsage();
  t.ok(armed.at(-1)! <= 100, `a look re-arms the tick for the watched step at once (${armed.at(-1)} ms)`);
  await until(() => rounds.length >= 3, 'three full rounds while watched');
  await until(() => armed.at(-1)! > 1000, 'the watch to run out');
  t.ok(armed.at(-1)! > 4000 - 400, `then back to the unwatched step (${armed.at(-1)} ms)`);

  const release = h.engine.watchUsage();
  t.ok(armed.at(-1)! <= 100, 'a held watch re-arms for the watched step');
  const from = rounds.length;
  const heldSince = Date.now();
  await until(() => rounds.length >= from + 3 && Date.now() - heldSince > 800, 'rounds past twice the look\'s watch');
  t.ok(armed.slice(-3).every((ms) => ms <= 100), `held, the step stays the watched one (${armed.slice(-3).join(', ')} ms)`);
  release();
  await until(() => armed.at(-1)! > 1000, 'the tick after the release');
  t.pass('released, back to the unwatched step');
});

t.test('a look at figures older than the watched step waits for a round; younger than one interval, it does not', async (t) => {
  const { s, sampler } = fakeSampler();
  const h = harness(t, plan([spec({ name: 'a', command: sh('exec sleep 600') })], 20), { sampler, unwatched: { watchedForMs: 1, everyMs: 60_000 } });
  await h.engine.startAll();
  await h.engine.sampleNow();
  s.rss = 7 * 1024 * 1024;
  await new Promise((r) => setTimeout(r, 150)); // older than the watched step (100 ms); nothing samples meanwhile
  await h.engine.lookedAtUsage();
  t.equal(h.engine.status()[0]!.rss, 7 * 1024 * 1024, 'the answer after the look has the figures of a round it waited for');
  const calls = s.calls;
  await h.engine.lookedAtUsage();
  t.equal(s.calls, calls, 'a look right after: no round');
});

t.test('each full round tells its listeners once, after its figures are in; partial rounds do not', async (t) => {
  const { s, sampler } = fakeSampler();
  s.rss = 3;
  const h = harness(t, plan([spec({ name: 'judged', thresholds: { memory: { critical: 1e15, forMs: 1000 }, onCritical: 'alert' } }), spec({ name: 'plain' })], 30), { sampler, unwatched: WATCHED });
  const seen: { calls: number; rss: number | undefined }[] = [];
  h.engine.onUsageRound(() => seen.push({ calls: s.calls, rss: h.engine.usages().find((u) => u.name === 'plain')?.usage?.rss }));
  await h.engine.startAll();
  const deadline = Date.now() + 60_000;
  while (s.calls < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const full = s.pidsPerCall.filter((n) => n === 2).length;
  t.ok(seen.length >= full - 1 && seen.length <= full, `${seen.length} notices for ${full} full rounds of ${s.calls}`);
  t.ok(seen.every((x) => x.rss === 3), 'each after its round measured every instance');
});

t.test('with the cgroup boundary, an instance whose cgroup ran nothing since the last round keeps its figures without its members being read', async (t) => {
  const real = procSampler();
  const sampled: number[][] = [];
  const sampler: Sampler = { sample: (pids) => (sampled.push([...pids]), real.sample(pids)), close: () => real.close?.() };
  const h = harness(t, plan([spec({ name: 'idle', command: sh('exec sleep 600') }), spec({ name: 'busy', command: sh('while :; do sleep 0.02; done') })], 100_000), { sampler, cpuFromBoundary: true });
  if (h.engine.boundaryInfo().kind !== 'cgroup') {
    t.comment(`skipped: no cgroup boundary here (${h.engine.boundaryInfo().reason})`);
    return;
  }
  await h.engine.startAll();
  const pidOf = (name: string): number => h.engine.status().find((s) => s.name === name)!.pid!;
  // Until the shell has become `sleep`, the idle one still runs.
  await until(() => readFileSync(`/proc/${pidOf('idle')}/comm`, 'utf8').trim() === 'sleep', 'the idle shell to exec sleep');
  await h.engine.sampleNow();
  t.ok(sampled[0]!.includes(pidOf('idle')), 'the first round reads every member');
  sampled.length = 0;
  await new Promise((r) => setTimeout(r, 300)); // the busy one forks a `sleep` every 20 ms meanwhile
  await h.engine.sampleNow();
  t.ok(sampled.length === 1 && !sampled[0]!.includes(pidOf('idle')), `the next reads only the busy one (${JSON.stringify(sampled)})`);
  t.ok(sampled[0]!.includes(pidOf('busy')), 'whose cgroup ran');
  const idle = h.engine.status().find((s) => s.name === 'idle')!;
  t.equal(idle.cpu, 0, 'the idle one at 0 %');
  t.ok((idle.rss ?? 0) > 0, `with the memory last read (${idle.rss} bytes)`);
});

t.test('a quiet log is looked at again after 30 s where CPU is counted in ticks, and only once its writer runs where a cgroup counts it', async (t) => {
  for (const kind of ['tree', 'cgroup'] as const) {
    await t.test(kind, async (t) => {
      // The clock the log checks read: moved a minute on at once, so "30 s since the last look" is here without waiting.
      let offset = 0;
      const clock: Clock = { ...systemClock, now: () => systemClock.now() + offset };
      const dir = tempDir(t);
      const fifo = join(dir, 'go');
      spawnSync('mkfifo', [fifo]);
      // Blocks (without CPU) until the test writes to the fifo, then prints 4 KiB and sleeps.
      const writer = sh(`read x < ${fifo}; head -c 4096 /dev/zero; exec sleep 600`);
      const h = harness(t, plan([spec({ name: 'q', command: writer, logs: { maxSizeBytes: 1024, keep: 1 } })], 100_000), {
        clock,
        logCheckMs: 5,
        unwatched: WATCHED,
        cpuFromBoundary: true,
        boundary: kind === 'tree' ? 'tree' : 'default',
      });
      if (kind === 'cgroup' && h.engine.boundaryInfo().kind !== 'cgroup') {
        t.comment(`skipped: no cgroup boundary here (${h.engine.boundaryInfo().reason})`);
        return;
      }
      await h.engine.startAll();
      const pid = h.engine.status().find((s) => s.name === 'q')!.pid!;
      const since = Date.now();
      const blocked = (): boolean => {
        const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
        // A kernel that hides wchan reads 0: then a second is time enough for `sh` to reach the fifo.
        return wchan === 'wait_for_partner' || (wchan === '0' && Date.now() - since > 1000);
      };
      await until(blocked, 'the writer to block on its fifo');
      // Rounds at 0 % and the log tick's looks (which back off to ~300 ms while the file stays put): the log is known
      // quiet and off the tick's list.
      for (let k = 0; k < 3; k++) {
        await h.engine.sampleNow();
        await new Promise((r) => setTimeout(r, 300));
      }
      // Something other than the agent writes past the limit (its reload command could), a minute later.
      appendFileSync(`${h.stateDir}/logs/q.log`, Buffer.alloc(2048, 'x'));
      offset += 60_000;
      await h.engine.sampleNow();
      await new Promise((r) => setTimeout(r, 500));
      if (kind === 'tree') {
        await h.waitFor(is('log-rotated', 'q'), 10_000, 'the 30 s recheck to rotate it');
        t.pass('ticks can miss a trickle of writes: the round looks at a quiet log 30 s after its last look');
        return;
      }
      t.equal(h.of('log-rotated', 'q').length, 0, 'the cgroup ran nothing: its log is not looked at');
      writeFileSync(fifo, 'go\n');
      await until(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep', 'the writer to have written');
      await h.engine.sampleNow();
      await h.waitFor(is('log-rotated', 'q'), 10_000, 'the rotation once the counter moved');
      t.pass('its counter moved: the log is looked at and rotated');
    });
  }
});
