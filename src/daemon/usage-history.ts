/**
 * The daemon's per-instance CPU and memory samples behind the sparklines of
 * status, the page and the dashboard: a bounded series per instance, one
 * point per usage step (`intervalMs`), that exists only while the engine
 * reports that instance (a removed or scaled-down instance takes its series
 * with it, so a long-lived daemon holds no history for names it no longer
 * runs). Points are recorded by the monitor's full rounds; a round after a
 * longer gap (nobody was watching, so rounds came less often) fills the gap
 * with one point per step it spans, each carrying the round's figures: CPU
 * averaged since the round before (the counters are cumulative), memory as
 * it is now.
 */

import type { Usage } from '../supervise/sampler.js';

/** Per-instance resource samples kept by the daemon for sparklines. */
export interface UsageHistory {
  intervalMs: number;
  /** Clock ms of the round the newest points came from; undefined before the first. */
  lastAt?: number;
  byInstance: Map<string, { cpu: number[]; rss: number[] }>;
}

/**
 * How many points a round at `at` adds: one per step since the last
 * recorded round, rounded (timers run late; a round a look asked for less
 * than three quarters of a step after the last adds none), and one for the first.
 */
export function pointsDue(history: UsageHistory, at: number | undefined): number {
  if (at === undefined || history.lastAt === undefined) return 1;
  return Math.floor((at - history.lastAt) / history.intervalMs + 0.25);
}

/**
 * Appends one round of samples (0 for an instance not measured yet), as many
 * points as `pointsDue` says for a round at `at` (one without `at`; a new
 * series starts with one), keeps the newest `limit`, drops instances absent from `usages`.
 */
export function recordUsages(history: UsageHistory, usages: readonly { name: string; usage: Usage | undefined }[], limit: number, at?: number): void {
  const points = Math.min(limit, pointsDue(history, at));
  if (points <= 0) return;
  if (at !== undefined) history.lastAt = at;
  const present = new Set<string>();
  for (const { name, usage } of usages) {
    present.add(name);
    let h = history.byInstance.get(name);
    const n = h ? points : 1;
    if (!h) history.byInstance.set(name, (h = { cpu: [], rss: [] }));
    for (let k = 0; k < n; k++) h.cpu.push(usage?.cpu ?? 0), h.rss.push(usage?.rss ?? 0);
    if (h.cpu.length > limit) (h.cpu.splice(0, h.cpu.length - limit), h.rss.splice(0, h.rss.length - limit));
  }
  for (const name of history.byInstance.keys()) if (!present.has(name)) history.byInstance.delete(name);
}
