/**
 * The located value tree: manifest values as parsed from YAML, each node
 * remembering where it was written. Every loader stage after parsing works on
 * this tree, so a value keeps its file, line and column through interpolation,
 * inheritance, overlays and rendering. Pure data and small helpers only; no
 * file access, no knowledge of the schema.
 */

import type { Location } from '../util/diagnostic.js';

export type ScalarValue = string | number | boolean | null;

export interface MapNode {
  kind: 'map';
  /** Insertion-ordered entries; the key's own location is kept for unknown-key errors. */
  entries: Map<string, MapEntry>;
  loc: Location;
}

export interface MapEntry {
  key: Location;
  value: ValueNode;
}

export interface SeqNode {
  kind: 'seq';
  items: ValueNode[];
  loc: Location;
}

export interface ScalarNode {
  kind: 'scalar';
  value: ScalarValue;
  loc: Location;
  /** True when `${...}` or `{{...}}` produced this string, so a numeric string may be coerced. */
  substituted?: boolean;
}

export type ValueNode = MapNode | SeqNode | ScalarNode;

/** Builds an empty map node located at `loc`. */
export function emptyMap(loc: Location): MapNode {
  return { kind: 'map', entries: new Map(), loc };
}

/** True for a `null` scalar: in an overlay it removes the key (a tombstone until the final merge). */
export function isNull(node: ValueNode | undefined): boolean {
  return node !== undefined && node.kind === 'scalar' && node.value === null;
}

/** The entry's value when `node` is a map holding `key`. */
export function child(node: ValueNode | undefined, key: string): ValueNode | undefined {
  return node?.kind === 'map' ? node.entries.get(key)?.value : undefined;
}

/** Follows a path of map keys and list indexes. */
export function nodeAt(node: ValueNode | undefined, path: readonly (string | number)[]): ValueNode | undefined {
  let current = node;
  for (const part of path) {
    if (current === undefined) return undefined;
    if (current.kind === 'map') current = current.entries.get(String(part))?.value;
    else if (current.kind === 'seq') current = current.items[Number(part)];
    else return undefined;
  }
  return current;
}

/** Converts the tree to plain JSON-like data (what ajv validates and the Plan is built from). */
export function toPlain(node: ValueNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, e] of node.entries) {
        // `__proto__: x` in YAML is a key like any other, not a prototype.
        if (k === '__proto__') Object.defineProperty(out, k, { value: toPlain(e.value), enumerable: true, writable: true, configurable: true });
        else out[k] = toPlain(e.value);
      }
      return out;
    }
  }
}

/** Builds a tree from plain data, every node located at `loc` (used for `--set` values). */
export function fromPlain(value: unknown, loc: Location): ValueNode {
  if (Array.isArray(value)) return { kind: 'seq', items: value.map((v) => fromPlain(v, loc)), loc };
  if (value !== null && typeof value === 'object') {
    const map = emptyMap(loc);
    for (const [k, v] of Object.entries(value)) map.entries.set(k, { key: loc, value: fromPlain(v, loc) });
    return map;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { kind: 'scalar', value, loc };
  }
  return { kind: 'scalar', value: value === null || value === undefined ? null : String(value), loc };
}

/** Calls `visit` for every string scalar; `visit` returns the replacement node or undefined to keep it. Copies only changed paths. */
export function mapStrings(node: ValueNode, visit: (s: ScalarNode & { value: string }) => ValueNode | undefined): ValueNode {
  switch (node.kind) {
    case 'scalar':
      return typeof node.value === 'string' ? (visit(node as ScalarNode & { value: string }) ?? node) : node;
    case 'seq': {
      let items: ValueNode[] | undefined;
      node.items.forEach((item, i) => {
        const next = mapStrings(item, visit);
        if (next !== item) (items ??= [...node.items])[i] = next;
      });
      return items ? { ...node, items } : node;
    }
    case 'map': {
      let entries: Map<string, MapEntry> | undefined;
      for (const [k, e] of node.entries) {
        const value = mapStrings(e.value, visit);
        if (value !== e.value) (entries ??= new Map(node.entries)).set(k, { key: e.key, value });
      }
      return entries ? { ...node, entries } : node;
    }
  }
}

/** Calls `leaf` for every scalar and list with its dotted path (lists are leaves: they replace whole). */
export function forEachLeaf(node: ValueNode, prefix: string, leaf: (path: string, node: ValueNode) => void): void {
  if (node.kind === 'map') {
    for (const [k, e] of node.entries) forEachLeaf(e.value, prefix === '' ? k : `${prefix}.${k}`, leaf);
  } else {
    leaf(prefix, node);
  }
}
