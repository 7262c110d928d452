/**
 * Handlebars for manifest values: one isolated, strict Handlebars instance
 * with the `add`, `default` and `json` helpers, and a cache of compiled
 * templates by source text (a 1,000-agent manifest repeats the same few
 * strings). Rendering failures come back as data, never thrown. Pure apart
 * from the cache.
 *
 * Handlebars itself (about 100 ms of CPU to load on a slow box) is required
 * only when a string is beyond the fast path below; most manifests never
 * need it, and `orchestra --help` must not pay for it.
 */

import { createRequire } from 'node:module';
import { didYouMean } from './suggest.js';

type HandlebarsModule = typeof import('handlebars');

/** The helpers, shared by the fast path and the Handlebars instance. */
const HELPER_FNS: Record<string, (...args: unknown[]) => unknown> = {
  add: (...args: unknown[]) => {
    const operands = args.slice(0, -1);
    let sum = 0;
    for (const a of operands) {
      const n = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
      if (!Number.isFinite(n)) throw new HelperError(`add expects numbers, got ${JSON.stringify(a)}`);
      sum += n;
    }
    return sum;
  },
  default: (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value),
  json: (value: unknown) => JSON.stringify(value ?? null),
};

let instance: ReturnType<HandlebarsModule['create']> | undefined;

/** The isolated Handlebars instance, loaded on first need (synchronously: rendering is synchronous). */
function handlebars(): ReturnType<HandlebarsModule['create']> {
  if (instance === undefined) {
    const hbModule = createRequire(import.meta.url)('handlebars') as HandlebarsModule;
    instance = hbModule.create();
    for (const [name, fn] of Object.entries(HELPER_FNS)) instance.registerHelper(name, fn);
  }
  return instance;
}

class HelperError extends Error {}

export type RenderOutcome =
  | { ok: true; value: string }
  | { ok: false; code: 'unknown-template-variable' | 'template-syntax' | 'template-error'; message: string; hint?: string };

type Compiled = (context: unknown) => string;
const cache = new Map<string, Compiled | { syntaxError: string }>();
const simpleCache = new Map<string, SimplePart[] | null>();

/** True when a string needs rendering at all (most do not). */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** Renders one string against a context. */
export function renderTemplate(source: string, context: Record<string, unknown>): RenderOutcome {
  let simple = simpleCache.get(source);
  if (simple === undefined) {
    simple = parseSimple(source);
    simpleCache.set(source, simple);
  }
  if (simple !== null) {
    const out = renderSimple(simple, source, context);
    if (out !== undefined) return out;
  }
  let compiled = cache.get(source);
  if (compiled === undefined) {
    try {
      // Compilation is lazy in Handlebars; parse first so a syntax error is told apart from a render error.
      const hb = handlebars();
      hb.parse(source);
      compiled = hb.compile(source, { strict: true, noEscape: true });
    } catch (e) {
      compiled = { syntaxError: firstLine((e as Error).message) };
    }
    cache.set(source, compiled);
  }
  if (typeof compiled !== 'function') {
    return { ok: false, code: 'template-syntax', message: `template syntax error in ${JSON.stringify(source)}: ${compiled.syntaxError}` };
  }
  try {
    return { ok: true, value: compiled(context) };
  } catch (e) {
    return explain(source, e, context);
  }
}

function explain(source: string, e: unknown, context: Record<string, unknown>): RenderOutcome {
  const message = e instanceof Error ? e.message : String(e);
  const missing = /^"([^"]+)" not defined in .* - (\d+):(\d+)$/.exec(message);
  if (missing) {
    const [, , line, column] = missing;
    const lineText = source.split('\n')[Number(line) - 1] ?? '';
    const path = /^[^\s}()]+/.exec(lineText.slice(Number(column)))?.[0] ?? missing[1]!;
    const hint = hintFor(path, context);
    return {
      ok: false,
      code: 'unknown-template-variable',
      message: `unknown template variable "${path}" in ${JSON.stringify(source)}`,
      ...(hint !== undefined ? { hint } : {}),
    };
  }
  if (e instanceof HelperError) return { ok: false, code: 'template-error', message: `${message} in ${JSON.stringify(source)}` };
  return { ok: false, code: 'template-error', message: `cannot render ${JSON.stringify(source)}: ${firstLine(message)}` };
}

/*
 * The fast path. Most manifest templates are `{{vars.port}}` or
 * `{{add 8080 replica.index}}`, and each distinct string would otherwise cost
 * a Handlebars compile (about a millisecond on a slow box, 1,000 of them in a
 * big manifest). Strings made only of plain paths and helper calls with path,
 * number or string arguments are evaluated here with Handlebars' semantics
 * (strict lookup for a bare path, lenient for helper arguments, `null` →
 * empty). Anything else, or any doubt, falls back to Handlebars.
 */
type Arg = { path: string[] } | { literal: unknown };
type SimplePart = string | { expr: string; helper?: string; args: Arg[] };

const MUSTACHE = /\{\{([^{}]*)\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
const TOKEN = /\s*("[^"]*"|'[^']*'|[^\s"']+)/y;
const HELPERS = new Set(['add', 'default', 'json']);

function parseSimple(source: string): SimplePart[] | null {
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

function renderSimple(parts: SimplePart[], source: string, context: Record<string, unknown>): RenderOutcome | undefined {
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
      if (value === MISSING) {
        const path = arg.path.join('.');
        const hint = hintFor(path, context);
        return { ok: false, code: 'unknown-template-variable', message: `unknown template variable "${path}" in ${JSON.stringify(source)}`, ...(hint !== undefined ? { hint } : {}) };
      }
    } else {
      const args: unknown[] = [];
      for (const a of part.args) {
        const v = 'literal' in a ? a.literal : lookup(context, a.path);
        if (v === NOT_SIMPLE) return undefined;
        args.push(v === MISSING ? undefined : v);
      }
      try {
        value = HELPER_FNS[part.helper]!(...args, {});
      } catch (e) {
        return explain(source, e, context);
      }
    }
    if (value !== null && value !== undefined) {
      if (typeof value === 'object' && !Array.isArray(value)) return undefined;
      out += String(value);
    }
  }
  return { ok: true, value: out };
}

function hintFor(path: string, context: Record<string, unknown>): string | undefined {
  const parts = path.split('.');
  let scope: unknown = context;
  const known: string[] = [];
  for (const part of parts) {
    if (scope === null || typeof scope !== 'object') break;
    const keys = Object.keys(scope);
    if (!(part in scope)) {
      const near = nearest(part, keys);
      const prefix = known.length > 0 ? `${known.join('.')}.` : '';
      if (near !== undefined) return `did you mean "${prefix}${near}"?`;
      if (known[0] === 'env') return `set ${part} in the environment or .env, or use {{default env.${part} "value"}}`;
      if (keys.length > 0 && keys.length <= 12) return `available: ${keys.map((k) => prefix + k).join(', ')}`;
      return undefined;
    }
    known.push(part);
    scope = (scope as Record<string, unknown>)[part];
  }
  return undefined;
}

function nearest(word: string, candidates: string[]): string | undefined {
  return didYouMean(word, candidates);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).trim();
}
