/**
 * The merge rule, written once: maps merge deeply, lists and scalars replace
 * (so `false` and `0` override), and `null` removes a key. A `null` is kept as
 * a tombstone through every intermediate merge and only dropped by
 * `dropTombstones` after the last layer, so that a `null` in a template still
 * removes a key that `defaults` would otherwise bring back. Written by hand
 * rather than with deepmerge because each value must keep its location.
 */

import { isNull, type MapEntry, type MapNode, type ValueNode } from './node.js';

/** Merges `over` onto `base`; neither input is modified. */
export function mergeNodes(base: ValueNode | undefined, over: ValueNode): ValueNode {
  if (base === undefined || base.kind !== 'map' || over.kind !== 'map') return over;
  // Nothing to merge into: the result would be a copy of `over` (same entries, order and location). Trees are never mutated, so share it.
  if (base.entries.size === 0) return over;
  const entries = new Map<string, MapEntry>(base.entries);
  for (const [key, entry] of over.entries) {
    const previous = entries.get(key);
    entries.set(key, previous === undefined ? entry : { key: entry.key, value: mergeNodes(previous.value, entry.value) });
  }
  return { kind: 'map', entries, loc: over.loc };
}

/** Left-folds layers, lowest precedence first. */
export function mergeLayers(layers: readonly (ValueNode | undefined)[], empty: MapNode): ValueNode {
  let result: ValueNode = empty;
  for (const layer of layers) if (layer !== undefined) result = mergeNodes(result, layer);
  return result;
}

/** Removes every `null` map entry (the tombstones) once all layers are merged. Lists keep their items. */
export function dropTombstones(node: ValueNode): ValueNode {
  if (node.kind !== 'map') return node;
  let entries: Map<string, MapEntry> | undefined;
  for (const [key, entry] of node.entries) {
    if (isNull(entry.value)) {
      (entries ??= new Map(node.entries)).delete(key);
      continue;
    }
    const value = dropTombstones(entry.value);
    if (value !== entry.value) (entries ??= new Map(node.entries)).set(key, { key: entry.key, value });
  }
  return entries ? { ...node, entries } : node;
}

/** The map without `keys` (e.g. `extends`, consumed by inheritance). */
export function without(node: ValueNode, keys: readonly string[]): ValueNode {
  if (node.kind !== 'map' || !keys.some((k) => node.entries.has(k))) return node;
  const entries = new Map(node.entries);
  for (const k of keys) entries.delete(k);
  return { ...node, entries };
}
