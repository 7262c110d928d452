/**
 * The template fast path. Most manifest templates are `{{vars.port}}` or
 * `{{add 8080 replica.index}}`, and each distinct string would otherwise cost
 * a Handlebars compile (about a millisecond on a slow box, 1,000 of them in a
 * big manifest). Strings made only of plain paths and helper calls with path,
 * number or string arguments are evaluated here with Handlebars' semantics
 * (strict lookup for a bare path, lenient for helper arguments, `null` →
 * empty). Anything else, or any doubt, falls back to Handlebars
 * (src/manifest/template.ts), which owns every message. Pure.
 */

type Arg = { path: string[] } | { literal: unknown };
export type SimplePart = string | { expr: string; helper?: string; args: Arg[] };

const MUSTACHE = /\{\{([^{}]*)\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
const TOKEN = /\s*("[^"]*"|'[^']*'|[^\s"']+)/y;
const HELPERS = new Set(['add', 'default', 'json']);

/** A template helper: its arguments, then Handlebars' options object. */
export type Helper = (...args: unknown[]) => unknown;

/** The string as literal text and simple expressions, or null when it needs Handlebars. */
export function parseSimple(source: string): SimplePart[] | null {
  if (/\\\{\{|\{\{\{/.test(source)) return null;
  const parts: SimplePart[] = [];
  let last = 0;
  for (const m of source.matchAll(MUSTACHE)) {
    const inner = m[1]!.trim();
    if (inner === '' || /^[#/^!>&~=]|~$/.test(inner)) return null;
    const tokens: string[] = [];
    TOKEN.lastIndex = 0;
    let end = 0;
    let t: RegExpExecArray | null;
    while ((t = TOKEN.exec(inner)) !== null) {
      tokens.push(t[1]!);
      end = TOKEN.lastIndex;
    }
    if (inner.slice(end).trim() !== '' || tokens.length === 0) return null;
    const args: Arg[] = [];
    for (const tok of tokens.slice(1)) {
      const arg = parseArg(tok);
      if (arg === null) return null;
      args.push(arg);
    }
    const head = tokens[0]!;
    if (!PATH.test(head)) return null;
    if (tokens.length > 1 && !HELPERS.has(head)) return null;
    if (tokens.length === 1 && (HELPERS.has(head) || head === 'else' || head === 'this')) return null;
    parts.push(source.slice(last, m.index));
    parts.push(tokens.length > 1 ? { expr: inner, helper: head, args } : { expr: inner, args: [{ path: head.split('.') }] });
    last = m.index + m[0].length;
  }
  if (source.slice(last).includes('{{')) return null;
  parts.push(source.slice(last));
  return parts;
}

function parseArg(tok: string): Arg | null {
  if (/^"[^"]*"$|^'[^']*'$/.test(tok)) return { literal: tok.slice(1, -1) };
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(tok)) return { literal: Number(tok) };
  if (tok === 'true' || tok === 'false') return { literal: tok === 'true' };
  if (tok === 'null' || tok === 'undefined') return { literal: tok === 'null' ? null : undefined };
  if (PATH.test(tok) && tok !== 'this' && tok !== 'else') return { path: tok.split('.') };
  return null;
}

const MISSING = Symbol('missing');

/** Looks a path up; MISSING when a segment is absent, undefined result when a non-object is in the way (let Handlebars decide). */
function lookup(context: unknown, path: string[]): unknown {
  let scope = context;
  for (const part of path) {
    if (scope === null || typeof scope !== 'object') return scope === undefined || scope === null ? MISSING : NOT_SIMPLE;
    if (!Object.prototype.hasOwnProperty.call(scope, part)) return MISSING;
    scope = (scope as Record<string, unknown>)[part];
  }
  return scope;
}
const NOT_SIMPLE = Symbol('not-simple');

/** What the fast path made of a string: its value, a missing path, a helper's failure, or undefined for "ask Handlebars". */
export type SimpleOutcome = { ok: true; value: string } | { ok: false; missing: string } | { ok: false; thrown: unknown };

/** Renders a parsed string; undefined when a value is beyond the subset (an object, a lookup through a non-object). */
export function renderSimple(parts: SimplePart[], context: Record<string, unknown>, helpers: Readonly<Record<string, Helper>>): SimpleOutcome | undefined {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    let value: unknown;
    if (part.helper === undefined) {
      const arg = part.args[0] as { path: string[] };
      value = lookup(context, arg.path);
      if (value === NOT_SIMPLE) return undefined;
      if (value === MISSING) return { ok: false, missing: arg.path.join('.') };
    } else {
      const args: unknown[] = [];
      for (const a of part.args) {
        const v = 'literal' in a ? a.literal : lookup(context, a.path);
        if (v === NOT_SIMPLE) return undefined;
        args.push(v === MISSING ? undefined : v);
      }
      try {
        value = helpers[part.helper]!(...args, {});
      } catch (e) {
        return { ok: false, thrown: e };
      }
    }
    if (value !== null && value !== undefined) {
      if (typeof value === 'object' && !Array.isArray(value)) return undefined;
      out += String(value);
    }
  }
  return { ok: true, value: out };
}
