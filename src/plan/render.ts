/**
 * Plan rendering: a ChangeSet as terraform-like text for people and as a
 * stable JSON shape for scripts. Pure: returns strings and objects, never
 * prints, never colours unless asked. Secret values arrive already masked
 * (fingerprint.ts masks them when it compares), so nothing here can leak one.
 *
 *   + api-1 (new instance)                       start
 *   - worker-3 (instance removed: ...)           stop
 *   ~ store (update in place)                    supervision change
 *   ~ nginx (reload)                             a `reload.on_change` file changed: reload, pid kept
 *   -/+ api (forces restart)                     identity change, or a restart: true dependency
 *   ^ worker-0 (recover: observed failed)        start again what should be running
 */

import { relative } from 'node:path';
import pc from 'picocolors';
import type { Location } from '../util/diagnostic.js';
import { SECRET_MASK } from './secrets.js';
import type { Action, ActionKind, ChangeSet, FieldChange } from './change-set.js';

export interface RenderOptions {
  color: boolean;
  /** File paths in origins are shown relative to this directory. */
  cwd?: string;
  /**
   * The revision the desired plan was read from (rollback, diff of two
   * revisions): its origins are lines of the manifest as it was then, not of
   * the file on disk now, and are shown as `revision N: file:line:col`.
   */
  originsOfRevision?: number;
}

type Colors = ReturnType<typeof pc.createColors>;

const SYMBOL: Record<Exclude<ActionKind, 'unchanged'>, string> = {
  start: '+',
  stop: '-',
  update: '~',
  restart: '-/+',
  recover: '^',
  reload: '~',
};

const NO_CHANGES = 'No changes. Running agents match the manifest.';

/** The whole plan as text: one block per change, then the summary line. */
export function renderPlan(changes: ChangeSet, options: RenderOptions): string {
  if (!changes.changes) return `${NO_CHANGES}\n`;
  const c = pc.createColors(options.color);
  const lines = ['Orchestra will perform the following actions:', ''];
  if (changes.project.length > 0) {
    lines.push(`  ${c.yellow('~')} ${c.bold('project')} (update in place)`);
    for (const f of changes.project) lines.push(fieldLine(f, options, c));
  }
  for (const a of changes.actions) {
    if (a.kind === 'unchanged') continue;
    lines.push(`  ${symbol(a.kind, c)} ${c.bold(a.instance)} (${label(a)})`);
    for (const f of a.fields ?? []) lines.push(fieldLine(f, options, c));
  }
  lines.push('', c.bold(summaryLine(changes)));
  return `${lines.join('\n')}\n`;
}

/** `Plan: 2 to start, 1 to restart, 1 to update in place, 1 to stop.`, listing only non-zero kinds. */
export function summaryLine(changes: ChangeSet): string {
  if (!changes.changes) return NO_CHANGES;
  const n = changes.counts;
  const parts = [
    [n.start, 'to start'],
    [n.recover, 'to recover'],
    [n.restart, 'to restart'],
    [n.reload, 'to reload'],
    [n.update, 'to update in place'],
    [n.stop, 'to stop'],
  ]
    .filter(([count]) => (count as number) > 0)
    .map(([count, words]) => `${count} ${words}`);
  return `Plan: ${parts.join(', ')}.`;
}

/** The JSON shape of `plan --json` (version 1). Every key is always present. */
export interface PlanJson {
  version: 1;
  changes: boolean;
  summary: string;
  counts: Record<ActionKind, number>;
  project: FieldJson[];
  actions: ActionJson[];
}

export interface ActionJson {
  kind: ActionKind;
  instance: string;
  agent: string;
  reason: string;
  triggeredBy: string[];
  fields: FieldJson[];
}

export interface FieldJson {
  path: string;
  /** null when the field was not set; `***` when secret. */
  old: unknown;
  new: unknown;
  secret: boolean;
  origin: { file: string; line: number | null; column: number | null; revision?: number } | null;
}

/** The plan as a stable JSON-ready object, unchanged instances included. */
export function planToJson(changes: ChangeSet, options: Omit<RenderOptions, 'color'> = {}): PlanJson {
  const field = (f: FieldChange): FieldJson => ({
    path: f.path,
    old: f.old ?? null,
    new: f.new ?? null,
    secret: f.secret === true,
    origin: f.origin
      ? {
          file: shownFile(f.origin.file, options.cwd),
          line: f.origin.range?.start.line ?? null,
          column: f.origin.range?.start.column ?? null,
          ...(options.originsOfRevision !== undefined ? { revision: options.originsOfRevision } : {}),
        }
      : null,
  });
  return {
    version: 1,
    changes: changes.changes,
    summary: summaryLine(changes),
    counts: { ...changes.counts },
    project: changes.project.map(field),
    actions: changes.actions.map((a) => ({
      kind: a.kind,
      instance: a.instance,
      agent: a.agent,
      reason: a.reason,
      triggeredBy: [...(a.triggeredBy ?? [])],
      fields: (a.fields ?? []).map(field),
    })),
  };
}

/** Formats a field value the way the plan shows it: strings quoted, lists and maps inline, `(none)` when unset. */
export function formatValue(value: unknown, secret = false): string {
  if (value === undefined || value === null) return '(none)';
  if (secret && value === SECRET_MASK) return SECRET_MASK;
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(v)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${formatValue(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** `orchestra.yaml:12:5`, relative to `cwd` when the file lies inside it. */
export function formatLocation(location: Location, cwd?: string): string {
  const file = shownFile(location.file, cwd);
  const start = location.range?.start;
  return start ? `${file}:${start.line}:${start.column}` : file;
}

function shownFile(file: string, cwd?: string): string {
  if (cwd === undefined) return file;
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || rel.startsWith('/') ? file : rel;
}

function fieldLine(f: FieldChange, options: RenderOptions, c: Colors): string {
  const secret = f.secret === true;
  const values = `${formatValue(f.old, secret)} -> ${formatValue(f.new, secret)}`;
  const revision = options.originsOfRevision !== undefined ? `revision ${options.originsOfRevision}: ` : '';
  const origin = f.origin ? `  ${c.dim(`(${revision}${formatLocation(f.origin, options.cwd)})`)}` : '';
  return `      ${f.path}: ${values}${origin}`;
}

function symbol(kind: Exclude<ActionKind, 'unchanged'>, c: Colors): string {
  const s = SYMBOL[kind];
  switch (kind) {
    case 'start':
      return c.green(s);
    case 'stop':
      return c.red(s);
    case 'update':
    case 'reload':
      return c.yellow(s);
    case 'restart':
      return `${c.red('-')}${c.dim('/')}${c.green('+')}`;
    case 'recover':
      return c.cyan(s);
  }
}

/** The words after the instance name; field lists are shown below, so `changed: ...` is not repeated. */
function label(a: Action): string {
  const why = a.reason.startsWith('changed: ') ? '' : (a.reason.split('; changed: ')[0] ?? '');
  switch (a.kind) {
    case 'restart':
      return why ? `forces restart: ${why}` : 'forces restart';
    case 'update':
      return 'update in place';
    case 'reload':
      return 'reload';
    case 'recover':
      return `recover: ${why}`;
    case 'start':
    case 'stop':
    case 'unchanged':
      return a.reason;
  }
}
