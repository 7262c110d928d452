/**
 * The scalars of the fast YAML reader (yaml-reader.ts): plain values by
 * yaml's core schema, one-line quoted strings, and the Bail signal that sends
 * a text to the full parser. Pure.
 */

import type { ScalarValue } from '../node.js';

/** Thrown to give up: the text is beyond the subset and goes to `yaml`. */
export class Bail extends Error {}
export const BAIL = new Bail();

export const PLAIN_START = /[A-Za-z0-9_./$~(+-]/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INT = /^[-+]?[0-9]+$/;
const SPECIAL_NUMBER = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0o[0-7]+|0x[0-9a-fA-F]+)$/;

/** Gives up on a plain scalar the subset does not read the way yaml would. */
export function checkPlainStart(raw: string): void {
  const c = raw[0]!;
  if (!PLAIN_START.test(c)) throw BAIL;
  if ((c === '-' || c === '?') && (raw.length === 1 || raw[1] === ' ')) throw BAIL;
  if (raw === '---' || raw.startsWith('--- ')) throw BAIL;
}

/** yaml's core schema for plain scalars; exotic number forms are left to yaml. */
export function plainValue(raw: string): ScalarValue {
  switch (raw) {
    case '':
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const c = raw.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (SPECIAL_NUMBER.test(raw)) throw BAIL;
    if (INT.test(raw)) {
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw BAIL;
      return n;
    }
    if (FLOAT.test(raw)) return Number(raw);
  }
  return raw;
}

/** A one-line quoted scalar starting at `p`. */
export function quoted(text: string, p: number, end: number): { value: string; end: number } {
  const q = text[p]!;
  if (q === "'") {
    let e = p + 1;
    let value = '';
    for (;;) {
      const close = text.indexOf("'", e);
      if (close < 0 || close >= end) throw BAIL;
      value += text.slice(e, close);
      if (text[close + 1] === "'") {
        value += "'";
        e = close + 2;
        continue;
      }
      return { value, end: close + 1 };
    }
  }
  let e = p + 1;
  let escaped = false;
  while (e < end) {
    const ch = text.charCodeAt(e);
    if (ch === 92) {
      escaped = true;
      e += 2;
      continue;
    }
    if (ch === 34) break;
    e++;
  }
  if (e >= end) throw BAIL;
  const body = text.slice(p + 1, e);
  if (!escaped) return { value: body, end: e + 1 };
  // Only the escapes YAML and JSON share (not \x, \e, \N, \U, `\ `…).
  if (/\\[^"\\/bfnrtu]/.test(body)) throw BAIL;
  try {
    return { value: JSON.parse(`"${body}"`) as string, end: e + 1 };
  } catch {
    throw BAIL;
  }
}
