/**
 * The exporters by target name, and the check that turns an unknown target
 * into a diagnostic with a suggestion. Pure; the CLI (src/cli/export.ts)
 * loads the manifest and writes the files.
 */

import { error, type Diagnostic } from '../util/diagnostic.js';
import { didYouMean } from '../manifest/suggest.js';
import { exportCompose } from './compose.js';
import { exportKubernetes } from './kubernetes.js';
import { exportNomad } from './nomad.js';
import { exportSystemd } from './systemd.js';
import { EXPORT_TARGETS, type Exporter, type ExportTarget } from './types.js';

export { exportCompose, exportKubernetes, exportNomad, exportSystemd };
export * from './types.js';

/** Each target's exporter. */
export const EXPORTERS: Record<ExportTarget, Exporter> = {
  systemd: exportSystemd,
  kubernetes: exportKubernetes,
  compose: exportCompose,
  nomad: exportNomad,
};

// Names people reach for first.
const ALIASES: Record<string, ExportTarget> = { k8s: 'kubernetes', 'docker-compose': 'compose' };

/** The target a name means (aliases `k8s` and `docker-compose` included), or an `unknown-export-target` diagnostic. */
export function resolveTarget(name: string): { target: ExportTarget } | { diagnostic: Diagnostic } {
  const known = (EXPORT_TARGETS as readonly string[]).includes(name) ? (name as ExportTarget) : ALIASES[name];
  if (known) return { target: known };
  const guess = didYouMean(name, [...EXPORT_TARGETS, ...Object.keys(ALIASES)]);
  const suggestion = guess === undefined ? undefined : (ALIASES[guess] ?? guess);
  const hint = `${suggestion !== undefined ? `did you mean \`${suggestion}\`? ` : ''}targets: ${EXPORT_TARGETS.join(', ')}`;
  return { diagnostic: error('unknown-export-target', `Unknown export target \`${name}\`.`, undefined, { hint }) };
}
