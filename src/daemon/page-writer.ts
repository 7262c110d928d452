/**
 * When the daemon rewrites `.orchestra/status.html`: 3 s after events (state
 * changes, restarts, alerts) stop, at most 10 s after the first one not yet
 * written, and, for the figures that change without an event (CPU, memory,
 * log tails), a look every 30 s that renders only when what the page shows
 * has changed (`pageContentKey`), or when the page is 5 minutes old (its
 * ages and snapshot time). Rendering and an fsync'd write of a 100-agent page
 * was most of an idle daemon's CPU; an idle fleet's page is now rewritten
 * every 5 minutes. The live view is the dashboard.
 */

import { statSync } from 'node:fs';
import type { StatusSnapshot } from '../report/status-snapshot.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Daemon } from './daemon.js';
import { pageExtras } from './page-extras.js';

const TIMING = {
  /** The page is rewritten once events have stopped for this long (a burst, such as an apply, is one write after it)... */
  quietMs: 3000,
  /** ...or this long after the first event not yet on the page, while events keep coming. */
  maxDelayMs: 10_000,
  /** Without events, whether the figures on the page changed is looked at this often... */
  refreshMs: 30_000,
  /** ...and the page is rewritten at least this often anyway, for its ages and snapshot time. */
  maxAgeMs: 300_000,
};

/** What the writer needs of the daemon. */
export type PageSource = Pick<Daemon, 'paths' | 'hasPlan' | 'snapshot' | 'planState' | 'onEvent'>;

/**
 * What the page shows that can change without an event, as text: each
 * agent's state, figures as the page prints them (one decimal), restarts,
 * health and alerts, and the size of its log (the page shows its tail).
 * Times and ages are left out: they change every second and are refreshed
 * by the page's maximum age; so are the sparklines' points, which follow the figures.
 */
export function pageContentKey(snapshot: StatusSnapshot, logSize: (instance: string) => number): string {
  const parts: string[] = [String(snapshot.revision?.number), String(snapshot.events.length), snapshot.events.at(-1)?.time ?? ''];
  for (const a of snapshot.agents) {
    const cpu = a.cpuPercent === undefined ? '' : a.cpuPercent.toFixed(1);
    const rss = a.rssBytes === undefined ? '' : (a.rssBytes / 1024 ** 2).toFixed(1);
    parts.push(`${a.name} ${a.state} ${a.pid} ${cpu} ${rss} ${a.restarts} ${a.health} ${a.alerts.length} ${logSize(a.name)}`);
  }
  return parts.join('\n');
}

/** Keeps `file` current while something is applied (see the module header; `timing` for tests). Returns the function that stops it. */
export function startStatusPageWriter(daemon: PageSource, file: string, timing: Partial<typeof TIMING> = {}): () => void {
  const { quietMs, maxDelayMs, refreshMs, maxAgeMs } = { ...TIMING, ...timing };
  let busy = false;
  let pending: NodeJS.Timeout | undefined;
  let firstUnwritten: number | undefined;
  let written: { key: string; at: number } | undefined;
  const logSize = (instance: string): number => statSync(daemon.paths.logFile(instance), { throwIfNoEntry: false })?.size ?? -1;
  const write = (always: boolean): void => {
    if (always) (pending = undefined), (firstUnwritten = undefined);
    if (busy || !daemon.hasPlan()) return;
    const snapshot = daemon.snapshot();
    const key = pageContentKey(snapshot, logSize);
    const now = Date.now();
    if (!always && written && written.key === key && now - written.at < maxAgeMs) return;
    busy = true;
    // The renderer is loaded on the first write: it was a third of a cold daemon's start.
    void Promise.all([import('../report/status-page.js'), pageExtras(daemon.paths.dir, daemon.planState().applied)])
      .then(([{ renderStatusPage }, extras]) => writeFileAtomic(file, renderStatusPage(snapshot, extras)))
      .then(() => (written = { key, at: now }))
      .catch(() => undefined)
      .finally(() => (busy = false));
  };
  // Not within a fixed time of the first event: that fell in the middle of a long apply (or on the status call
  // right after it) and rendered while agents were still starting.
  const soon = (): void => {
    const now = Date.now();
    firstUnwritten ??= now;
    clearTimeout(pending);
    pending = setTimeout(() => write(true), Math.max(0, Math.min(quietMs, firstUnwritten + maxDelayMs - now))).unref();
  };
  const unsubscribe = daemon.onEvent(soon);
  const timer = setInterval(() => write(false), refreshMs).unref();
  return () => {
    unsubscribe();
    clearInterval(timer);
    clearTimeout(pending);
  };
}
