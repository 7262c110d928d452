/**
 * Names in dashboard URLs checked against the snapshot: an action takes an
 * agent or an instance, logs and details take an instance. An unknown name
 * is a 404 that suggests the closest known one.
 */

import { didYouMean } from '../manifest/suggest.js';
import type { StatusSnapshot } from '../report/status-snapshot.js';
import { HttpError } from './dashboard-http.js';

/** Throws 404 with a suggestion unless `name` is an instance or a manifest agent of the snapshot. */
export function checkAgentName(name: string, snapshot: StatusSnapshot): void {
  const known = new Set<string>();
  for (const a of snapshot.agents) {
    known.add(a.name);
    known.add(a.agent);
  }
  if (known.has(name)) return;
  throw new HttpError(404, `unknown agent \`${name}\`${suggestionFor(name, known)}`);
}

/** Throws 404 with a suggestion unless `name` is an instance of the snapshot (logs and details are per instance). */
export function checkInstanceName(name: string, snapshot: StatusSnapshot): void {
  const instances = snapshot.agents.map((a) => a.name);
  if (instances.includes(name)) return;
  const replicas = snapshot.agents.filter((a) => a.agent === name).map((a) => a.name);
  const hint = replicas.length > 0 ? `; it has instances ${replicas.join(', ')}` : suggestionFor(name, instances);
  throw new HttpError(404, `unknown instance \`${name}\`${hint}`);
}

function suggestionFor(name: string, known: Iterable<string>): string {
  const suggestion = didYouMean(name, known);
  return suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`;
}

