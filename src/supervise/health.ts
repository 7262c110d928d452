/**
 * Health score: one number 0-100 per instance for the status page, from its
 * state, its recent restarts, its probe failures and its active threshold
 * breaches. Pure; the formula is documented in docs/supervision.md and must
 * stay in step with it.
 */

import type { AgentStateName } from '../plan/state-name.js';
import type { ThresholdLevel } from './thresholds.js';

export type HealthColor = 'green' | 'yellow' | 'red';

export interface HealthInput {
  state: AgentStateName;
  /** True for an `exited` instance whose exit counts as success (oneshot code 0 or a clean exit). */
  cleanExit?: boolean;
  /** Times of restarts after a failure (not those orchestra caused), ms since epoch, oldest first; only the last 10 minutes and the latest COUNTED_RESTARTS count. */
  restartTimes: readonly number[];
  /** Current consecutive probe failures (readiness or liveness, whichever is running). */
  probeFailures: number;
  /** Active breach level per metric. */
  breaches: readonly ThresholdLevel[];
  now: number;
}

/** The window in which restarts lower the score. */
export const RESTART_WINDOW_MS = 10 * 60_000;

/** At most this many restarts lower the score, so no caller needs to keep more than the latest ones. */
export const COUNTED_RESTARTS = 4;

/** Adds a restart time to `times` (oldest first), keeping only the latest COUNTED_RESTARTS: a crash loop restarts thousands of times an hour, and the score counts no more. */
export function withRestart(times: readonly number[], at: number): number[] {
  return [...times, at].slice(-COUNTED_RESTARTS);
}

const STATE_BASE: Record<AgentStateName, number> = {
  running: 100,
  stopped: 100,
  exited: 100,
  starting: 90,
  pending: 90,
  waiting: 90,
  stopping: 90,
  backoff: 50,
  blocked: 30,
  failed: 0,
};

/** Computes the score: base(state) − 10·restarts(10 min, ≤ 4) − 10·probe failures (≤ 3) − 15 per warn − 30 per critical, clamped to 0-100. */
export function healthScore(input: HealthInput): number {
  if (input.state === 'failed') return 0;
  let base = STATE_BASE[input.state];
  if (input.state === 'exited' && input.cleanExit === false) base = 50;
  const recent = input.restartTimes.filter((t) => input.now - t < RESTART_WINDOW_MS && t <= input.now).length;
  const restartPenalty = 10 * Math.min(recent, COUNTED_RESTARTS);
  const probePenalty = 10 * Math.min(input.probeFailures, 3);
  const breachPenalty = input.breaches.reduce((sum, b) => sum + (b === 'critical' ? 30 : b === 'warn' ? 15 : 0), 0);
  return Math.max(0, Math.min(100, base - restartPenalty - probePenalty - breachPenalty));
}

/** Green ≥ 80, yellow ≥ 50, red below. */
export function healthColor(score: number): HealthColor {
  if (score >= 80) return 'green';
  if (score >= 50) return 'yellow';
  return 'red';
}
