/**
 * Source positions: turns offsets inside a file's text into the `Location`s
 * diagnostics carry. Knows nothing about YAML or the schema.
 *
 * Every node of a parsed manifest carries a location, but only the few that
 * end up in a printed diagnostic, an origin shown by `orchestra plan` or a
 * saved plan ever need a line and column. So a range stores its offsets and
 * works out `start` and `end` on first read (then keeps them); the line table
 * itself is built on the first such read.
 */

import type { Location, Position, SourceRange } from '../util/diagnostic.js';

/** Line starts of one text, for offset → line/column lookups by binary search. */
export class LineIndex {
  #starts: number[] | undefined;

  constructor(readonly text: string) {}

  /** The 1-based line and column of a 0-based offset. */
  position(offset: number): Position {
    const starts = (this.#starts ??= lineStarts(this.text));
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: clamped - starts[lo]! + 1 };
  }

  /** A range from `start` (inclusive) to `end` (exclusive) offsets; line and column are resolved when first read. */
  range(start: number, end: number): SourceRange {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length));
    return new OffsetRange(this, s, e - s);
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i >= 0) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

/**
 * A `SourceRange` whose positions are computed on demand. `offset` and
 * `length` are own data; `start` and `end` are accessors, and `toJSON` writes
 * all four, so serialised plans and diagnostics look exactly as before.
 */
class OffsetRange implements SourceRange {
  readonly #index: LineIndex;
  #start: Position | undefined;
  #end: Position | undefined;

  constructor(
    index: LineIndex,
    readonly offset: number,
    readonly length: number,
  ) {
    this.#index = index;
  }

  get start(): Position {
    return (this.#start ??= this.#index.position(this.offset));
  }

  get end(): Position {
    return (this.#end ??= this.#index.position(this.offset + this.length));
  }

  toJSON(): { start: Position; end: Position; offset: number; length: number } {
    return { start: this.start, end: this.end, offset: this.offset, length: this.length };
  }
}

/** A location covering `start..end` of `file`. */
export function locate(file: string, index: LineIndex, start: number, end: number): Location {
  return { file, range: index.range(start, end) };
}
