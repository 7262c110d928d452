/**
 * The daemon's per-instance CPU and memory samples behind the sparklines of
 * status, the page and the dashboard: a bounded series per instance that
 * exists only while the engine reports that instance (a removed or scaled-down
 * instance takes its series with it, so a long-lived daemon holds no history
 * for names it no longer runs).
 */

import type { Usage } from '../supervise/sampler.js';

/** Per-instance resource samples kept by the daemon for sparklines. */
export interface UsageHistory {
  intervalMs: number;
  byInstance: Map<string, { cpu: number[]; rss: number[] }>;
}

/** Appends one round of samples (0 for an instance not measured yet), keeps the newest `limit`, drops instances absent from `usages`. */
export function recordUsages(history: UsageHistory, usages: readonly { name: string; usage: Usage | undefined }[], limit: number): void {
  const present = new Set<string>();
  for (const { name, usage } of usages) {
    present.add(name);
    let h = history.byInstance.get(name);
    if (!h) history.byInstance.set(name, (h = { cpu: [], rss: [] }));
    h.cpu.push(usage?.cpu ?? 0);
    h.rss.push(usage?.rss ?? 0);
    if (h.cpu.length > limit) (h.cpu.splice(0, h.cpu.length - limit), h.rss.splice(0, h.rss.length - limit));
  }
  for (const name of history.byInstance.keys()) if (!present.has(name)) history.byInstance.delete(name);
}
