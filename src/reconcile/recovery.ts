/**
 * What a new daemon does with each instance of the applied Plan: adopt the
 * process that still runs, mark a completed oneshot, restart a service that
 * died while nobody watched, or leave it stopped. Decides only; the
 * Reconciler (reconciler.ts) carries the decisions out on its engine.
 */

import type { Plan } from '../plan/spec.js';
import type { State } from './state.js';

/** An agent process found without state.json: by the environment marker it was spawned with, its cgroup, or the spawn ledger. */
export interface MarkedProcess {
  pid: number;
  startTime: number;
  /** Which record found it (absent: the marker). */
  foundBy?: 'marker' | 'cgroup' | 'ledger';
  /** Restarts of the instance when this process was spawned; absent from processes of older versions. */
  restarts?: number;
}

export type RecoveryDecision =
  | { kind: 'adopt'; pid: number; startTime: number; foundBy: 'record' | 'marker' | 'cgroup' | 'ledger'; restarts?: number }
  | { kind: 'completed'; at: number }
  | { kind: 'restart' }
  | { kind: 'idle' };

export interface RecoveryInput {
  plan: Plan;
  state: State;
  /** False after a reboot: recorded start times mean nothing then. */
  sameBoot: boolean;
  /** Agents found by their environment marker. */
  marked: ReadonlyMap<string, MarkedProcess>;
  /** Whether a recorded pid is still the process that was spawned. */
  isSameProcess: (pid: number, startTime: number) => Promise<boolean>;
}

/** One decision per instance of the Plan, in Plan order. */
export async function decideRecovery(input: RecoveryInput): Promise<Map<string, RecoveryDecision>> {
  const decisions = new Map<string, RecoveryDecision>();
  for (const spec of input.plan.instances) {
    const record = input.state.agents[spec.name];
    const found = input.marked.get(spec.name);
    const completedAt = input.state.completed?.[spec.name];
    let decision: RecoveryDecision;
    if (record && input.sameBoot && (await input.isSameProcess(record.pid, record.startTime))) {
      const restarts = record.restarts ?? (found?.pid === record.pid ? found.restarts : undefined);
      decision = { kind: 'adopt', pid: record.pid, startTime: record.startTime, foundBy: 'record', ...(restarts !== undefined ? { restarts } : {}) };
    } else if (spec.type === 'oneshot' && completedAt !== undefined) {
      decision = { kind: 'completed', at: Date.parse(completedAt) };
    } else if (found) {
      // The process itself says how many restarts came before it; a record left from an earlier run may be behind.
      const restarts = found.restarts ?? record?.restarts;
      decision = { kind: 'adopt', pid: found.pid, startTime: found.startTime, foundBy: found.foundBy ?? 'marker', ...(restarts !== undefined ? { restarts } : {}) };
    } else if (record && spec.type === 'service' && !spec.disabled && spec.restart.when !== 'never') {
      decision = { kind: 'restart' };
    } else {
      decision = { kind: 'idle' };
    }
    decisions.set(spec.name, decision);
  }
  return decisions;
}
