/**
 * Result: how library code reports expected failure without throwing.
 * Only src/cli turns a failed Result into an exit code.
 */

export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** Wraps a success value. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** Wraps a failure value. */
export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
