/**
 * A fast path for parsing: a small, strict reader for the plain subset of
 * YAML that manifests are almost always written in — block mappings and
 * lists, one-line flow collections, plain and quoted one-line scalars and
 * comments — producing the same located tree (values, offsets) as the full
 * `yaml` parser would. On anything else (anchors, tags, block scalars,
 * multi-line scalars or flows, tabs, `?` keys, merge keys, duplicate keys,
 * several documents, any doubt at all) it gives up and returns undefined, and
 * parse.ts falls back to `yaml`, which also owns every syntax error. It never
 * reports a problem itself.
 *
 * Why: `yaml` builds a full Document (CST, then nodes, then our tree) through
 * generators; for a 1,000-agent manifest that was over half of a cold
 * `orchestra validate`. The differential test (test/manifest/fast/yaml-reader.test.ts)
 * checks this reader against the full path.
 */

import type { Location } from '../../util/diagnostic.js';
import type { MapNode, SeqNode, ValueNode } from '../node.js';
import type { LineIndex } from '../source.js';
import { BAIL, Bail, PLAIN_START, checkPlainStart, plainValue, quoted } from './yaml-scalars.js';


interface Line {
  /** Offset of the first non-space character. */
  start: number;
  /** Offset of the line's `\n` (or the text's end). */
  end: number;
  indent: number;
}

/** Parses `text` when it is within the subset; undefined means "use the full parser". */
export function fastParse(file: string, text: string, index: LineIndex): MapNode | undefined {
  try {
    return new Reader(file, text, index).document();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}


class Reader {
  readonly lines: Line[] = [];
  i = 0;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly index: LineIndex,
  ) {
    // Content lines only: blank and comment-only lines never start or end a value.
    let pos = 0;
    const n = text.length;
    if (text.charCodeAt(0) === 0xfeff || text.includes('\t') || text.includes('\r')) throw BAIL;
    // yaml stretches a collection's range over comment lines indented deeper
    // than the line that follows them; such texts are left to yaml.
    let commentIndent = -1;
    while (pos < n) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = n;
      let s = pos;
      while (s < end && text.charCodeAt(s) === 32) s++;
      if (s < end) {
        const indent = s - pos;
        if (text.charCodeAt(s) === 35 /* # */) commentIndent = Math.max(commentIndent, indent);
        else {
          if (commentIndent > indent) throw BAIL;
          commentIndent = -1;
          this.lines.push({ start: s, end, indent });
        }
      }
      pos = end + 1;
    }
    if (commentIndent > 0) throw BAIL;
  }

  loc(start: number, end: number): Location {
    return { file: this.file, range: this.index.range(start, end) };
  }

  document(): MapNode {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0) throw BAIL;
    const root = this.blockMap(0);
    if (this.i !== this.lines.length) throw BAIL;
    return root;
  }

  /** End offset of a block collection: after the newline of its last line (yaml's convention). */
  lineEndAfter(line: Line): number {
    return Math.min(line.end + 1, this.text.length);
  }

  blockMap(indent: number): MapNode {
    const first = this.lines[this.i]!;
    const map: MapNode = { kind: 'map', entries: new Map(), loc: { file: this.file } };
    // yaml ends a block collection where its last value ends: after that line's newline, or right after the `:` of an empty value.
    let endOffset = 0;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent < indent) break;
      if (line.indent > indent) throw BAIL;
      this.i++;
      endOffset = this.lineEndAfter(line);
      let p = line.start;
      const key = this.key(p, line.end);
      p = key.next; // just after the ':'
      if (map.entries.has(key.value) || key.value === '<<') throw BAIL;
      const keyLoc = this.loc(key.start, key.end);
      const rest = this.skipSpaces(p, line.end);
      let value: ValueNode;
      if (rest === line.end || this.text.charCodeAt(rest) === 35) {
        if (rest !== line.end) throw BAIL; // `key: # comment` then maybe a block: rare, leave it
        const next = this.lines[this.i];
        if (next !== undefined && (next.indent > indent || (next.indent === indent && this.isSeqItem(next)))) {
          value = this.isSeqItem(next) ? this.blockSeq(next.indent) : this.blockMap(next.indent);
          endOffset = value.loc.range!.offset + value.loc.range!.length;
        } else {
          // yaml stretches a collection ending in an empty value over the comment lines after it; not worth copying.
          const hash = this.text.indexOf('#', line.end);
          if (next === undefined || (hash >= 0 && hash < next.start)) throw BAIL;
          value = { kind: 'scalar', value: null, loc: this.loc(rest, rest) };
          endOffset = rest;
        }
      } else {
        value = this.inlineValue(rest, line.end, false);
      }
      map.entries.set(key.value, { key: keyLoc, value });
    }
    map.loc = this.loc(first.start, endOffset);
    return map;
  }

  isSeqItem(line: Line): boolean {
    const c = this.text.charCodeAt(line.start + 1);
    return this.text.charCodeAt(line.start) === 45 && (line.start + 1 === line.end || c === 32);
  }

  blockSeq(indent: number): SeqNode {
    const first = this.lines[this.i]!;
    const items: ValueNode[] = [];
    let last = first;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent < indent) break;
      if (line.indent > indent || !this.isSeqItem(line)) {
        if (line.indent === indent) break; // a map key after the list, at the parent's column
        throw BAIL;
      }
      last = line;
      this.i++;
      const rest = this.skipSpaces(line.start + 1, line.end);
      if (rest === line.end || this.text.charCodeAt(rest) === 35) throw BAIL; // nested block or empty item
      if (this.looksLikeKey(rest, line.end)) throw BAIL; // `- key: value`
      items.push(this.inlineValue(rest, line.end, false));
    }
    return { kind: 'seq', items, loc: this.loc(first.start, this.lineEndAfter(last)) };
  }

  skipSpaces(p: number, end: number): number {
    while (p < end && this.text.charCodeAt(p) === 32) p++;
    return p;
  }

  /** A plain or quoted key followed by `:` and a space or the line's end. */
  key(p: number, end: number): { value: string; start: number; end: number; next: number } {
    const c = this.text[p]!;
    let value: string;
    let keyEnd: number;
    if (c === '"' || c === "'") {
      const q = quoted(this.text, p, end);
      value = q.value;
      keyEnd = q.end;
    } else {
      if (!PLAIN_START.test(c) || c === '-' || c === '~') throw BAIL;
      let e = p;
      while (e < end) {
        const ch = this.text.charCodeAt(e);
        if (ch === 58 /* : */) break;
        if (ch === 35 /* # */ || ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125 || ch === 38 || ch === 42 || ch === 33 || ch === 34 || ch === 39) throw BAIL;
        e++;
      }
      while (e > p && this.text.charCodeAt(e - 1) === 32) throw BAIL; // `key :`
      value = this.text.slice(p, e);
      keyEnd = e;
      // A key must be a string for us; `1:` or `true:` would be other types in yaml.
      if (plainValue(value) !== value) throw BAIL;
    }
    if (this.text.charCodeAt(keyEnd) !== 58) throw BAIL;
    const after = keyEnd + 1;
    if (after < end && this.text.charCodeAt(after) !== 32) throw BAIL;
    return { value, start: p, end: keyEnd, next: after };
  }

  looksLikeKey(p: number, end: number): boolean {
    const line = this.text.slice(p, end);
    return /^[^\s"'{[][^#]*?:( |$)/.test(line) || /^["'].*["']\s*:( |$)/.test(line);
  }

  /** A value on the rest of a line: a flow collection or a scalar, then only a comment. */
  inlineValue(p: number, end: number, _flow: boolean): ValueNode {
    const c = this.text[p]!;
    let node: ValueNode;
    let after: number;
    if (c === '{' || c === '[') {
      const r = this.flow(p, end);
      node = r.node;
      after = r.end;
    } else if (c === '"' || c === "'") {
      const q = quoted(this.text, p, end);
      node = { kind: 'scalar', value: q.value, loc: this.loc(p, q.end) };
      after = q.end;
    } else {
      let e = p;
      while (e < end) {
        const ch = this.text.charCodeAt(e);
        if (ch === 35 && this.text.charCodeAt(e - 1) === 32) break;
        if (ch === 58 && (e + 1 === end || this.text.charCodeAt(e + 1) === 32)) throw BAIL; // `a: b: c`
        e++;
      }
      while (e > p && this.text.charCodeAt(e - 1) === 32) e--;
      const raw = this.text.slice(p, e);
      checkPlainStart(raw);
      node = { kind: 'scalar', value: plainValue(raw), loc: this.loc(p, e) };
      after = e;
    }
    const rest = this.skipSpaces(after, end);
    if (rest !== end && !(this.text.charCodeAt(rest) === 35 && rest > after)) throw BAIL;
    return node;
  }

  /** A one-line flow mapping or list starting at `p`. */
  flow(p: number, end: number): { node: ValueNode; end: number } {
    const open = this.text[p]!;
    const close = open === '{' ? '}' : ']';
    let q = this.skipSpaces(p + 1, end);
    if (this.text[q] === close) {
      const loc = this.loc(p, q + 1);
      return { node: open === '{' ? { kind: 'map', entries: new Map(), loc } : { kind: 'seq', items: [], loc }, end: q + 1 };
    }
    const entries = new Map<string, { key: Location; value: ValueNode }>();
    const items: ValueNode[] = [];
    for (;;) {
      if (open === '{') {
        const k = this.key(q, end);
        if (entries.has(k.value) || k.value === '<<') throw BAIL;
        const v = this.skipSpaces(k.next, end);
        if (v === k.next) throw BAIL; // `{a:b}` style
        const r = this.flowValue(v, end);
        entries.set(k.value, { key: this.loc(k.start, k.end), value: r.node });
        q = r.end;
      } else {
        const r = this.flowValue(q, end);
        items.push(r.node);
        q = r.end;
      }
      q = this.skipSpaces(q, end);
      const ch = this.text[q];
      if (ch === ',') {
        q = this.skipSpaces(q + 1, end);
        if (this.text[q] === close || q >= end) throw BAIL; // trailing comma, or continued on the next line
        continue;
      }
      if (ch === close) break;
      throw BAIL;
    }
    const loc = this.loc(p, q + 1);
    return { node: open === '{' ? { kind: 'map', entries, loc } : { kind: 'seq', items, loc }, end: q + 1 };
  }

  flowValue(p: number, end: number): { node: ValueNode; end: number } {
    const c = this.text[p];
    if (c === undefined || p >= end) throw BAIL;
    if (c === '{' || c === '[') return this.flow(p, end);
    if (c === '"' || c === "'") {
      const qq = quoted(this.text, p, end);
      return { node: { kind: 'scalar', value: qq.value, loc: this.loc(p, qq.end) }, end: qq.end };
    }
    let e = p;
    while (e < end) {
      const ch = this.text.charCodeAt(e);
      if (ch === 44 || ch === 93 || ch === 125) break;
      if (ch === 58 || ch === 91 || ch === 123 || ch === 35 || ch === 34 || ch === 39) throw BAIL;
      e++;
    }
    while (e > p && this.text.charCodeAt(e - 1) === 32) e--;
    const raw = this.text.slice(p, e);
    if (raw === '') throw BAIL;
    checkPlainStart(raw);
    return { node: { kind: 'scalar', value: plainValue(raw), loc: this.loc(p, e) }, end: e };
  }
}
