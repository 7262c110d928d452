/**
 * The state the reconciler keeps across daemon restarts (lineage, serial,
 * applied revision, the spawned agents' pids with start times, completed
 * oneshots) and the pure steps on it. Persisting it is the state store's job
 * (src/daemon/state-store.ts); this module touches no file.
 */

import { randomUUID } from 'node:crypto';

export const STATE_VERSION = 1;

/** One spawned agent instance, enough to find it again after a daemon restart. */
export interface AgentRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat when spawned: with the pid, names the process uniquely. */
  startTime: number;
  /** ISO time of the spawn. */
  spawnedAt: string;
  /** Restarts of this instance so far, so a new daemon continues the count. */
  restarts?: number;
}

/** The content of state.json. */
export interface State {
  version: typeof STATE_VERSION;
  /** Random id of this state's history; a saved plan from another lineage is refused. */
  lineage: string;
  /** Bumped on every apply; a saved plan made at an older serial is stale. */
  serial: number;
  daemonPid?: number;
  /** The number of the revision under revisions/ that is applied now. */
  appliedRevision?: number;
  /** /proc/sys/kernel/random/boot_id when the agents were recorded; start times from another boot mean nothing. */
  bootId?: string;
  /** By instance name. */
  agents: Record<string, AgentRecord>;
  /** Oneshot instances that completed (exit 0), with the ISO time: a new daemon must not run them again. */
  completed?: Record<string, string>;
}

/** A state with nothing applied yet and a new lineage. */
export function newState(): State {
  return { version: STATE_VERSION, lineage: randomUUID(), serial: 0, agents: {} };
}

/** The state after one more apply: serial bumped, revision recorded. */
export function markApplied(state: State, revision: number): State {
  return { ...state, serial: state.serial + 1, appliedRevision: revision };
}
