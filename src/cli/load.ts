/**
 * Loads the manifest for a command and prints its diagnostics: the one place
 * where the CLI turns loader output into terminal text.
 */

import { loadManifest } from '../manifest/load.js';
import { planSecretValues } from '../plan/secrets.js';
import type { Plan } from '../plan/spec.js';
import { diagnosticsToJson, formatDiagnostics } from '../report/diagnostics.js';
import { manifestFiles, useColor, type ManifestFlags } from './options.js';

/** What a command gets back: the Plan when the manifest is valid. */
export interface LoadedManifest {
  plan?: Plan;
  errorCount: number;
}

/**
 * Loads and validates; prints warnings and errors to stderr (or, with
 * `json`, leaves printing to the caller and returns the JSON diagnostics).
 */
export async function loadForCommand(
  flags: ManifestFlags,
  options: { json?: boolean; quietWarnings?: boolean } = {},
): Promise<LoadedManifest & { jsonDiagnostics: unknown }> {
  const loadOptions: Parameters<typeof loadManifest>[0] = { files: manifestFiles(flags), set: flags.set };
  if (flags.env !== undefined) loadOptions.environment = flags.env;
  const result = await loadManifest(loadOptions);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const shown = options.quietWarnings && errors.length === 0 ? [] : result.diagnostics;
  if (!options.json && shown.length > 0) {
    process.stderr.write(
      formatDiagnostics(shown, result.sources, {
        color: useColor(process.stderr),
        cwd: process.cwd(),
        secrets: result.plan ? planSecretValues(result.plan) : [],
      }) + '\n',
    );
  }
  const loaded: LoadedManifest & { jsonDiagnostics: unknown } = {
    errorCount: errors.length,
    jsonDiagnostics: diagnosticsToJson(result.diagnostics),
  };
  if (result.plan && errors.length === 0) loaded.plan = result.plan;
  return loaded;
}
