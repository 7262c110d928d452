/**
 * What the Reconciler needs from the world, as interfaces: an engine made
 * for a Plan, the revision store, the state store, the process facts that
 * recovery reads, and a clock. The daemon (and `up`) hand in the real ones;
 * tests hand in fakes.
 */

import type { OrchestraEvent } from '../events/event.js';
import type { Plan } from '../plan/spec.js';
import type { Result } from '../util/result.js';
import type { ChangeTarget } from './execute-changes.js';
import type { MarkedProcess } from './recovery.js';
import type { Revision, RevisionInput } from './revision.js';
import type { State } from './state.js';

/** The engine operations reconciliation uses (src/supervise's Engine provides them). */
export interface ReconcileEngine extends ChangeTarget {
  onEvent(listener: (e: OrchestraEvent) => void): () => void;
  adopt(name: string, pid: number, startedAt?: number, restarts?: number): void;
  markCompleted(name: string, at: number): void;
  startOrder(): string[];
  /** How often one instance was restarted. */
  restartsOf(name: string): number | undefined;
  /** Instances that have a `reload`. */
  reloadable(): string[];
  stopAll(reason?: string): Promise<void>;
  kill(): Promise<void>;
  dispose(): Promise<void>;
}

/** The revisions of one state directory. */
export interface RevisionStore {
  get(number: number): Promise<Result<Revision, string>>;
  latest(): Promise<Revision | undefined>;
  /** Stores the next revision, numbered at least `atLeast`. */
  write(input: RevisionInput, options: { atLeast: number }): Promise<Revision>;
}

/** state.json of one state directory. */
export interface StateStore {
  /** The stored state, or a message saying why it cannot be used. */
  load(): Promise<Result<State, { message: string }>>;
  /** Stores `state`; `durable: false` when only agent records changed, which need not survive the machine (their processes do not). */
  save(state: State, options?: { durable?: boolean }): Promise<void>;
  /** Replaces an unusable state with a new one seeded with what is still known. */
  rebuild(seed: { serial?: number; appliedRevision?: number }): Promise<{ state: State; preservedAs?: string }>;
}

/** The facts about processes recovery decides on. */
export interface ProcessFacts {
  bootId(): Promise<string | undefined>;
  /** Agent processes found by their environment marker, by instance name. */
  marked(): Promise<ReadonlyMap<string, MarkedProcess>>;
  isSameProcess(pid: number, startTime: number): Promise<boolean>;
  /** Field 22 of /proc/<pid>/stat (for records), undefined when gone. */
  startTimeOf(pid: number): Promise<number | undefined>;
  /** Wall-clock ms when the process started, for adoption. */
  startedAt(pid: number): Promise<number | undefined>;
}

/** Everything a Reconciler is made of. */
export interface ReconcilerPorts<E extends ReconcileEngine> {
  engine: (plan: Plan) => E;
  revisions: RevisionStore;
  state: StateStore;
  processes: ProcessFacts;
  clock: () => Date;
  /** The pid written to state.json as the one that supervises (the daemon's or `up`'s). */
  pid: number;
}
