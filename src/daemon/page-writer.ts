/**
 * When the daemon rewrites `.orchestra/status.html`: when an operation (apply,
 * start, stop, restart, reload, kill) ends, before its caller hears the
 * outcome, so a command's page is current when the command returns; for
 * other events (an agent exits, restarts, raises an alert) 3 s after they
 * stop, at most 10 s after the first one not yet written; and, for the
 * figures that change without an event (CPU, memory, log tails), a look
 * right after a full monitor round: once 30 s have passed since the last
 * while someone watches the fleet's usage, once the page is nearly 5 minutes
 * old while nobody does (the look has no timer of its own and never wakes
 * the daemon; unwatched, it was most of an idle minute's CPU). A look
 * renders only when what the page shows has changed (`pageChanged`: figures
 * by more than 10 %, or half a point of CPU), or when the page is 5 minutes
 * old (its ages and snapshot time). Rendering and an fsync'd write of a
 * 100-agent page was most of an idle daemon's CPU; an idle fleet's page is
 * now rewritten every 5 minutes. The live view is the dashboard.
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
  /** Without events, whether the figures on the page changed is looked at after the first full round this long after the last look (while someone watches; else after maxAgeMs)... */
  refreshMs: 30_000,
  /** ...and the page is rewritten at least this often anyway, for its ages and snapshot time. */
  maxAgeMs: 300_000,
};

/** Rounds come every 10 s or more (a minute unwatched), a little late: a period this much of the way through is due. */
const DUE = 0.9;

/** What the writer needs of the daemon. */
export type PageSource = Pick<Daemon, 'paths' | 'hasPlan' | 'snapshot' | 'planState' | 'onEvent' | 'onUsageRound' | 'onOperationEnd'>;

/** What the page shows that can change without an event: figures apart, as they wobble. */
export interface PageContent {
  /** Each agent's state, pid, restarts, health, alert count and log size (the page shows its tail); the revision and the newest event. */
  text: string;
  /** Per agent, in order: % of a core and bytes; -1 when not measured. */
  cpu: number[];
  rss: number[];
}

/** A CPU figure counts as changed past this many points of a core, or this fraction of itself if more... */
const CPU_POINTS = 0.5;
/** ...and a figure (CPU or memory) past this fraction of itself: a shell's children coming and going move an agent's memory by 1-2 %. */
const RELATIVE = 0.1;

/**
 * What the page prints that can change without an event. Times and ages are
 * left out: they change every second and are refreshed by the page's
 * maximum age; so are the sparklines' points, which follow the figures.
 */
export function pageContent(snapshot: StatusSnapshot, logSize: (instance: string) => number): PageContent {
  const parts: string[] = [String(snapshot.revision?.number), String(snapshot.events.length), snapshot.events.at(-1)?.time ?? ''];
  const cpu: number[] = [];
  const rss: number[] = [];
  for (const a of snapshot.agents) {
    parts.push(`${a.name} ${a.state} ${a.pid} ${a.restarts} ${a.health} ${a.alerts.length} ${logSize(a.name)}`);
    cpu.push(a.cpuPercent ?? -1);
    rss.push(a.rssBytes ?? -1);
  }
  return { text: parts.join('\n'), cpu, rss };
}

/** Whether the page written with `before` should be rendered again for `now`. */
export function pageChanged(before: PageContent, now: PageContent): boolean {
  if (before.text !== now.text) return true;
  const moved = (a: number, b: number, floor: number): boolean => (a < 0) !== (b < 0) || Math.abs(a - b) > Math.max(floor, RELATIVE * Math.max(a, b));
  for (let i = 0; i < now.cpu.length; i++) if (moved(before.cpu[i]!, now.cpu[i]!, CPU_POINTS) || moved(before.rss[i]!, now.rss[i]!, 0)) return true;
  return false;
}

/** Keeps `file` current while something is applied (see the module header; `timing` for tests). Returns the function that stops it. */
export function startStatusPageWriter(daemon: PageSource, file: string, timing: Partial<typeof TIMING> = {}): () => void {
  const { quietMs, maxDelayMs, refreshMs, maxAgeMs } = { ...TIMING, ...timing };
  /** The write running now, and the one waiting for it with events it did not see. */
  let current: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let pending: NodeJS.Timeout | undefined;
  let firstUnwritten: number | undefined;
  let written: { content: PageContent; at: number } | undefined;
  let lookedAt = -Infinity;
  const logSize = (instance: string): number => statSync(daemon.paths.logFile(instance), { throwIfNoEntry: false })?.size ?? -1;
  /** Writes the page for events (`always`) or, for a look, if it changed; resolves when it is written (never rejects). */
  const write = (always: boolean): Promise<void> => {
    if (always) clearTimeout(pending), (pending = undefined), (firstUnwritten = undefined);
    // Events while a write runs get a write of their own after it (one, however many ask); a look needs none.
    if (current) return always ? (next ??= current.then(() => ((next = undefined), write(true)))) : current;
    // A write for events is due shortly: a look now would render the same page twice.
    if (!daemon.hasPlan() || (!always && pending !== undefined)) return Promise.resolve();
    const now = Date.now();
    lookedAt = now;
    const snapshot = daemon.snapshot();
    const content = pageContent(snapshot, logSize);
    if (!always && written && !pageChanged(written.content, content) && now - written.at < maxAgeMs * DUE) return Promise.resolve();
    // The renderer is loaded on the first write: it was a third of a cold daemon's start.
    current = Promise.all([import('../report/status-page.js'), pageExtras(daemon.paths.dir, daemon.planState().applied)])
      .then(([{ renderStatusPage }, extras]) => writeFileAtomic(file, renderStatusPage(snapshot, extras), { durable: false }))
      .then(() => void (written = { content, at: now }))
      .catch(() => undefined)
      .finally(() => (current = undefined));
    return current;
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
  // An operation's events are on the page when it returns; with none since the last write, that page stands.
  const stopFlushing = daemon.onOperationEnd(() => (firstUnwritten !== undefined ? write(true) : (next ?? current ?? Promise.resolve())));
  const stopLooking = daemon.onUsageRound((watched) => {
    const now = Date.now();
    if (watched ? now - lookedAt >= refreshMs * DUE : now - (written?.at ?? -Infinity) >= maxAgeMs * DUE) write(false);
  });
  return () => {
    unsubscribe();
    stopFlushing();
    stopLooking();
    clearTimeout(pending);
  };
}
