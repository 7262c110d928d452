/**
 * process-compose variables and environments: `vars` (the values its Go
 * templates see) and `environment` (a list of `NAME=value` or a mapping),
 * global or per process, as orchestra `env` mappings. Pure.
 */

import type { Location } from '../util/diagnostic.js';
import type { ValueNode } from '../manifest/node.js';
import type { ImportNotes } from './draft.js';
import { pcText } from './process-compose-text.js';
import { mapEntries, text } from './read-values.js';

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
  const put = (name: string, value: string, loc: Location): void => {
    env[name] = pcText(value, { envExpansion: ctx.envExpansion, warn: (m) => ctx.notes.warn('import-approximated', `${what}: ${m}`, loc) });
  };
  if (node.kind === 'seq') {
    for (const item of node.items) {
      const line = text(item, `${what} item`, ctx.notes);
      if (line === undefined) continue;
      const eq = line.indexOf('=');
      if (eq <= 0) ctx.notes.warn('import-wrong-type', `${what}: \`${line}\` is not NAME=value; left out`, item.loc);
      else put(line.slice(0, eq), line.slice(eq + 1), item.loc);
    }
  } else {
    for (const [k, e] of mapEntries(node, what, ctx.notes)) put(k, e.value.kind === 'scalar' ? String(e.value.value ?? '') : '', e.value.loc);
  }
  return env;
}
