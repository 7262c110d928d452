/**
 * Source positions: turns byte offsets inside a file's text into the
 * `Location`s diagnostics carry. Knows nothing about YAML or the schema.
 */

import type { Location, Position, SourceRange } from './diagnostic.js';

/** Line starts of one text, for offset → line/column lookups by binary search. */
export class LineIndex {
  readonly #starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#starts.push(i + 1);
  }

  /** The 1-based line and column of a 0-based offset. */
  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - this.#starts[lo]! + 1 };
  }

  /** A range from `start` (inclusive) to `end` (exclusive) offsets. */
  range(start: number, end: number): SourceRange {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length));
    return { start: this.position(s), end: this.position(e), offset: s, length: e - s };
  }
}

/** A location covering `start..end` of `file`. */
export function locate(file: string, index: LineIndex, start: number, end: number): Location {
  return { file, range: index.range(start, end) };
}
