/**
 * What the monitor has observed of each instance: usage of the current run,
 * threshold trackers, the tree members last seen, the pids already niced, the
 * log file's last look and the boundary's CPU counter. Kept by the monitor,
 * keyed by the instance object (a WeakMap), so a record goes with its
 * instance; Instance and status read it only through the accessors here.
 */

import type { Instance } from './instance.js';
import type { ProcInfo } from './procfs.js';
import type { Usage } from './sampler.js';
import { initialTracker, type Metric, type ThresholdLevel, type ThresholdTracker } from './thresholds.js';

export interface LogWatch {
  /** When the file was last looked at (clock ms). */
  checkedAt: number;
  /** The last round before the look and every round since saw the instance at 0 % CPU; undefined until a round says so. */
  quiet: boolean | undefined;
  /** The file's size at the look (the log tick's looks only: it backs off while the size stays put). */
  size?: number;
  /** How long after this look the log tick looks again while the writer shows CPU (see log-check.ts). */
  stepMs?: number | undefined;
  /** The cgroup's CPU counter (µs) read just before the look, where the run's CPU comes from its cgroup: while it stays put, nothing ran since. */
  usec?: number | undefined;
  /** When a look last found the file grown (or first saw it): the file has stayed this size since. */
  grewAt?: number;
  /** Left to the rounds: the tick no longer looks, a round that sees the writer run does (log-check.ts). */
  byRounds?: boolean;
}

/** What the monitor saw of one run (one main pid) of an instance. */
export interface RunSeen {
  pid: number;
  usage: Usage | undefined;
  /** Tree members last seen (tree boundary), so a stop can find descendants whose parent already died. */
  tree: readonly ProcInfo[];
  /** Members already given the spec's niceness. */
  niced: Set<number>;
  /** The last round read the members from the cgroup and CPU from its counter (so an unmoved counter means nothing changed). */
  inCgroup: boolean;
}

/** The monitor's own record of one instance. */
export interface Watch {
  /** Kept across runs: a level that fired stays until it clears (or its action restarts the agent). */
  trackers: Record<Metric, ThresholdTracker>;
  run: RunSeen | undefined;
  log: LogWatch | undefined;
  rotating: boolean;
  /** The boundary's CPU counter at the last reading (µs, and performance.now() ms), and the figure it gave. */
  counter: { usec: number; at: number; cpu: number | undefined } | undefined;
}

/** What the monitor last saw of one instance, as status shows it. */
export interface Observed {
  /** Undefined before the run's first round, or without a process. */
  usage: Usage | undefined;
  levels: Readonly<Record<Metric, ThresholdLevel>>;
}

const CALM: Observed = { usage: undefined, levels: { cpu: 'ok', memory: 'ok' } };

/** Two counter readings closer than this repeat the last figure: a refresh right after a round would divide a few µs by a millisecond. */
const MIN_WINDOW_MS = 100;

export class Observations {
  readonly #watches = new WeakMap<Instance, Watch>();

  /** The record of an instance, created on first use. */
  watch(i: Instance): Watch {
    let w = this.#watches.get(i);
    if (!w) this.#watches.set(i, (w = { trackers: { cpu: initialTracker(), memory: initialTracker() }, run: undefined, log: undefined, rotating: false, counter: undefined }));
    return w;
  }

  /** The record of the instance's current run, started afresh when its main pid changed. */
  run(w: Watch, pid: number): RunSeen {
    if (w.run?.pid !== pid) w.run = { pid, usage: undefined, tree: [], niced: new Set(), inCgroup: false };
    return w.run;
  }

  /** The current run's record, if the monitor has seen this run. */
  current(i: Instance): RunSeen | undefined {
    const run = this.#watches.get(i)?.run;
    return run !== undefined && run.pid === i.pid ? run : undefined;
  }

  /** The log file's last look, if any. */
  log(i: Instance): LogWatch | undefined {
    return this.#watches.get(i)?.log;
  }

  /** Usage and threshold levels last seen, for status. */
  observed(i: Instance): Observed {
    const w = this.#watches.get(i);
    if (!w) return CALM;
    return { usage: this.current(i)?.usage, levels: { cpu: w.trackers.cpu.active, memory: w.trackers.memory.active } };
  }
}

/**
 * CPU (% of one core) of a whole boundary from its cumulative counter: the
 * difference since the previous reading over the real time between them.
 * Undefined at the first reading, or after the counter went back (its cgroup
 * was made anew): the caller falls back to per-process figures.
 */
export function cpuFromCounter(w: Watch, usec: number, at: number): number | undefined {
  const prev = w.counter;
  if (prev && usec >= prev.usec && at - prev.at < MIN_WINDOW_MS) return prev.cpu;
  const cpu = prev && usec >= prev.usec ? ((usec - prev.usec) / (at - prev.at)) * 0.1 : undefined;
  w.counter = { usec, at, cpu };
  return cpu;
}
