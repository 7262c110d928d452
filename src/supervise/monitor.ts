/**
 * The periodic side of supervision: every monitor interval, at most one /proc readdir
 * (trees carried over between rounds, stat read only for new pids; LiveTrees)
 * and one sampler call for all live trees, summed per instance; thresholds
 * judged and their actions run; niceness applied to new tree members. On a
 * separate, shorter tick, log files are checked and rotated by size. Nothing
 * here is on the startup critical path. The log tick skips the `stat` of a
 * running agent whose tree used no CPU in every round since its file was last
 * looked at: a process that did not run cannot have written.
 */

import type { EventInput, OrchestraEvent } from '../events/event.js';
import type { Clock } from './clock.js';
import type { Instance } from './instance.js';
import { rotateLog, needsRotation } from './log-rotation.js';
import { applyNice } from './process-group.js';
import { LiveTrees } from './live-trees.js';
import type { ProcInfo } from './procfs.js';
import type { Sampler } from './sampler.js';
import { snapshotTree } from './tree-boundary.js';
import { observeThreshold, type Metric } from './thresholds.js';

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
  readonly #logWatch = new WeakMap<Instance, LogWatch>();

  constructor(private readonly host: MonitorHost, private readonly intervalMs: number, private readonly logCheckMs: number) {}

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
      const rounds: { i: Instance; pid: number; tree: ProcInfo[] }[] = [];
      const pids: number[] = [];
      for (const i of live) {
        const tree = byLeader.get(i.pid!) ?? [];
        i.knownTree = tree;
        rounds.push({ i, pid: i.pid!, tree });
        for (const p of tree) pids.push(p.pid);
        if (i.spec.nice !== undefined) this.#niceNewMembers(i, i.spec.nice, tree);
      }
      const usage = await this.host.sampler.sample(pids);
      if (usage.size < pids.length) this.#trees.vanished(pids.filter((p) => !usage.has(p)));
      const now = this.host.clock.now();
      for (const { i, pid, tree } of rounds) {
        // The agent exited or restarted while its tree was being read: these figures are not its current run's.
        if (i.pid !== pid) continue;
        let cpu = 0;
        let rss = 0;
        for (const p of tree) {
          const u = usage.get(p.pid);
          if (u) (cpu += u.cpu), (rss += u.rss);
        }
        i.usage = { cpu, rss };
        const watch = this.#logWatch.get(i);
        if (watch) watch.quiet = cpu === 0 && watch.quiet !== false;
        if (i.spec.thresholds) {
          this.#judge(i, 'cpu', cpu, now);
          this.#judge(i, 'memory', rss, now);
        }
      }
    } finally {
      this.#sampling = false;
    }
  }

  #niceNewMembers(i: Instance, nice: number, tree: readonly ProcInfo[]): void {
    const fresh = tree.map((p) => p.pid).filter((p) => !i.nicedPids.has(p));
    if (fresh.length === 0) return;
    applyNice(fresh, nice);
    for (const p of fresh) i.nicedPids.add(p);
  }

  #judge(i: Instance, metric: Metric, value: number, now: number): void {
    const spec = i.spec.thresholds?.[metric];
    if (!spec) return;
    const { tracker, change } = observeThreshold(spec, i.trackers[metric], value, now);
    i.trackers[metric] = tracker;
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
      i.trackers[metric] = { active: 'ok' };
      void i.failRun(`threshold: ${reason}`);
    } else if (action === 'stop') {
      i.trackers[metric] = { active: 'ok' };
      void i.stop(`threshold: ${reason}`);
    }
  }

  /** Checks every instance's log file now, quiet or not, and rotates those over their size limit. */
  checkLogs(): Promise<void> {
    return this.#checkLogs(false);
  }

  /** Whether the periodic tick may skip this file: its writer is running and showed no CPU since the last look. */
  #canSkip(i: Instance, now: number): boolean {
    const watch = this.#logWatch.get(i);
    return i.pid !== undefined && watch?.quiet === true && now - watch.checkedAt < QUIET_RECHECK_MS;
  }

  async #checkLogs(skipQuiet: boolean): Promise<void> {
    let now = this.host.clock.now();
    for (const i of this.host.instances()) {
      const { maxSizeBytes, keep } = i.spec.logs;
      if (maxSizeBytes <= 0 || i.rotating) continue;
      if (skipQuiet && this.#canSkip(i, now)) continue;
      this.#logWatch.set(i, { checkedAt: now, quiet: undefined });
      if (!needsRotation(i.logFile, maxSizeBytes)) continue;
      i.rotating = true;
      try {
        const pid = i.pid;
        const members = pid !== undefined ? snapshotTree({ pid, known: i.knownTree }) : [];
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
        i.rotating = false;
      }
    }
  }
}
