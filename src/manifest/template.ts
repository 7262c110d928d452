/**
 * Handlebars for manifest values: one isolated, strict Handlebars instance
 * with the `add`, `default` and `json` helpers, and a cache of compiled
 * templates by source text (a 1,000-agent manifest repeats the same few
 * strings). Rendering failures come back as data, never thrown. Pure apart
 * from the cache.
 *
 * Handlebars itself (about 100 ms of CPU to load on a slow box) is required
 * only when a string is beyond the fast path (fast/template-subset.ts); most
 * manifests never need it, and `orchestra --help` must not pay for it.
 */

import { createRequire } from 'node:module';
import { fastPathsEnabled } from './fast/switch.js';
import { type Helper, parseSimple, renderSimple, type SimplePart } from './fast/template-subset.js';
import { didYouMean } from './suggest.js';

type HandlebarsModule = typeof import('handlebars');

/** The helpers, shared by the fast path and the Handlebars instance. */
const HELPER_FNS: Record<string, Helper> = {
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
  let simple: SimplePart[] | null | undefined = null;
  if (fastPathsEnabled()) {
    simple = simpleCache.get(source);
    if (simple === undefined) {
      simple = parseSimple(source);
      simpleCache.set(source, simple);
    }
  }
  if (simple !== null) {
    const out = renderSimple(simple, context, HELPER_FNS);
    if (out?.ok === true) return out;
    if (out !== undefined && 'missing' in out) {
      const hint = hintFor(out.missing, context);
      return { ok: false, code: 'unknown-template-variable', message: `unknown template variable "${out.missing}" in ${JSON.stringify(source)}`, ...(hint !== undefined ? { hint } : {}) };
    }
    if (out !== undefined) return explain(source, out.thrown, context);
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
