/**
 * Restart policy: given how a run ended and the agent's recent history,
 * decide whether to restart, after how long, or to give up. Pure: time and
 * randomness are inputs, nothing here touches a process or a timer.
 *
 * Two counters make up the history:
 * - `failures`: consecutive failed runs (non-zero exit, signal, unknown exit,
 *   liveness or threshold kill), at any time in the agent's life, including
 *   runs that never became ready. `max_attempts` compares against it.
 * - `restarts`: consecutive restarts, the exponent of the exponential backoff.
 * A run that lasted at least `reset_after` resets both before this exit is counted.
 */

import type { AgentType, RestartSpec } from '../plan/spec.js';

export interface RestartHistory {
  failures: number;
  restarts: number;
}

export interface RunEnd {
  type: AgentType;
  /** Exit code, or null when killed by a signal or unknown. */
  code: number | null;
  signal: string | null;
  /** How long the run lasted, ms. */
  runMs: number;
  /** Why the run ended when the supervisor ended it (liveness, threshold); counts as a failure. */
  killedFor?: string;
}

export type RestartDecision =
  | { restart: true; delayMs: number; history: RestartHistory; reason: string }
  | { restart: false; outcome: 'exited' | 'failed'; history: RestartHistory; reason: string };

/** Jitter amplitude of the exponential strategy: ±10%. */
export const JITTER = 0.1;

/** A human reason for the end of a run: `exit code 1`, `signal SIGKILL`, `liveness failure`. */
export function runEndReason(end: Pick<RunEnd, 'code' | 'signal' | 'killedFor'>): string {
  if (end.killedFor) return end.killedFor;
  if (end.signal) return `signal ${end.signal}`;
  if (end.code === null) return 'exit code unknown';
  return `exit code ${end.code}`;
}

/** Whether a run counts as failed for `max_attempts` and `on-failure`. */
export function isFailedRun(end: Pick<RunEnd, 'code' | 'signal' | 'killedFor'>): boolean {
  return end.killedFor !== undefined || end.signal !== null || end.code !== 0;
}

/** The delay before restart number `n` (0-based) for a strategy; `random` in [0, 1) drives the jitter. */
export function restartDelay(spec: RestartSpec, n: number, random: () => number): number {
  switch (spec.strategy) {
    case 'immediate':
      return 0;
    case 'delayed':
      return spec.delayMs;
    case 'exponential': {
      // 2^n overflows to Infinity for large n; min() keeps it at the cap.
      const base = Math.min(spec.delayMs * 2 ** n, spec.maxDelayMs);
      const jitter = 1 + (random() * 2 - 1) * JITTER;
      return Math.max(0, Math.round(base * jitter));
    }
  }
}

/** Decides what follows the end of a run. */
export function decideRestart(
  spec: RestartSpec,
  end: RunEnd,
  history: RestartHistory,
  random: () => number,
): RestartDecision {
  const fresh = end.runMs >= spec.resetAfterMs ? { failures: 0, restarts: 0 } : history;
  const failed = isFailedRun(end);
  const failures = failed ? fresh.failures + 1 : 0;
  const why = runEndReason(end);

  if (!failed && end.type === 'oneshot') {
    return { restart: false, outcome: 'exited', history: { failures: 0, restarts: 0 }, reason: 'completed' };
  }
  const wanted = spec.when === 'always' || (spec.when === 'on-failure' && failed);
  if (!wanted) {
    return failed
      ? { restart: false, outcome: 'failed', history: { ...fresh, failures }, reason: `${why} (restart: ${spec.when})` }
      : { restart: false, outcome: 'exited', history: { ...fresh, failures }, reason: why };
  }
  if (failed && spec.maxAttempts > 0 && failures >= spec.maxAttempts) {
    return {
      restart: false,
      outcome: 'failed',
      history: { ...fresh, failures },
      reason: `gave up after ${failures} consecutive failed runs (last: ${why})`,
    };
  }
  const delayMs = restartDelay(spec, fresh.restarts, random);
  return { restart: true, delayMs, history: { failures, restarts: fresh.restarts + 1 }, reason: why };
}
