/**
 * The status page: renders a StatusSnapshot into one self-contained HTML file
 * (inline CSS and SVG, no external assets) from the handlebars templates in
 * templates/status/. With `live` it becomes the dashboard: the same page plus
 * controls, dialogs and a small inline script. The templates are precompiled
 * by `npm run gen` (src/generated/status-templates.ts), so only handlebars'
 * runtime is loaded and nothing is compiled here. Never writes files or
 * touches sockets; user text reaches the page only through `{{ }}`, which
 * escapes it.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as precompiled from '../generated/status-templates.js';
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

type HandlebarsModule = typeof import('handlebars');
type Template = ReturnType<HandlebarsModule['template']>;
type Spec = Parameters<HandlebarsModule['template']>[0];
// The runtime alone: the full module with its compiler is three times the code. Its own typings declare nothing.
const Handlebars = createRequire(import.meta.url)('handlebars/runtime') as HandlebarsModule;

const TEMPLATE_DIR = new URL('../../templates/status/', import.meta.url);
/** Our own static files, inlined verbatim; the only unescaped output of the page. */
const ASSETS = ['style.css', 'dashboard.js', 'log-view.js', 'history.js', 'agent-detail.js'] as const;

interface Compiled {
  page: Template;
  region: Template;
  history: Template;
  detail: Template;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  const hbs = Handlebars.create();
  const assets = new Map<string, string>();
  for (const name of ASSETS) assets.set(name, readFileSync(new URL(`assets/${name}`, TEMPLATE_DIR), 'utf8'));
  hbs.registerHelper('asset', (name: unknown) => {
    const text = typeof name === 'string' ? assets.get(name) : undefined;
    if (text === undefined) throw new Error(`Internal error: unknown status page asset ${String(name)}`);
    return new hbs.SafeString(text);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
  // The last argument of a helper call is handlebars' options object.
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  for (const [name, spec] of Object.entries(precompiled.partials)) hbs.registerPartial(name, hbs.template(spec as Spec));
  return {
    page: hbs.template(precompiled.page as Spec),
    region: hbs.template(precompiled.region as Spec),
    history: hbs.template(precompiled.history as Spec),
    detail: hbs.template(precompiled.detail as Spec),
  };
}

function templates(): Compiled {
  compiled ??= compile();
  return compiled;
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
  return templates().page(context(snapshot, options));
}

/** Renders one instance's detail (the dashboard shows it in a dialog). */
export function renderAgentDetail(detail: AgentDetailView): string {
  return templates().detail({ detail });
}

/** Renders only the History section, for the dashboard to swap in after a rollback or an apply. */
export function renderHistorySection(history: HistoryView, options: Pick<StatusPageOptions, 'live'> = {}): string {
  return templates().history({ history: historyContext(history), live: options.live });
}

/** Renders only the part of the page that changes with the snapshot, for the dashboard to swap in. */
export function renderStatusRegion(snapshot: StatusSnapshot, options: StatusPageOptions = {}): string {
  return templates().region(context(snapshot, options));
}
