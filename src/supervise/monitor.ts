/**
 * The periodic side of supervision. Every monitor interval, a round samples
 * what must be judged that often: instances with thresholds or a niceness.
 * Everything else (usage for status, the dashboard, the page, the sparklines'
 * history) is sampled in a full round: every fifth interval (10 s by
 * default) while someone watches or something is judged, once a minute
 * while nobody does (usage-cadence.ts), and at once when someone looks and
 * the figures are older than the interval. While no live instance has
 * thresholds or a niceness, the tick is not even armed between full rounds.
 * After each full round the listeners given to `onFullRound` run (the
 * sparklines' point, the page's look), so an idle daemon wakes once per
 * round, not once per consumer.
 *
 * A round reads members from the boundary: `cgroup.procs` under the cgroup
 * boundary, else the process trees carried between rounds (LiveTrees: at most
 * one /proc readdir, stat read only for new pids). CPU comes from the
 * cgroup's `cpu.stat` (one read per instance, and it counts children that
 * came and went between rounds); memory, and CPU on the tree boundary, from
 * one sampler call over every member (the memory controller is not
 * assumed). Thresholds are judged and their actions run; niceness is applied
 * to new members. Every round (which walks every instance anyway) tells
 * the log check (log-check.ts) which logs may be growing; it looks at those
 * on its own, shorter tick.
 *
 * What is observed of each instance is the monitor's own record
 * (observations.ts); Instance and status read it through the accessors here.
 */

import type { EventInput } from '../events/event.js';
import type { Clock } from './clock.js';
import type { Instance } from './instance.js';
import { LogCheck } from './log-check.js';
import { applyNice } from './process-group.js';
import { LiveTrees } from './live-trees.js';
import type { ProcInfo } from './procfs.js';
import type { Sampler, Usage } from './sampler.js';
import { judgeThreshold } from './threshold-judge.js';
import { cpuFromCounter, Observations, type Observed, type RunSeen, type Watch } from './observations.js';
import { fullRoundEveryMs, Watchers, type UnwatchedTiming } from './usage-cadence.js';

export type { Observed } from './observations.js';

export interface MonitorHost {
  clock: Clock;
  sampler: Sampler;
  emit: (event: EventInput) => void;
  instances(): Iterable<Instance>;
}

export interface MonitorOptions {
  /** How often thresholds are judged and niceness applied (`monitor.interval`). */
  intervalMs: number;
  /** How often log sizes are checked. */
  logCheckMs: number;
  /** CPU from the boundary's counter where it has one (cgroup `cpu.stat`); false: from the sampler only (tests feeding values). */
  cpuFromBoundary: boolean;
  /** How long a look keeps the fleet watched, and how often full rounds come while it is not. */
  unwatched: UnwatchedTiming;
}

/** Usage of instances nothing judges is refreshed every this many intervals. */
const USAGE_EVERY_ROUNDS = 5;


/** One instance in a round. `pids` is undefined until its tree is known (tree boundary). */
interface Target {
  i: Instance;
  w: Watch;
  run: RunSeen;
  pids: readonly number[] | undefined;
  usec: number | undefined;
}

export class Monitor {
  #sampleTimer: unknown;
  /** Some live instance has thresholds or a niceness, so a round is due every interval; else only every fifth. */
  #judged = false;
  #disposed = false;
  /** Clock ms of the last full round's start (-Infinity: none yet). */
  #fullAt = -Infinity;
  readonly #trees = new LiveTrees();
  readonly #seen = new Observations();
  readonly #logs: LogCheck;
  readonly #intervalMs: number;
  readonly #usageEveryMs: number;
  readonly #watchers: Watchers;
  readonly #roundListeners = new Set<(at: number, watched: boolean) => void>();
  /** The round in progress, so a look that must wait for fresh figures waits for it. */
  #current: Promise<void> | undefined;

  constructor(
    private readonly host: MonitorHost,
    private readonly options: MonitorOptions,
  ) {
    this.#intervalMs = options.intervalMs;
    this.#usageEveryMs = options.intervalMs * USAGE_EVERY_ROUNDS;
    this.#logs = new LogCheck(host, this.#seen, options.logCheckMs);
    this.#watchers = new Watchers(options.unwatched.watchedForMs);
  }

  /** Runs `listener` after every full round with the clock ms it started at and whether someone watches; returns the unsubscribe function. */
  onFullRound(listener: (at: number, watched: boolean) => void): () => void {
    this.#roundListeners.add(listener);
    return () => this.#roundListeners.delete(listener);
  }

  /** How often every instance's usage is refreshed without anyone looking (the sparklines' step). */
  get usageEveryMs(): number {
    return this.#usageEveryMs;
  }

  /** Usage and threshold levels last seen, for status. */
  observed(i: Instance): Observed {
    return this.#seen.observed(i);
  }

  /** Usage last seen of the current run; undefined before its first round or without a process. */
  usage(i: Instance): Usage | undefined {
    return this.#seen.current(i)?.usage;
  }

  /** The current run's tree members last seen (for a stop: descendants whose parent already died); empty before a round or under the cgroup boundary. */
  treeLastSeen(i: Instance): readonly ProcInfo[] {
    return this.#seen.current(i)?.tree ?? [];
  }

  /** After a plan update: gives the members already niced the instance's new niceness now rather than at the next round. */
  renice(i: Instance): void {
    this.#mayJudge(i);
    const run = this.#seen.current(i);
    if (run && i.spec.nice !== undefined) applyNice([run.pid, ...run.niced], i.spec.nice);
  }

  /**
   * Someone looks at usage (status, dashboard, page): the fleet counts as
   * watched from now on for a while. Figures older than the watched full
   * rounds' step (a look after an unwatched gap) are refreshed before the
   * returned promise resolves; figures older than one interval are refreshed
   * for the next look. Before the first full round there is nothing to wait for.
   */
  looked(): Promise<void> {
    const now = this.host.clock.now();
    const wasWatched = this.#watchers.watched(now);
    this.#watchers.looked(now);
    if (!wasWatched) this.#rearm();
    const age = now - this.#fullAt;
    if (age < this.#intervalMs) return Promise.resolve();
    const round = this.#round(true);
    return age >= this.#usageEveryMs && this.#fullAt > -Infinity ? round : Promise.resolve();
  }

  /** Someone watches usage until the returned function is called (an open dashboard stream): full rounds come at the watched step meanwhile. */
  watch(): () => void {
    const wasWatched = this.#watchers.watched(this.host.clock.now());
    const release = this.#watchers.hold();
    if (!wasWatched) this.#rearm();
    return release;
  }

  /** Starts the sampling tick (the log tick arms itself when a round finds a log to watch). */
  start(): void {
    this.#scheduleSample();
  }

  /** Stops both ticks. */
  dispose(): void {
    this.#disposed = true;
    this.host.clock.clearTimeout(this.#sampleTimer);
    this.#logs.dispose();
  }

  /** An instance changed state (a run began or ended): its log is looked at from the next log tick on. */
  changed(i: Instance): void {
    this.#logs.note(i, this.host.clock.now());
    this.#mayJudge(i);
  }

  /** An instance with thresholds or a niceness brings the rounds back to every interval at once. */
  #mayJudge(i: Instance): void {
    if (this.#judged || (i.spec.thresholds === undefined && i.spec.nice === undefined)) return;
    this.#judged = true;
    this.#rearm();
  }

  /** Arms the sampling tick afresh after the cadence got shorter (a look, a watch, something judged). */
  #rearm(): void {
    if (this.#sampleTimer === undefined) return;
    this.host.clock.clearTimeout(this.#sampleTimer);
    this.#scheduleSample();
  }

  /** Checks every instance's log file now, quiet or not, and rotates those over their size limit. */
  checkLogs(): Promise<void> {
    return this.#logs.checkAll();
  }

  /** How long after the last full round the next one is due now. */
  #fullEveryMs(now: number): number {
    return fullRoundEveryMs({ watched: this.#watchers.watched(now), judged: this.#judged, watchedEveryMs: this.#usageEveryMs, unwatchedEveryMs: this.options.unwatched.everyMs });
  }

  /** Arms the sampling tick: in one interval, or, while nothing is judged every interval, when the next full round is due. */
  #scheduleSample(): void {
    if (this.#disposed) return;
    const now = this.host.clock.now();
    const untilFull = this.#fullAt + this.#fullEveryMs(now) - now;
    const delay = this.#judged ? this.#intervalMs : Math.max(this.#intervalMs, untilFull);
    this.#sampleTimer = this.host.clock.setTimeout(() => {
      this.#sampleTimer = undefined;
      const at = this.host.clock.now();
      // Half an interval early counts as due: timers run late, and a full round must not slip to the tick after.
      const full = at - this.#fullAt >= this.#fullEveryMs(at) - this.#intervalMs / 2;
      // A watch ran out while the tick was armed for the watched step: arm it for the unwatched one, no round.
      if (!full && !this.#judged) return this.#scheduleSample();
      void this.#round(full).finally(() => this.#scheduleSample());
    }, delay);
  }

  /** One full sampling round for every live instance (tests; the engine's `sampleNow`). */
  sampleOnce(): Promise<void> {
    // A round already running may predate the caller's change (an agent just started): one more after it.
    return this.#current ? this.#current.then(() => this.#round(true)) : this.#round(true);
  }

  /** A round over every live instance (`full`), or only those judged at every interval; a look during a round gets that round. */
  #round(full: boolean): Promise<void> {
    if (this.#current) return this.#current;
    const startedAt = this.host.clock.now();
    if (full) this.#fullAt = startedAt;
    this.#current = this.#sample(full).finally(() => {
      this.#current = undefined;
      if (!full || this.#disposed) return;
      // The listeners guard themselves (a failure there is theirs to report): nothing here may stop the rounds.
      const watched = this.#watchers.watched(this.host.clock.now());
      for (const listener of this.#roundListeners) listener(startedAt, watched);
    });
    return this.#current;
  }

  /** The work of one round (see #round). */
  async #sample(full: boolean): Promise<void> {
    // Plain loops and few allocations: this runs every interval, too rarely for the JIT to warm up.
    const targets: Target[] = [];
    let needTrees = false;
    const now0 = this.host.clock.now();
    let judged = false;
    for (const i of this.host.instances()) {
      this.#logs.note(i, now0, true);
      if (i.pid === undefined || i.state.name === 'stopping') continue;
      const judge = i.spec.thresholds !== undefined || i.spec.nice !== undefined;
      judged ||= judge;
      if (!full && !judge) continue;
      const w = this.#seen.watch(i);
      const run = this.#seen.run(w, i.pid);
      const boundary = i.boundary;
      const counted = this.options.cpuFromBoundary && run.inCgroup ? boundary.cpuUsageUsec() : undefined;
      // Nothing in the cgroup ran since the round that read its members: none came or went and none touched its
      // memory (the kernel's reclaim aside), so its figures carry over without reading the members again.
      if (!judge && counted !== undefined && counted === w.counter?.usec && run.usage) {
        run.usage = { cpu: cpuFromCounter(w, counted, performance.now()) ?? 0, rss: run.usage.rss };
        if (w.log) w.log.quiet = run.usage.cpu === 0 && w.log.quiet !== false;
        continue;
      }
      const inCgroup = boundary.pids();
      // A main process outside its cgroup was adopted from a daemon that ran without one: its tree is the boundary.
      const pids = inCgroup?.includes(i.pid) ? inCgroup : undefined;
      if (!pids) needTrees = true;
      targets.push({ i, w, run, pids, usec: pids && this.options.cpuFromBoundary ? (counted ?? boundary.cpuUsageUsec()) : undefined });
    }
    // Only a full round sees every instance; one with thresholds that starts later says so itself (changed()).
    if (full) this.#judged = judged;
    if (targets.length === 0) return;
    if (needTrees) this.#readTrees(targets);
    const pids: number[] = [];
    for (const t of targets) {
      for (const p of t.pids!) pids.push(p);
      if (t.i.spec.nice !== undefined) niceNewMembers(t.run, t.i.spec.nice, t.pids!);
    }
    const usage = await this.host.sampler.sample(pids);
    if (needTrees && usage.size < pids.length) this.#trees.vanished(pids.filter((p) => !usage.has(p)));
    const now = this.host.clock.now();
    const at = performance.now();
    for (const { i, w, run, pids: members, usec } of targets) {
      // The agent exited or restarted while its members were being read: these figures are not its current run's.
      if (i.pid !== run.pid) continue;
      let cpu = 0;
      let rss = 0;
      for (const p of members!) {
        const u = usage.get(p);
        if (u) (cpu += u.cpu), (rss += u.rss);
      }
      if (usec !== undefined) cpu = cpuFromCounter(w, usec, at) ?? cpu;
      run.usage = { cpu, rss };
      run.inCgroup = usec !== undefined;
      if (w.log) w.log.quiet = cpu === 0 && w.log.quiet !== false;
      // A writer that woke up: the round looks at its log now, and the tick from the next step on (log-check.ts).
      if (w.log?.quiet === false) this.#logs.ran(i, now, usec);
      if (i.spec.thresholds) {
        judgeThreshold(this.host, i, w, 'cpu', cpu, now);
        judgeThreshold(this.host, i, w, 'memory', rss, now);
      }
    }
  }

  /**
   * Fills in the members of targets on the tree boundary. Every live
   * instance's leader is passed, sampled this round or not, so the trees of
   * the others are carried rather than dropped and rebuilt.
   */
  #readTrees(targets: Target[]): void {
    const leaders: number[] = [];
    for (const i of this.host.instances()) if (i.pid !== undefined && i.state.name !== 'stopping') leaders.push(i.pid);
    const byLeader = this.#trees.update(leaders);
    for (const t of targets) {
      if (t.pids) continue;
      const tree = byLeader.get(t.run.pid) ?? [];
      t.run.tree = tree;
      t.pids = tree.map((p) => p.pid);
    }
  }
}

/** Gives the spec's niceness to members not niced yet in this run. */
function niceNewMembers(run: RunSeen, nice: number, members: readonly number[]): void {
  const fresh = members.filter((p) => !run.niced.has(p));
  if (fresh.length === 0) return;
  applyNice(fresh, nice);
  for (const p of fresh) run.niced.add(p);
}
