/**
 * The library's `loadManifest`: the loader's result reshaped for code that
 * is not a terminal — a Plan with its warnings, or the diagnostics as flat
 * records (severity, code, message, file, line, column, hint).
 */

import { loadManifest as load } from '../manifest/load.js';
import type { Plan } from '../plan/spec.js';
import type { Diagnostic } from '../util/diagnostic.js';

export interface LoadManifestOptions {
  /** Environment overlay to apply, like `--env` (default: $ORCHESTRA_ENV). */
  env?: string;
  /** Overrides like `--set`, each `dotted.path=value`. */
  set?: string[];
  /** Base for relative file names (default: process.cwd()). */
  cwd?: string;
}

/** One problem, located where the loader could locate it. */
export interface ManifestDiagnostic {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  hint?: string;
}

export type LoadManifestResult =
  | { ok: true; plan: Plan; warnings: ManifestDiagnostic[] }
  | { ok: false; diagnostics: ManifestDiagnostic[] };

/** A loader Diagnostic as a flat record. */
export function flatDiagnostic(d: Diagnostic): ManifestDiagnostic {
  const out: ManifestDiagnostic = { severity: d.severity, code: d.code, message: d.message };
  if (d.location) out.file = d.location.file;
  if (d.location?.range) (out.line = d.location.range.start.line), (out.column = d.location.range.start.column);
  if (d.hint !== undefined) out.hint = d.hint;
  return out;
}

/** Loads and validates a manifest (the first file) with its overlay files; never throws for bad input. */
export async function loadManifest(files: string | readonly string[], options: LoadManifestOptions = {}): Promise<LoadManifestResult> {
  const result = await load({
    files: typeof files === 'string' ? [files] : [...files],
    ...(options.env !== undefined ? { environment: options.env } : {}),
    ...(options.set !== undefined ? { set: options.set } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  const diagnostics = result.diagnostics.map(flatDiagnostic);
  if (!result.plan || diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return { ok: true, plan: result.plan, warnings: diagnostics };
}
