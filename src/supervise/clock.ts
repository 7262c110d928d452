/**
 * Clock: the engine's only source of time and timers, injected so pure
 * decisions (restart delays, thresholds, health) get `now` as a number and
 * tests can substitute a manual clock. Owns no state beyond the timers it hands out.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The wall clock with Node timers. They keep the process alive: a running engine is a reason to stay up; `dispose()` clears them. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
