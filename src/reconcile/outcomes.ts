/**
 * What the Reconciler is asked and what it answers: an apply request and
 * its outcome, the state a plan is computed against, and the outcomes of
 * control and reload. The daemon API carries these types over the socket.
 */

import type { ChangeSet } from '../plan/change-set.js';
import type { ObservedAgent } from '../plan/observed.js';
import type { Plan } from '../plan/spec.js';
import type { ExecutionOutcome } from './execute-changes.js';
import type { Revision } from './revision.js';

/** What to converge to. */
export interface ApplyRequest {
  plan: Plan;
  /** Desired env file hashes (absolute path → sha256), computed from disk by the caller. */
  envFileHashes: Record<string, string>;
  /** A saved plan's stamp: refused when anything was applied since. */
  expected?: { lineage: string; serial: number };
  rollbackOf?: number;
}

/** What an apply did: nothing (no changes), or a new revision with the engine's outcome. */
export type ApplyOutcome =
  | { kind: 'unchanged'; changes: ChangeSet; serial: number }
  | { kind: 'applied'; changes: ChangeSet; serial: number; revision: Revision; execution: ExecutionOutcome };

/** What a plan is computed against. */
export interface PlanState {
  lineage: string;
  serial: number;
  applied?: Revision;
  observed: ObservedAgent[];
}

/** What a reload request touched: the instances reloaded, and why the others were not. */
export interface ReloadOutcome {
  agents: string[];
  reloaded: string[];
  failed: { name: string; reason: string }[];
}

/** What a control request touched, and whether it settled in time. */
export interface ControlOutcome {
  agents: string[];
  settled: boolean;
}
