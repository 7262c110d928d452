/**
 * Writes a ManifestDraft as an idiomatic, commented orchestra.yaml: a header
 * saying where it came from, `defaults`, then one agent per block with the
 * comments the importer attached, short lists and maps in flow style
 * (`command: [redis-server, --port, "6379"]`). Pure: returns the text.
 */

import { createRequire } from 'node:module';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type { ManifestDraft } from './draft.js';

type YamlModule = typeof import('yaml');
const yaml = (): YamlModule => createRequire(import.meta.url)('yaml') as YamlModule;

/** The manifest text for `draft`. */
export function writeManifest(draft: ManifestDraft): string {
  const Y = yaml();
  const root: Record<string, unknown> = { version: 1 };
  if (draft.defaults && Object.keys(draft.defaults).length > 0) root['defaults'] = draft.defaults;
  root['agents'] = Object.fromEntries(draft.agents.map((a) => [a.name, a.fields]));
  if (draft.environments && Object.keys(draft.environments).length > 0) {
    root['environments'] = Object.fromEntries(Object.entries(draft.environments).map(([env, agents]) => [env, { agents }]));
  }
  const doc: Document = new Y.Document(root, { aliasDuplicateObjects: false });
  if (draft.header.length > 0) doc.commentBefore = commentText(draft.header);

  const agents = doc.get('agents', true) as YAMLMap | undefined;
  const comments = new Map(draft.agents.map((a) => [a.name, a.comments]));
  (agents?.items ?? []).forEach((pair, i) => {
    const key = pair.key as Node & { value?: unknown };
    const lines = comments.get(String(key.value)) ?? [];
    if (lines.length > 0) key.commentBefore = commentText(lines);
    if (i > 0) key.spaceBefore = true;
  });
  // Agent bodies and `defaults` stay in block style; their field values may be flow.
  const fieldMaps: unknown[] = [doc.get('defaults', true), ...(agents?.items ?? []).map((p) => p.value)];
  const envs = doc.get('environments', true) as YAMLMap | undefined;
  for (const env of envs?.items ?? []) {
    const overlay = (env.value as YAMLMap).get('agents', true) as YAMLMap | undefined;
    fieldMaps.push(...(overlay?.items ?? []).map((p) => p.value));
  }
  for (const map of fieldMaps) {
    if (Y.isMap(map)) for (const field of map.items) flowSmallCollections(field.value as Node | null, Y);
  }
  const topKeys = (doc.contents as YAMLMap).items as Pair[];
  for (const pair of topKeys.slice(1)) (pair.key as Node).spaceBefore = true;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Comment lines as the `yaml` package wants them: each starting with a space after `#`. */
function commentText(lines: readonly string[]): string {
  return lines.map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
}

/** Short lists and maps of scalars are written on one line; everything else in block style. */
function flowSmallCollections(node: Node | null, Y: YamlModule): void {
  if (Y.isScalar(node) && typeof node.value === 'string' && node.value.includes('\n')) {
    node.type = 'BLOCK_LITERAL';
    return;
  }
  if (Y.isMap(node) || Y.isSeq(node)) {
    const items = Y.isMap(node) ? node.items.map((p) => p.value as Node | null) : (node.items as (Node | null)[]);
    for (const item of items) flowSmallCollections(item, Y);
    const oneLine = (item: Node | null): boolean =>
      item === null || (Y.isScalar(item) && item.type !== 'BLOCK_LITERAL') || (Y.isCollection(item) && item.flow === true);
    const scalarsOnly = items.every(oneLine);
    const width = JSON.stringify(node.toJSON()).length;
    if (items.length > 0 && scalarsOnly && width <= 72) node.flow = true;
  }
}
