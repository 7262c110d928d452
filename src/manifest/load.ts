/**
 * The manifest loader: a visible pipeline of named stages, each its own
 * module and type.
 *
 *   read      files, `.env` beside the main manifest        (this module: the only I/O)
 *   parse     YAML → located tree                          parse.ts, fast-yaml.ts
 *   interpolate `${VAR}` on string values                  interpolate.ts
 *   overlays  choose environment, extra files, `--set`     overlay.ts, set-args.ts
 *   inherit   defaults → extends chain → own → overlays    inherit.ts, merge.ts
 *   render    replicas and Handlebars, per instance        render.ts, template.ts
 *   validate  ajv, resolved and as written                 validate.ts, schema-errors.ts
 *   check     semantic rules                               check.ts
 *   plan      defaults, units, env files, origins          to-plan.ts
 *
 * Every stage reports all of its problems; the pipeline stops only where a
 * later stage could not make sense of its input (a file that does not parse).
 * Never throws: an unexpected exception becomes an `internal-error` diagnostic.
 */

import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { Plan } from '../plan/spec.js';
import { checkSemantics } from './check.js';
import { error, hasErrors, type Diagnostic } from '../util/diagnostic.js';
import { inherit } from './inherit.js';
import { interpolateTree } from './interpolate.js';
import type { MapNode } from './node.js';
import { collectLayers } from './overlay.js';
import { parseManifestText } from './parse.js';
import { renderManifest } from './render.js';
import { parseSetArgs, SET_FILE } from './set-args.js';
import { toPlan } from './to-plan.js';
import { validateManifest, type WrittenFile } from './validate.js';

export interface LoadOptions {
  /** Manifest files: the first is the main manifest; later ones are overlay files merged in order. Relative to cwd. */
  files: string[];
  /** Environment overlay name (--env). When undefined, ORCHESTRA_ENV from `env` is used. */
  environment?: string;
  /** `--set` arguments, each `dotted.path=value` (value parsed as a YAML scalar/flow value; `null` removes). */
  set?: string[];
  /** The process environment (default process.env); injected by tests. */
  env?: Record<string, string | undefined>;
  /** Base for relative `files` (default process.cwd()). */
  cwd?: string;
}

export interface LoadResult {
  /** Present iff there is no error diagnostic. */
  plan?: Plan;
  /** Errors and warnings, all of them (never stop at the first). */
  diagnostics: Diagnostic[];
  /** file path -> source text, for the printer's snippets. */
  sources: Map<string, string>;
}

/** Loads, resolves and validates a manifest. Never throws for any input. */
export async function loadManifest(options: LoadOptions): Promise<LoadResult> {
  const sources = new Map<string, string>();
  const cwd = options.cwd ?? process.cwd();
  const files = options.files.map((f) => (isAbsolute(f) ? resolve(f) : resolve(cwd, f)));
  try {
    return await pipeline(options, files, sources);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const d = error('internal-error', `internal error while loading the manifest: ${message}`, { file: files[0] ?? '<manifest>' }, {
      hint: 'this is a bug in orchestra; please report it with the manifest that triggers it',
    });
    return { diagnostics: [d], sources };
  }
}

async function pipeline(options: LoadOptions, files: string[], sources: Map<string, string>): Promise<LoadResult> {
  const diagnostics: Diagnostic[] = [];
  const processEnv = options.env ?? process.env;
  if (files.length === 0) {
    return { diagnostics: [error('no-manifest', 'no manifest file given', { file: '<arguments>' }, { hint: 'pass -f orchestra.yaml' })], sources };
  }
  const mainFile = files[0]!;
  const baseDir = dirname(mainFile);

  // read
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').then((t) => t, (e: NodeJS.ErrnoException) => e)));
  const roots: MapNode[] = [];
  texts.forEach((text, i) => {
    const file = files[i]!;
    if (typeof text !== 'string') {
      const message = text.code === 'ENOENT' ? `manifest file not found: ${file}` : `cannot read ${file}: ${text.message}`;
      diagnostics.push(error('file-not-found', message, { file }, { hint: i === 0 ? 'run `orchestra init` to create one, or pass -f PATH' : 'check the -f path' }));
      return;
    }
    sources.set(file, text);
    // parse
    const parsed = parseManifestText(file, text);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.root) roots.push(parsed.root);
  });
  if (hasErrors(diagnostics) || roots.length !== files.length) return finish(diagnostics, sources);

  // interpolate
  const env = environmentFor(processEnv, baseDir);
  const interpolated = roots.map((root) => {
    const r = interpolateTree(root, env);
    diagnostics.push(...r.diagnostics);
    return r.root;
  });

  // overlays
  const set = options.set && options.set.length > 0 ? parseSetArgs(options.set) : undefined;
  if (set) {
    sources.set(SET_FILE, set.text);
    diagnostics.push(...set.diagnostics);
  }
  const environment = options.environment ?? processEnv['ORCHESTRA_ENV'];
  const layered = collectLayers(interpolated, environment === '' ? undefined : environment, set);
  diagnostics.push(...layered.diagnostics);

  // inherit
  const inherited = inherit(layered.layers);
  diagnostics.push(...inherited.diagnostics);

  // render
  const rendered = renderManifest(inherited.merged, env);
  diagnostics.push(...rendered.diagnostics);

  // validate
  const written: WrittenFile[] = [
    ...interpolated.map((root, i) => ({ root, overlay: i > 0 })),
    ...(set ? [{ root: set.root, overlay: true }] : []),
  ];
  diagnostics.push(...validateManifest(rendered.rendered, written));

  // check
  const fileAccess = {
    resolve: (p: string) => (isAbsolute(p) ? resolve(p) : join(baseDir, p)),
    exists: (p: string) => existsSync(p),
  };
  diagnostics.push(...checkSemantics(rendered.rendered.agents, fileAccess));

  if (hasErrors(diagnostics)) return finish(diagnostics, sources);

  // plan
  const plan = toPlan({ rendered: rendered.rendered, files, baseDir, readText: (p) => readFileSync(p, 'utf8') });
  return { ...finish(diagnostics, sources), plan };
}

/** The variables interpolation and templates see: the process environment, then `.env` beside the main manifest for the rest. */
function environmentFor(processEnv: Record<string, string | undefined>, baseDir: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const dotenvPath = join(baseDir, '.env');
  if (existsSync(dotenvPath)) {
    try {
      Object.assign(out, parseDotenv(readFileSync(dotenvPath, 'utf8')));
    } catch {
      // An unreadable .env (a directory, no permission) is the same as none.
    }
  }
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) out[k] = v;
  return out;
}

/** Removes repeats (replicas render the same mistake N times) and orders by file and position. */
function finish(diagnostics: Diagnostic[], sources: Map<string, string>): LoadResult {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.severity}\u0000${d.code}\u0000${d.location?.file}\u0000${d.location?.range?.offset}\u0000${d.location?.range?.length}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const fileOrder = [...sources.keys()];
  const rank = (d: Diagnostic): [number, number] => {
    const f = d.location ? fileOrder.indexOf(d.location.file) : -1;
    return [f < 0 ? fileOrder.length : f, d.location?.range?.offset ?? -1];
  };
  const sorted = unique
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .map((x) => x.d);
  return { diagnostics: sorted, sources };
}
