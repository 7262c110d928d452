/**
 * The import formats orchestra knows, by the name the CLI takes. Each
 * importer is pure: it gets the source text and a reader for the files the
 * source names, and returns a ManifestDraft and located diagnostics.
 */

import type { Diagnostic } from '../util/diagnostic.js';
import { didYouMean } from '../manifest/suggest.js';
import type { ImportInput, ImportResult } from './draft.js';
import { importProcessCompose } from './process-compose.js';
import { importPm2 } from './pm2.js';
import { importProcfile } from './procfile.js';
import { importSupervisord } from './supervisord.js';

export type ImportFormat = 'process-compose' | 'procfile' | 'pm2' | 'supervisord';

export const IMPORTERS: Record<ImportFormat, (input: ImportInput) => ImportResult> = {
  'process-compose': importProcessCompose,
  procfile: importProcfile,
  pm2: importPm2,
  supervisord: importSupervisord,
};

/** The format named by `name`, or a diagnostic with a suggestion. */
export function resolveFormat(name: string): { format: ImportFormat } | { diagnostic: Diagnostic } {
  if (Object.hasOwn(IMPORTERS, name)) return { format: name as ImportFormat };
  const names = Object.keys(IMPORTERS);
  const close = didYouMean(name, names);
  const d: Diagnostic = { severity: 'error', code: 'unknown-import-format', message: `Unknown import format \`${name}\`; expected one of ${names.join(', ')}` };
  if (close !== undefined) d.hint = `did you mean \`${close}\`?`;
  return { diagnostic: d };
}
