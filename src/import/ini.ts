/**
 * Reads an INI file the way supervisord's config parser (Python's
 * RawConfigParser) does, into located sections: `[section]` headers,
 * `key = value` or `key: value` (keys lowercased), whole-line comments
 * starting with `;` or `#`, inline comments after whitespace, continuation
 * lines indented under a value, the later of two equal keys or sections
 * winning. Every key and value keeps its line and column. Pure.
 */

import type { Location } from '../util/diagnostic.js';
import type { MapNode } from '../manifest/node.js';
import { LineIndex, locate } from '../manifest/source.js';
import type { ImportNotes } from './draft.js';

/** One `[name]` section: its options as a located map, and where its header is. */
export interface IniSection {
  name: string;
  header: Location;
  options: MapNode;
}

/** The sections of `text`, in order; syntax errors are located errors in `notes`. */
export function parseIni(file: string, text: string, notes: ImportNotes): IniSection[] {
  const index = new LineIndex(text);
  const sections = new Map<string, IniSection>();
  let current: IniSection | undefined;
  let last: { key: string; start: number } | undefined;
  let offset = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const start = offset;
    offset += rawLine.length + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) {
      if (trimmed === '') last = undefined;
      continue;
    }
    if (/^\s/.test(line) && last && current) {
      // A continuation line: part of the previous value, joined with a newline.
      const entry = current.options.entries.get(last.key)!;
      const value = entry.value as { kind: 'scalar'; value: string; loc: Location };
      const more = stripInlineComment(trimmed);
      entry.value = { kind: 'scalar', value: `${value.value}\n${more}`, loc: locate(file, index, last.start, start + line.length) };
      continue;
    }
    const header = /^\[(.+)\]\s*(?:[;#].*)?$/.exec(trimmed);
    if (header) {
      const name = header[1]!.trim();
      const loc = locate(file, index, start + line.indexOf('['), start + line.indexOf(']') + 1);
      current = sections.get(name) ?? { name, header: loc, options: { kind: 'map', entries: new Map(), loc } };
      sections.set(name, current);
      last = undefined;
      continue;
    }
    const delimiter = line.search(/[=:]/);
    if (delimiter <= 0 || !current) {
      notes.error('ini-syntax', current ? 'expected `key = value`' : 'an option before the first `[section]` header', locate(file, index, start, start + line.length));
      last = undefined;
      continue;
    }
    const key = line.slice(0, delimiter).trim().toLowerCase();
    const keyStart = start + line.search(/\S/);
    const rawValue = line.slice(delimiter + 1);
    const value = stripInlineComment(rawValue.trim());
    const valueStart = start + delimiter + 1 + (rawValue.length - rawValue.trimStart().length);
    current.options.entries.set(key, {
      key: locate(file, index, keyStart, keyStart + line.slice(0, delimiter).trim().length),
      value: { kind: 'scalar', value, loc: locate(file, index, valueStart, valueStart + value.length) },
    });
    last = { key, start: valueStart };
  }
  return [...sections.values()];
}

/** A value without its inline comment (`;` or `#` after whitespace). */
function stripInlineComment(value: string): string {
  const m = /\s[;#]/.exec(value);
  return (m ? value.slice(0, m.index) : value).trim();
}
