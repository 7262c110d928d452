/**
 * process-compose variables and environments: `vars` (the values its Go
 * templates see) and `environment` (a list of `NAME=value` or a mapping),
 * global or per process, as orchestra `env` mappings. Pure.
 */

import type { ValueNode } from '../manifest/node.js';
import type { ImportNotes } from './draft.js';
import { pcText } from './process-compose-text.js';
import { envEntries, mapEntries } from './read-values.js';

/** What rendering a process-compose string needs to know about the whole file. */
export interface PcTextContext {
  notes: ImportNotes;
  envExpansion: boolean;
  shell: [string, string];
}

/** `vars` as name → text (process-compose renders them with Go templates). */
export function varsOf(node: ValueNode | undefined, notes: ImportNotes): Map<string, string> {
  const vars = new Map<string, string>();
  for (const [name, entry] of mapEntries(node, '`vars`', notes)) {
    const value = entry.value.kind === 'scalar' ? String(entry.value.value) : undefined;
    if (value === undefined) notes.warn('import-wrong-type', `variable \`${name}\` is not a scalar; left out`, entry.value.loc);
    else vars.set(name, value);
  }
  return vars;
}

/** `environment` (a list of `NAME=value`, or a mapping) as an orchestra `env` mapping. */
export function pcEnvironment(node: ValueNode | undefined, ctx: PcTextContext, what: string): Record<string, string> | undefined {
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return undefined;
  const env: Record<string, string> = {};
  for (const [name, value, loc] of envEntries(node, what, ctx.notes, { lists: true })) {
    env[name] = pcText(value, { envExpansion: ctx.envExpansion, warn: (m) => ctx.notes.warn('import-approximated', `${what}: ${m}`, loc) });
  }
  return env;
}
