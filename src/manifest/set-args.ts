/**
 * `--set dotted.path=value` arguments → one overlay tree. The arguments are
 * treated as the lines of a pseudo-file named `<--set>` so their errors print
 * with a snippet like any manifest error. Values are YAML scalars or flow
 * collections (`3`, `false`, `[a, b]`, `{x: 1}`); `null` removes the key; an
 * empty value is the empty string. Pure.
 */

import { yaml } from './parse.js';
import { error, type Diagnostic, type Location } from '../util/diagnostic.js';
import { emptyMap, fromPlain, type MapNode } from './node.js';
import { LineIndex, locate } from './source.js';

/** The pseudo-file name under which `--set` arguments appear in diagnostics and `sources`. */
export const SET_FILE = '<--set>';

export interface SetLayer {
  root: MapNode;
  /** The arguments joined by newlines: the text of `<--set>` for snippets. */
  text: string;
  /** Each argument's path and where it was written, for later checks (e.g. unknown agents). */
  paths: { path: string[]; loc: Location; segmentLocs: Location[] }[];
  diagnostics: Diagnostic[];
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Parses the `--set` arguments; bad ones become diagnostics, good ones still apply. */
export function parseSetArgs(args: readonly string[]): SetLayer {
  const text = args.join('\n');
  const index = new LineIndex(text);
  const whole = locate(SET_FILE, index, 0, text.length);
  const root = emptyMap(whole);
  const diagnostics: Diagnostic[] = [];
  const paths: SetLayer['paths'] = [];
  let offset = 0;
  for (const arg of args) {
    const start = offset;
    offset += arg.length + 1;
    const argLoc = locate(SET_FILE, index, start, start + arg.length);
    const eq = arg.indexOf('=');
    if (eq < 0) {
      diagnostics.push(
        error('invalid-set-path', `--set argument "${arg}" has no "=": expected dotted.path=value`, argLoc, {
          hint: 'for example --set agents.api.replicas=3',
        }),
      );
      continue;
    }
    const pathText = arg.slice(0, eq);
    const segments = pathText.split('.');
    const segmentLocs: Location[] = [];
    let at = start;
    for (const s of segments) {
      segmentLocs.push(locate(SET_FILE, index, at, at + s.length));
      at += s.length + 1;
    }
    const bad = segments.findIndex((s) => !SEGMENT.test(s));
    if (bad >= 0) {
      const seg = segments[bad]!;
      diagnostics.push(
        error(
          'invalid-set-path',
          seg === '' ? `--set path "${pathText}" has an empty segment` : `--set path "${pathText}" has an invalid segment "${seg}"`,
          pathText === '' ? argLoc : segmentLocs[bad]!,
          { hint: 'a path is keys joined by dots, e.g. agents.api.env.PORT (lists are replaced whole, not indexed)' },
        ),
      );
      continue;
    }
    const valueText = arg.slice(eq + 1);
    const valueLoc = locate(SET_FILE, index, start + eq + 1, start + arg.length);
    let value: unknown;
    try {
      value = valueText === '' ? '' : yaml().parse(valueText);
    } catch (e) {
      diagnostics.push(
        error('invalid-set-value', `--set value "${valueText}" is not a YAML value: ${(e as Error).message.split('\n')[0]}`, valueLoc, {
          hint: 'quote strings that contain YAML syntax, e.g. --set \'agents.api.env.X="a: b"\'',
        }),
      );
      continue;
    }
    paths.push({ path: segments, loc: argLoc, segmentLocs });
    let map = root;
    for (let i = 0; i < segments.length - 1; i++) {
      const key = segments[i]!;
      const existing = map.entries.get(key);
      if (existing?.value.kind === 'map') {
        map = existing.value;
      } else {
        const next = emptyMap(argLoc);
        map.entries.set(key, { key: segmentLocs[i]!, value: next });
        map = next;
      }
    }
    map.entries.set(segments.at(-1)!, { key: segmentLocs.at(-1)!, value: fromPlain(value, valueLoc) });
  }
  return { root, text, paths, diagnostics };
}
