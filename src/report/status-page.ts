/**
 * The status page: renders a StatusSnapshot into one self-contained HTML file
 * (inline CSS and SVG, no external assets) from the handlebars templates in
 * templates/status/. With `live` it becomes the dashboard: the same page plus
 * controls, dialogs and a small inline script. `npm run gen` compiles the
 * templates to plain functions (src/generated/status-templates.ts), so
 * nothing of handlebars is loaded or compiled here. Never writes files or
 * touches sockets; user text reaches the page only through `{{ }}`, which
 * escapes it.
 */

import { readFileSync } from 'node:fs';
import * as compiled from '../generated/status-templates.js';
import type { AgentDetailView } from './agent-detail-view.js';
import type { HistoryView } from './history-view.js';
import type { StatusSnapshot } from './status-snapshot.js';
import { statusView } from './status-view.js';

export interface StatusPageOptions {
  /** Renders the live dashboard: controls and a script that talks to the dashboard server with this token. */
  live?: {
    token: string;
    /** CSP nonce put on the inline `<style>` and `<script>`; the server makes one per response. */
    nonce?: string;
  };
  /** The History section: shown when given (the daemon's page and the dashboard give it). */
  history?: HistoryView;
  /** The last lines of each instance's log, secrets already masked: the static page's snapshot of the output. */
  logTails?: { instance: string; lines: string[]; missing?: true }[];
}

const TEMPLATE_DIR = new URL('../../templates/status/', import.meta.url);
/** Our own static files, inlined verbatim; the only unescaped output of the page. */
const ASSETS = ['style.css', 'dashboard.js', 'log-view.js', 'history.js', 'agent-detail.js'] as const;

/** HTML that the templates print as it is (handlebars' SafeString). */
interface Trusted {
  toHTML(): string;
}

let helpers: Record<string, (...args: never[]) => unknown> | undefined;

/** What the templates call (scripts/gen-templates.mjs names them); the assets are read on the first render. */
function templateHelpers(): NonNullable<typeof helpers> {
  if (helpers) return helpers;
  const assets = new Map<string, Trusted>();
  for (const name of ASSETS) {
    const text = readFileSync(new URL(`assets/${name}`, TEMPLATE_DIR), 'utf8');
    assets.set(name, { toHTML: () => text });
  }
  helpers = {
    asset: (name: unknown): Trusted => {
      const text = typeof name === 'string' ? assets.get(name) : undefined;
      if (text === undefined) throw new Error(`Internal error: unknown status page asset ${String(name)}`);
      return text;
    },
    eq: (a: unknown, b: unknown) => a === b,
    add: (a: unknown, b: unknown) => Number(a) + Number(b),
    concat: (...args: unknown[]) => args.map(String).join(''),
  };
  return helpers;
}

function historyContext(history: HistoryView): object {
  return { ...history, rows: history.rows.map((r) => ({ ...r, gitShort: r.gitCommit?.slice(0, 8) })) };
}

function context(snapshot: StatusSnapshot, options: StatusPageOptions): object {
  return {
    view: statusView(snapshot),
    live: options.live,
    history: options.history && historyContext(options.history),
    logTails: options.logTails,
  };
}

/** Renders the whole self-contained page; with `options.live`, the dashboard. */
export function renderStatusPage(snapshot: StatusSnapshot, options: StatusPageOptions = {}): string {
  return compiled.page(context(snapshot, options), templateHelpers());
}

/** Renders one instance's detail (the dashboard shows it in a dialog). */
export function renderAgentDetail(detail: AgentDetailView): string {
  return compiled.detail({ detail }, templateHelpers());
}

/** Renders only the History section, for the dashboard to swap in after a rollback or an apply. */
export function renderHistorySection(history: HistoryView, options: Pick<StatusPageOptions, 'live'> = {}): string {
  return compiled.history({ history: historyContext(history), live: options.live }, templateHelpers());
}

/** Renders only the part of the page that changes with the snapshot, for the dashboard to swap in. */
export function renderStatusRegion(snapshot: StatusSnapshot, options: StatusPageOptions = {}): string {
  return compiled.region(context(snapshot, options), templateHelpers());
}
