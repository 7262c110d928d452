/**
 * Reading typed values out of a located source tree (YAML or JSON parsed by
 * src/manifest/parse.ts, or built from INI and JS files), each mistake a
 * located warning or error in the import's notes. Pure.
 */

import type { Location } from '../util/diagnostic.js';
import type { MapNode, ValueNode } from '../manifest/node.js';
import type { ImportNotes } from './draft.js';

/** A map's entries in source order, or a `wrong-type` error (and none) when `node` is not a map. */
export function mapEntries(node: ValueNode | undefined, what: string, notes: ImportNotes): [string, { key: Location; value: ValueNode }][] {
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return [];
  if (node.kind !== 'map') {
    notes.error('import-wrong-type', `${what} must be a mapping`, node.loc);
    return [];
  }
  return [...node.entries];
}

/** A string value; numbers and booleans are taken as their text (as the source tools do). */
export function text(node: ValueNode | undefined, what: string, notes: ImportNotes): string | undefined {
  if (node === undefined || node.kind !== 'scalar' || node.value === null) {
    if (node !== undefined && !(node.kind === 'scalar' && node.value === null)) notes.warn('import-wrong-type', `${what} must be a string; left out`, node.loc);
    return undefined;
  }
  return String(node.value);
}

/** A number, also written as a numeric string; anything else is a warning and undefined. */
export function number(node: ValueNode | undefined, what: string, notes: ImportNotes): number | undefined {
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return undefined;
  if (node.kind === 'scalar') {
    const n = typeof node.value === 'number' ? node.value : typeof node.value === 'string' && node.value.trim() !== '' ? Number(node.value) : NaN;
    if (Number.isFinite(n)) return n;
  }
  notes.warn('import-wrong-type', `${what} must be a number; left out`, node.loc, 'an environment variable in a numeric field cannot be carried over; write the number');
  return undefined;
}

/** A boolean, also written `yes`/`no`/`on`/`off`/`1`/`0` or as a string (YAML 1.1 and INI habits). */
export function boolean(node: ValueNode | undefined, what: string, notes: ImportNotes): boolean | undefined {
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return undefined;
  if (node.kind === 'scalar') {
    if (typeof node.value === 'boolean') return node.value;
    const word = String(node.value).trim().toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(word)) return true;
    if (['false', 'no', 'off', '0'].includes(word)) return false;
  }
  notes.warn('import-wrong-type', `${what} must be true or false; left out`, node.loc);
  return undefined;
}

/** The key location of `key` in `map`, else the map's own location. */
export function keyLoc(map: MapNode, key: string): Location {
  return map.entries.get(key)?.key ?? map.loc;
}

/**
 * An `env`/`environment` value as (name, value text, where) triples: a
 * mapping (a non-scalar value reads as empty), or, with `lists`, also a list
 * of `NAME=value` strings (others warned and left out), as process-compose
 * takes them. The importers differ only in how they render each value.
 */
export function envEntries(node: ValueNode | undefined, what: string, notes: ImportNotes, options: { lists?: boolean } = {}): [string, string, Location][] {
  if (options.lists && node?.kind === 'seq') {
    const out: [string, string, Location][] = [];
    for (const item of node.items) {
      const line = text(item, `${what} item`, notes);
      if (line === undefined) continue;
      const eq = line.indexOf('=');
      if (eq <= 0) notes.warn('import-wrong-type', `${what}: \`${line}\` is not NAME=value; left out`, item.loc);
      else out.push([line.slice(0, eq), line.slice(eq + 1), item.loc]);
    }
    return out;
  }
  return mapEntries(node, what, notes).map(([k, e]) => [k, e.value.kind === 'scalar' ? String(e.value.value ?? '') : '', e.value.loc]);
}
