/**
 * Stage 1, parse: YAML text → located value tree. Owns YAML syntax errors,
 * duplicate keys (found while converting, in linear time), empty files, documents that are not a mapping, aliases and
 * `<<` merge keys. Must not interpret any key: the tree is plain data with
 * positions, exactly as written. Tries the fast reader (fast/yaml-reader.ts) first
 * and uses the `yaml` package, loaded on first need, for everything else.
 */

import { createRequire } from 'node:module';
import type { Document, Node } from 'yaml';
import { error, type Diagnostic, type Location } from '../util/diagnostic.js';
import { fastPathsEnabled } from './fast/switch.js';
import { fastParse } from './fast/yaml-reader.js';
import type { MapEntry, MapNode, ValueNode } from './node.js';
import { LineIndex, locate } from './source.js';

type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;

/** The `yaml` package, loaded on first need (synchronously), so importing this module does not pay its load. */
export function yaml(): YamlModule {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule);
}

/** One parsed file: the root mapping, or diagnostics saying why there is none. */
export interface ParsedFile {
  file: string;
  root?: MapNode;
  diagnostics: Diagnostic[];
}

/** Parses one manifest (or overlay) file's text. Never throws. */
export function parseManifestText(file: string, text: string): ParsedFile {
  const index = new LineIndex(text);
  const fast = fastPathsEnabled() ? fastParse(file, text, index) : undefined;
  if (fast !== undefined) return { file, root: fast, diagnostics: [] };
  return fullParse(file, text, index);
}

/** Parses with the `yaml` package: every YAML feature, and every syntax error. */
export function fullParse(file: string, text: string, index: LineIndex = new LineIndex(text)): ParsedFile {
  const { isScalar } = yaml();
  // No LineCounter: positions are resolved from offsets only when printed (source.ts).
  const doc = yaml().parseDocument(text, { uniqueKeys: false, prettyErrors: false, merge: true, keepSourceTokens: false });
  const at = (pos: readonly [number, number]): Location => locate(file, index, pos[0], pos[1]);
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const message = firstLine(e.message);
    diagnostics.push(error('yaml-syntax', `YAML syntax error: ${message}`, at(e.pos)));
  }
  for (const w of doc.warnings) {
    diagnostics.push({ severity: 'warning', code: 'yaml-warning', message: firstLine(w.message), location: at(w.pos) });
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { file, diagnostics };

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    diagnostics.push(
      error('empty-file', 'the manifest is empty', locate(file, index, 0, 0), {
        hint: 'a manifest needs at least `version: 1` and `agents:`',
      }),
    );
    return { file, diagnostics };
  }
  const converter = new Converter(file, index, doc);
  const root = converter.convert(contents, 0);
  diagnostics.push(...converter.diagnostics);
  if (root.kind !== 'map') {
    diagnostics.push(
      error('not-a-mapping', `the manifest must be a mapping of keys to values, but is ${describe(root)}`, root.loc, {
        hint: 'start with `version: 1` and `agents:` at the top level',
      }),
    );
    return { file, diagnostics };
  }
  return { file, root, diagnostics };
}

/** Turns yaml's AST into the located value tree, resolving aliases and merge keys. */
class Converter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly index: LineIndex,
    readonly doc: Document,
  ) {}

  loc(node: Node | null | undefined, fallback?: Location): Location {
    const r = node?.range;
    if (!r) return fallback ?? { file: this.file };
    return locate(this.file, this.index, r[0], r[1]);
  }

  convert(node: unknown, depth: number): ValueNode {
    const { isAlias, isMap, isScalar, isSeq } = yaml();
    if (depth > 100) {
      this.diagnostics.push(error('yaml-syntax', 'YAML nesting is too deep (alias loop?)', this.loc(node as Node)));
      return { kind: 'scalar', value: null, loc: this.loc(node as Node) };
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) return { kind: 'scalar', value: null, loc: this.loc(node) };
      return this.convert(target, depth + 1);
    }
    if (isScalar(node)) {
      const v = node.value;
      const value =
        v === null || v === undefined
          ? null
          : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
            ? v
            : typeof v === 'bigint'
              ? Number(v)
              : String(v);
      return { kind: 'scalar', value, loc: this.loc(node) };
    }
    if (isSeq(node)) {
      return { kind: 'seq', items: node.items.map((item) => this.convert(item, depth + 1)), loc: this.loc(node) };
    }
    if (isMap(node)) return this.convertMap(node, depth);
    return { kind: 'scalar', value: null, loc: this.loc(node as Node) };
  }

  convertMap(node: import('yaml').YAMLMap, depth: number): MapNode {
    const map: MapNode = { kind: 'map', entries: new Map(), loc: this.loc(node) };
    const merged: MapEntry[][] = [];
    const { isScalar } = yaml();
    for (const pair of node.items) {
      const keyNode = pair.key;
      const keyLoc = this.loc(keyNode as Node, map.loc);
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        merged.push(this.mergeSources(pair.value, depth));
        continue;
      }
      if (!isScalar(keyNode)) {
        this.diagnostics.push(error('yaml-syntax', 'a mapping key must be a plain scalar', keyLoc));
        continue;
      }
      const key = String(keyNode.value);
      // Checked here rather than with yaml's `uniqueKeys`, which compares every pair (slow for 1,000 agents).
      if (map.entries.has(key)) {
        this.diagnostics.push(
          error('duplicate-key', `duplicate key "${key}"`, keyLoc, { hint: 'a key may appear once per mapping; remove or rename one of them' }),
        );
        continue;
      }
      const value =
        pair.value === null || pair.value === undefined
          ? { kind: 'scalar' as const, value: null, loc: { file: this.file, ...(keyLoc.range ? { range: keyLoc.range } : {}) } }
          : this.convert(pair.value, depth + 1);
      map.entries.set(key, { key: keyLoc, value });
    }
    // YAML merge keys: explicit keys win, then earlier merge sources over later ones.
    for (const source of merged) {
      for (const entry of source) {
        const name = entryName(entry);
        if (name !== undefined && !map.entries.has(name)) map.entries.set(name, entry);
      }
    }
    return map;
  }

  mergeSources(value: unknown, depth: number): (MapEntry & { name?: string })[] {
    const sources = yaml().isSeq(value) ? value.items : [value];
    const out: (MapEntry & { name: string })[] = [];
    for (const s of sources) {
      const converted = this.convert(s, depth + 1);
      if (converted.kind !== 'map') {
        this.diagnostics.push(error('yaml-syntax', 'a `<<` merge key needs a mapping or a list of mappings', converted.loc));
        continue;
      }
      for (const [name, entry] of converted.entries) out.push({ ...entry, name });
    }
    return out;
  }
}

function entryName(entry: MapEntry & { name?: string }): string | undefined {
  return entry.name;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** A short description of a node's kind for messages. */
export function describe(node: ValueNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `the ${typeof v} ${String(v)}`;
}
