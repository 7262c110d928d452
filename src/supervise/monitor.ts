/**
 * The periodic side of supervision: every monitor interval, at most one /proc readdir
 * (trees carried over between rounds, stat read only for new pids; LiveTrees)
 * and one sampler call for all live trees, summed per instance; thresholds
 * judged and their actions run; niceness applied to new tree members. On a
 * separate, shorter tick, log files are checked and rotated by size. Nothing
 * here is on the startup critical path. The log tick skips the `stat` of a
 * running agent whose tree used no CPU in every round since its file was last
 * looked at: a process that did not run cannot have written.
 *
 * The monitor keeps its own record of each instance (usage, threshold
 * trackers, the tree last seen, the pids already niced, whether its log is
 * being rotated), keyed by the instance object so it goes with the instance;
 * Instance and status only read it through the accessors below.
 */

import type { EventInput, OrchestraEvent } from '../events/event.js';
import type { Clock } from './clock.js';
import type { Instance } from './instance.js';
import { rotateLog, needsRotation } from './log-rotation.js';
import { applyNice } from './process-group.js';
import { LiveTrees } from './live-trees.js';
import type { ProcInfo } from './procfs.js';
import type { Sampler, Usage } from './sampler.js';
import { snapshotTree } from './tree-boundary.js';
import { initialTracker, observeThreshold, type Metric, type ThresholdLevel, type ThresholdTracker } from './thresholds.js';

export interface MonitorHost {
  clock: Clock;
  sampler: Sampler;
  emit: (event: EventInput) => void;
  instances(): Iterable<Instance>;
}

/** A quiet agent's log is still looked at this often: CPU is counted in whole clock ticks, so a trickle of tiny writes can stay below one. */
const QUIET_RECHECK_MS = 30_000;

interface LogWatch {
  /** When the file was last looked at (clock ms). */
  checkedAt: number;
  /** Every round since then saw the tree at 0 % CPU; undefined until a round has run. */
  quiet: boolean | undefined;
}

/** What the monitor saw of one run (one main pid) of an instance. */
interface RunSeen {
  pid: number;
  usage: Usage | undefined;
  /** Tree members last seen, so a stop can find descendants whose parent already died. */
  tree: readonly ProcInfo[];
  /** Members already given the spec's niceness. */
  niced: Set<number>;
}

/** The monitor's own record of one instance. */
interface Watch {
  /** Kept across runs: a level that fired stays until it clears (or its action restarts the agent). */
  trackers: Record<Metric, ThresholdTracker>;
  run: RunSeen | undefined;
  log: LogWatch | undefined;
  rotating: boolean;
}

/** What the monitor last saw of one instance, as status shows it. */
export interface Observed {
  /** Undefined before the run's first round, or without a process. */
  usage: Usage | undefined;
  levels: Readonly<Record<Metric, ThresholdLevel>>;
}

const CALM: Observed = { usage: undefined, levels: { cpu: 'ok', memory: 'ok' } };

const UNITS: Record<Metric, (v: number) => string> = {
  cpu: (v) => `${v.toFixed(1)}%`,
  memory: (v) => `${(v / 1024 ** 2).toFixed(1)}MiB`,
};

export class Monitor {
  #sampleTimer: unknown;
  #logTimer: unknown;
  #sampling = false;
  #disposed = false;
  readonly #trees = new LiveTrees();
  /** Goes with the instance: the engine dropping an instance drops its record. */
  readonly #watches = new WeakMap<Instance, Watch>();

  constructor(private readonly host: MonitorHost, private readonly intervalMs: number, private readonly logCheckMs: number) {}

  #watch(i: Instance): Watch {
    let w = this.#watches.get(i);
    if (!w) this.#watches.set(i, (w = { trackers: { cpu: initialTracker(), memory: initialTracker() }, run: undefined, log: undefined, rotating: false }));
    return w;
  }

  /** The record of the instance's current run, started afresh when its main pid changed. */
  #run(w: Watch, pid: number): RunSeen {
    if (w.run?.pid !== pid) w.run = { pid, usage: undefined, tree: [], niced: new Set() };
    return w.run;
  }

  /** The current run's record, if the monitor has seen this run. */
  #current(i: Instance): RunSeen | undefined {
    const run = this.#watches.get(i)?.run;
    return run !== undefined && run.pid === i.pid ? run : undefined;
  }

  /** Usage and threshold levels last seen, for status. */
  observed(i: Instance): Observed {
    const w = this.#watches.get(i);
    if (!w) return CALM;
    return { usage: this.#current(i)?.usage, levels: { cpu: w.trackers.cpu.active, memory: w.trackers.memory.active } };
  }

  /** Usage last seen of the current run; undefined before its first round or without a process. */
  usage(i: Instance): Usage | undefined {
    return this.#current(i)?.usage;
  }

  /** The current run's tree members last seen (for a stop: descendants whose parent already died); empty before a round. */
  treeLastSeen(i: Instance): readonly ProcInfo[] {
    return this.#current(i)?.tree ?? [];
  }

  /** After a plan update: gives the members already niced the instance's new niceness now rather than at the next round. */
  renice(i: Instance): void {
    const run = this.#current(i);
    if (run && i.spec.nice !== undefined) applyNice([run.pid, ...run.niced], i.spec.nice);
  }

  /** Starts both ticks. */
  start(): void {
    this.#scheduleSample();
    this.#scheduleLogs();
  }

  /** Stops both ticks. */
  dispose(): void {
    this.#disposed = true;
    this.host.clock.clearTimeout(this.#sampleTimer);
    this.host.clock.clearTimeout(this.#logTimer);
  }

  #scheduleSample(): void {
    if (this.#disposed) return;
    this.#sampleTimer = this.host.clock.setTimeout(() => void this.sampleOnce().finally(() => this.#scheduleSample()), this.intervalMs);
  }

  #scheduleLogs(): void {
    if (this.#disposed) return;
    this.#logTimer = this.host.clock.setTimeout(() => void this.#checkLogs(true).finally(() => this.#scheduleLogs()), this.logCheckMs);
  }

  /** One sampling round for every live instance. */
  async sampleOnce(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      // Plain loops and few allocations: this runs every interval, too rarely for the JIT to warm up.
      const live: Instance[] = [];
      for (const i of this.host.instances()) if (i.pid !== undefined && i.state.name !== 'stopping') live.push(i);
      if (live.length === 0) return;
      const byLeader = this.#trees.update(live.map((i) => i.pid!));
      const rounds: { i: Instance; w: Watch; run: RunSeen; tree: ProcInfo[] }[] = [];
      const pids: number[] = [];
      for (const i of live) {
        const tree = byLeader.get(i.pid!) ?? [];
        const w = this.#watch(i);
        const run = this.#run(w, i.pid!);
        run.tree = tree;
        rounds.push({ i, w, run, tree });
        for (const p of tree) pids.push(p.pid);
        if (i.spec.nice !== undefined) niceNewMembers(run, i.spec.nice, tree);
      }
      const usage = await this.host.sampler.sample(pids);
      if (usage.size < pids.length) this.#trees.vanished(pids.filter((p) => !usage.has(p)));
      const now = this.host.clock.now();
      for (const { i, w, run, tree } of rounds) {
        // The agent exited or restarted while its tree was being read: these figures are not its current run's.
        if (i.pid !== run.pid) continue;
        let cpu = 0;
        let rss = 0;
        for (const p of tree) {
          const u = usage.get(p.pid);
          if (u) (cpu += u.cpu), (rss += u.rss);
        }
        run.usage = { cpu, rss };
        if (w.log) w.log.quiet = cpu === 0 && w.log.quiet !== false;
        if (i.spec.thresholds) {
          this.#judge(i, w, 'cpu', cpu, now);
          this.#judge(i, w, 'memory', rss, now);
        }
      }
    } finally {
      this.#sampling = false;
    }
  }

  #judge(i: Instance, w: Watch, metric: Metric, value: number, now: number): void {
    const spec = i.spec.thresholds?.[metric];
    if (!spec) return;
    const { tracker, change } = observeThreshold(spec, w.trackers[metric], value, now);
    w.trackers[metric] = tracker;
    if (!change) return;
    const fmt = UNITS[metric];
    if (change.kind === 'cleared') {
      this.host.emit({ type: 'threshold-cleared', agent: i.name, metric, from: change.from, value, message: `${metric} back to ${fmt(value)} (was ${change.from})` });
      return;
    }
    const action = change.level === 'critical' ? (i.spec.thresholds?.onCritical ?? 'alert') : undefined;
    const reason = `${metric} ${fmt(value)} ≥ ${fmt(change.limit)} for ${change.heldMs}ms`;
    this.host.emit({
      type: 'threshold-breached',
      agent: i.name,
      metric,
      level: change.level,
      value,
      limit: change.limit,
      heldMs: change.heldMs,
      ...(action ? { action } : {}),
      message: `${change.level}: ${reason}${action && action !== 'alert' ? ` → ${action}` : ''}`,
    });
    if (action === 'restart') {
      w.trackers[metric] = { active: 'ok' };
      void i.failRun(`threshold: ${reason}`);
    } else if (action === 'stop') {
      w.trackers[metric] = { active: 'ok' };
      void i.stop(`threshold: ${reason}`);
    }
  }

  /** Checks every instance's log file now, quiet or not, and rotates those over their size limit. */
  checkLogs(): Promise<void> {
    return this.#checkLogs(false);
  }

  /** Whether the periodic tick may skip this file: its writer is running and showed no CPU since the last look. */
  #canSkip(i: Instance, now: number): boolean {
    const log = this.#watches.get(i)?.log;
    return i.pid !== undefined && log?.quiet === true && now - log.checkedAt < QUIET_RECHECK_MS;
  }

  async #checkLogs(skipQuiet: boolean): Promise<void> {
    let now = this.host.clock.now();
    for (const i of this.host.instances()) {
      const { maxSizeBytes, keep } = i.spec.logs;
      if (maxSizeBytes <= 0) continue;
      const w = this.#watch(i);
      if (w.rotating) continue;
      if (skipQuiet && this.#canSkip(i, now)) continue;
      w.log = { checkedAt: now, quiet: undefined };
      if (!needsRotation(i.logFile, maxSizeBytes)) continue;
      w.rotating = true;
      try {
        const pid = i.pid;
        const members = pid !== undefined ? snapshotTree({ pid, known: this.treeLastSeen(i) }) : [];
        const r = await rotateLog(i.logFile, keep, pid, members);
        now = this.host.clock.now();
        this.host.emit({
          type: 'log-rotated',
          agent: i.name,
          file: i.logFile,
          bytes: r.bytes,
          frozenMs: r.frozenMs,
          lossless: r.frozeAll,
          message: `log rotated (${r.bytes} bytes kept in ${keep > 0 ? '.1' : 'nothing'}, paused ${r.frozenMs}ms)`,
        });
      } finally {
        w.rotating = false;
      }
    }
  }
}

/** Gives the spec's niceness to tree members not niced yet in this run. */
function niceNewMembers(run: RunSeen, nice: number, tree: readonly ProcInfo[]): void {
  const fresh = tree.map((p) => p.pid).filter((p) => !run.niced.has(p));
  if (fresh.length === 0) return;
  applyNice(fresh, nice);
  for (const p of fresh) run.niced.add(p);
}
