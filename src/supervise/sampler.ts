/**
 * Resource sampling: one sampler call per interval for every pid of every
 * agent tree (the monitor sums them per tree). The default reads /proc/<pid>/stat
 * directly (CPU as a tick delta between calls, RSS from resident pages); the
 * pidusage sampler it replaced lives in bench/supervise for comparison. The
 * Sampler is an interface so tests (and the daemon's own tests) can feed
 * values. Measures only; thresholds.ts judges.
 */

import { clockTicks, pageSize } from './kernel-constants.js';
import { uptimeSeconds } from './procfs.js';
import { StatFiles } from './stat-files.js';

export interface Usage {
  /** Percent of one core. */
  cpu: number;
  /** Resident set size, bytes. */
  rss: number;
}

export interface Sampler {
  /** Usage of each pid that could be measured; missing pids simply vanished. */
  sample(pids: readonly number[]): Promise<Map<number, Usage>>;
  /** Releases any cached state (the previous reading of each pid, kept for cpu deltas). */
  close?(): void;
}

interface Reading {
  startTime: number;
  ticks: number;
  /** performance.now() when read. */
  at: number;
  cpu: number;
}

/**
 * The default sampler: reads each pid's /proc/<pid>/stat synchronously (no
 * promise per pid) through files kept open between calls (one pread per pid
 * per round; StatFiles) and keeps only the previous call's readings. CPU is (Δ utime+stime ticks / CLK_TCK) / Δ seconds × 100;
 * a pid seen for the first time (or reused: another start time) gets its
 * lifetime average instead, as pidusage did. Calls closer together than
 * `minWindowMs` repeat the last figure and keep the older baseline, so a
 * refresh right after a round does not divide one tick by a millisecond.
 */
export function procSampler(minWindowMs = 100): Sampler {
  let last = new Map<number, Reading>();
  const files = new StatFiles();
  let hz = 0;
  let page = 0;
  return {
    async sample(pids) {
      const out = new Map<number, Usage>();
      const next = new Map<number, Reading>();
      if (pids.length === 0) {
        last = next;
        files.close();
        return out;
      }
      if (hz === 0) [hz, page] = await Promise.all([clockTicks(), pageSize()]);
      let uptime: number | undefined;
      for (const pid of pids) {
        const u = files.usage(pid);
        if (!u) continue;
        const at = performance.now();
        const prev = last.get(pid);
        let reading: Reading;
        if (prev && prev.startTime === u.startTime && at - prev.at < minWindowMs) reading = prev;
        else if (prev && prev.startTime === u.startTime) {
          const cpu = ((u.ticks - prev.ticks) / hz / ((at - prev.at) / 1000)) * 100;
          reading = { startTime: u.startTime, ticks: u.ticks, at, cpu: Math.max(0, cpu) };
        } else {
          uptime ??= uptimeSeconds();
          const lifetime = uptime === undefined ? 0 : uptime - u.startTime / hz;
          const cpu = lifetime > 0 ? (u.ticks / hz / lifetime) * 100 : 0;
          reading = { startTime: u.startTime, ticks: u.ticks, at, cpu: Math.max(0, cpu) };
        }
        next.set(pid, reading);
        out.set(pid, { cpu: reading.cpu, rss: u.rssPages * page });
      }
      // Only pids of this call are kept: history and open files are bounded by the live trees.
      last = next;
      files.keepOnly(new Set(pids));
      return out;
    },
    close() {
      last = new Map();
      files.close();
    },
  };
}
