/**
 * When the monitor's full round (every instance's usage) is due: whether
 * someone is watching the fleet's figures, and how often a round comes
 * for each case. While watched (a look at usage in the last few minutes, or
 * a watch held open, such as a dashboard's event stream) or while some
 * instance is judged (thresholds, `nice`), every fifth `monitor.interval`
 * (10 s by default); otherwise once a minute, so an idle fleet nobody looks
 * at wakes the daemon as rarely as that. Owns the watch bookkeeping only;
 * the monitor arms the timers.
 */

/** How long a look keeps the fleet watched. */
export const WATCHED_FOR_MS = 180_000;
/** Full rounds of a fleet nobody watches and nothing judges come this often (at least as often as the watched ones). */
export const UNWATCHED_EVERY_MS = 60_000;

/** `<watched for ms>,<unwatched every ms>`: shorter cadences for tests and benchmarks only (not a manifest key: nothing a user sees depends on it). */
export const UNWATCHED_VAR = 'ORCHESTRA_MONITOR_UNWATCHED';

export interface UnwatchedTiming {
  /** How long a look keeps the fleet watched. */
  watchedForMs: number;
  /** How often a full round comes while unwatched. */
  everyMs: number;
}

/** The unwatched timing: the defaults, or UNWATCHED_VAR when it holds two positive numbers. */
export function unwatchedTiming(env: Record<string, string | undefined> = process.env): UnwatchedTiming {
  const [forMs, everyMs] = (env[UNWATCHED_VAR] ?? '').split(',').map(Number);
  if (forMs! > 0 && everyMs! > 0) return { watchedForMs: forMs!, everyMs: everyMs! };
  return { watchedForMs: WATCHED_FOR_MS, everyMs: UNWATCHED_EVERY_MS };
}

/** Who is watching: the last look, and the watches held open. */
export class Watchers {
  #lookedAt = -Infinity;
  #held = 0;

  constructor(private readonly forMs: number) {}

  /** Someone looked now. */
  looked(now: number): void {
    this.#lookedAt = now;
  }

  /** Someone watches until the returned function is called (once counts; later calls do nothing). */
  hold(): () => void {
    this.#held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held--;
    };
  }

  /** Whether the fleet counts as watched at `now`. */
  watched(now: number): boolean {
    return this.#held > 0 || now - this.#lookedAt < this.forMs;
  }
}

/** How long after the last full round the next one is due. */
export function fullRoundEveryMs(c: { watched: boolean; judged: boolean; watchedEveryMs: number; unwatchedEveryMs: number }): number {
  return c.watched || c.judged ? c.watchedEveryMs : Math.max(c.watchedEveryMs, c.unwatchedEveryMs);
}
