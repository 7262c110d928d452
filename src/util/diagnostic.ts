/**
 * Diagnostic: every error a user can cause, as data. Printing lives in
 * src/report/diagnostics.ts; this module only describes the shape.
 */

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** A span inside one file; `end` is exclusive. Offsets are 0-based. */
export interface SourceRange {
  start: Position;
  end: Position;
  offset: number;
  length: number;
}

/** Where something is: a file and, when known, the range inside it. */
export interface Location {
  file: string;
  range?: SourceRange;
}

export type Severity = 'error' | 'warning';

/** A located message about user input. */
export interface Diagnostic {
  severity: Severity;
  /** Stable kebab-case identifier of the kind of problem, e.g. `unknown-key`. */
  code: string;
  message: string;
  location?: Location;
  hint?: string;
  /** Other places that take part, e.g. every edge of a cycle. */
  related?: { message: string; location?: Location }[];
}

/** Builds an error diagnostic. */
export function error(
  code: string,
  message: string,
  location?: Location,
  extra: { hint?: string; related?: Diagnostic['related'] } = {},
): Diagnostic {
  const d: Diagnostic = { severity: 'error', code, message };
  if (location) d.location = location;
  if (extra.hint !== undefined) d.hint = extra.hint;
  if (extra.related !== undefined) d.related = extra.related;
  return d;
}

/** True when any diagnostic is an error (warnings alone do not fail a load). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
