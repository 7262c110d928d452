/**
 * What the end of one run means for an instance: stopped for good, restarted
 * after a delay, given up on, or simply exited (a completed oneshot). Pure:
 * it combines the stop in progress, the supervisor's own kill intent, the
 * startup retry budget and the restart policy into one decision. Applying it
 * (state moves, events, timers) is the instance's job.
 */

import type { AgentSpec } from '../plan/spec.js';
import type { ExitInfo } from './agent-state.js';
import { decideRestart, type RestartHistory } from './restart-policy.js';

/** Why the supervisor itself ended a run: decides what the exit means. */
export type KillIntent =
  | { kind: 'failure'; reason: string } // liveness, threshold: a failed run under the restart policy
  | { kind: 'startup-timeout'; reason: string }
  | { kind: 'forced'; reason: string }; // manual or dependency restart: always run again

export interface RunEndContext {
  spec: Pick<AgentSpec, 'type' | 'restart' | 'startup'>;
  exit: ExitInfo;
  runMs: number;
  /** Set when a stop-for-good was under way: its reason. */
  stoppingFor: string | undefined;
  intent: KillIntent | undefined;
  history: RestartHistory;
  startupRetries: number;
  random: () => number;
}

export type ExitDecision = (
  | { kind: 'stopped'; reason: string }
  | { kind: 'backoff'; delayMs: number; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'exited'; completed: boolean }
) & { history: RestartHistory; startupRetries: number };

/** Decides what follows the end of a run. */
export function decideExit(c: RunEndContext): ExitDecision {
  const keep = { history: c.history, startupRetries: c.startupRetries };
  if (c.stoppingFor !== undefined) return { kind: 'stopped', reason: c.stoppingFor, ...keep };
  if (c.intent?.kind === 'forced') return { kind: 'backoff', delayMs: 0, reason: c.intent.reason, ...keep };
  if (c.intent?.kind === 'startup-timeout') {
    const retries = c.spec.startup.retries;
    if (c.startupRetries < retries) {
      const n = c.startupRetries + 1;
      return { kind: 'backoff', delayMs: 0, reason: `${c.intent.reason} (startup retry ${n} of ${retries})`, history: c.history, startupRetries: n };
    }
    const attempts = c.startupRetries + 1;
    return { kind: 'failed', reason: `${c.intent.reason} after ${attempts} attempt${attempts === 1 ? '' : 's'}`, ...keep };
  }
  const decision = decideRestart(
    c.spec.restart,
    { type: c.spec.type, code: c.exit.code, signal: c.exit.signal, runMs: c.runMs, ...(c.intent ? { killedFor: c.intent.reason } : {}) },
    c.history,
    c.random,
  );
  const next = { history: decision.history, startupRetries: c.startupRetries };
  if (decision.restart) return { kind: 'backoff', delayMs: decision.delayMs, reason: decision.reason, ...next };
  if (decision.outcome === 'failed') return { kind: 'failed', reason: decision.reason, ...next };
  return { kind: 'exited', completed: c.spec.type === 'oneshot', ...next };
}
