/**
 * Diagnostics printer: turns `Diagnostic` data into text for a terminal
 * (`file:line:col severity: message`, the source line, a `^~~~` underline,
 * the hint, every related location) and into a stable JSON shape for
 * `--json`. Pure: returns strings, never prints; colour only when asked.
 */

import { relative } from 'node:path';
import pc from 'picocolors';
import { maskText } from '../plan/secrets.js';
import type { Diagnostic, Location } from '../util/diagnostic.js';

export interface FormatOptions {
  color: boolean;
  /** Show file paths relative to this directory. */
  cwd?: string;
  /** Secret values (src/plan/secrets.ts) to mask in messages and source lines. */
  secrets?: readonly string[];
}

/** One diagnostic: header, snippet with underline, hint, then related locations each with its own snippet. */
export function formatDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string>, options: FormatOptions): string {
  const c = pc.createColors(options.color);
  const paint = d.severity === 'error' ? (s: string) => c.bold(c.red(s)) : (s: string) => c.bold(c.yellow(s));
  const mark = d.severity === 'error' ? c.red : c.yellow;
  const secrets = options.secrets ?? [];
  const mask = (text: string): string => maskText(text, secrets);
  const lines: string[] = [];
  lines.push(`${header(d.location, options, c)}${paint(`${d.severity}:`)} ${c.bold(mask(d.message))}`);
  lines.push(...snippet(d.location, sources, mark, c, '  ', secrets));
  if (d.hint !== undefined) lines.push(`  ${c.cyan('hint:')} ${mask(d.hint)}`);
  for (const r of d.related ?? []) {
    lines.push(`  ${header(r.location, options, c)}${c.bold('note:')} ${mask(r.message)}`);
    lines.push(...snippet(r.location, sources, c.blue, c, '    ', secrets));
  }
  return lines.join('\n');
}

/** All diagnostics, a blank line between them, then a summary line such as `2 errors, 1 warning`. */
export function formatDiagnostics(ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>, options: FormatOptions): string {
  const c = pc.createColors(options.color);
  const parts = ds.map((d) => formatDiagnostic(d, sources, options));
  const { errors, warnings } = count(ds);
  const summary = [
    errors > 0 ? c.red(`${errors} ${errors === 1 ? 'error' : 'errors'}`) : undefined,
    warnings > 0 ? c.yellow(`${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`) : undefined,
  ].filter((s) => s !== undefined);
  parts.push(summary.length > 0 ? summary.join(', ') : 'no problems');
  return parts.join('\n\n');
}

/** The stable `--json` shape: counts, then every diagnostic with 1-based positions (end exclusive). */
export function diagnosticsToJson(ds: readonly Diagnostic[]): unknown {
  const { errors, warnings } = count(ds);
  return {
    errors,
    warnings,
    diagnostics: ds.map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.message,
      ...jsonLocation(d.location),
      ...(d.hint !== undefined ? { hint: d.hint } : {}),
      related: (d.related ?? []).map((r) => ({ message: r.message, ...jsonLocation(r.location) })),
    })),
  };
}

function count(ds: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const d of ds) if (d.severity === 'error') errors++;
  return { errors, warnings: ds.length - errors };
}

function jsonLocation(loc: Location | undefined): Record<string, unknown> {
  if (!loc) return {};
  if (!loc.range) return { file: loc.file };
  const r = loc.range;
  return { file: loc.file, line: r.start.line, column: r.start.column, endLine: r.end.line, endColumn: r.end.column, offset: r.offset, length: r.length };
}

type Colors = ReturnType<typeof pc.createColors>;

function header(loc: Location | undefined, options: FormatOptions, c: Colors): string {
  if (!loc) return '';
  const file = displayPath(loc.file, options.cwd);
  const pos = loc.range ? `:${loc.range.start.line}:${loc.range.start.column}` : '';
  return `${c.bold(`${file}${pos}`)} `;
}

function displayPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined || file.startsWith('<')) return file;
  const rel = relative(cwd, file);
  return rel === '' ? file : rel;
}

/** The source line of the range's start, with an underline to the range's end (or the line's end). */
function snippet(
  loc: Location | undefined,
  sources: ReadonlyMap<string, string>,
  mark: (s: string) => string,
  c: Colors,
  indent: string,
  secrets: readonly string[],
): string[] {
  const text = loc?.range ? sources.get(loc.file) : undefined;
  if (loc?.range === undefined || text === undefined) return [];
  const { start, end } = loc.range;
  const lineText = text.split('\n')[start.line - 1];
  if (lineText === undefined) return [];
  const raw = lineText.replace(/\r$/, '');
  const rawFrom = Math.min(start.column - 1, raw.length);
  const rawTo = end.line === start.line ? Math.min(end.column - 1, raw.length) : raw.length;
  // Mask before, inside and after the range apart, so the underline still fits; then the whole line, for a secret across an edge.
  const [before, inside] = [maskText(raw.slice(0, rawFrom), secrets), maskText(raw.slice(rawFrom, rawTo), secrets)];
  const shown = maskText(before + inside + maskText(raw.slice(rawTo), secrets), secrets);
  const from = Math.min(before.length, shown.length);
  const to = Math.min(before.length + inside.length, shown.length);
  const width = Math.max(1, to - from);
  // Keep tabs in the padding so the caret lines up with what the terminal shows.
  const pad = shown.slice(0, from).replace(/[^\t]/g, ' ');
  const gutter = String(start.line);
  const blank = ' '.repeat(gutter.length);
  return [
    `${indent}${c.dim(`${gutter} |`)} ${shown}`,
    `${indent}${c.dim(`${blank} |`)} ${pad}${mark(`^${'~'.repeat(width - 1)}`)}`,
  ];
}
