/**
 * What an Instance shares with the modules that carry out its runs
 * (launch.ts, termination.ts, run-end.ts) and with nobody else: the record of
 * its current run, its restart record, its probes, and the transitions those
 * modules may apply. The Instance builds one in its constructor and never
 * hands it out; everyone else reads the Instance's getters and calls its
 * named transitions.
 */

import type { AgentSpec } from '../plan/spec.js';
import type { AgentState, ExitInfo, StateInput } from './agent-state.js';
import type { InstanceBoundary } from './boundary.js';
import type { KillIntent } from './exit-decision.js';
import type { Instance } from './instance.js';
import type { InstanceHost } from './instance-host.js';
import type { SpawnedProcess } from './process-group.js';
import type { ProcInfo } from './procfs.js';
import type { RestartRecord } from './restart-record.js';
import type { EventFields, RunProbes } from './run-probes.js';

/** The mutable record of the current run: who its main process is and what is under way. */
export interface RunRecord {
  /** The main process when it is our child; undefined for an adopted or forked one. */
  process: SpawnedProcess | undefined;
  /** The main process when it is not our child (adopted, or found through a pid file): polled, its exit code unknown. */
  adoptedPid: number | undefined;
  adoptTimer: unknown;
  /** Settles once the current run's exit has been processed. */
  exitSeen: Promise<void> | undefined;
  /** The stop of the last run, until its final sweep of the boundary is over. */
  sweeping: Promise<void> | undefined;
  /** A stop for good under way. */
  stopping: Promise<void> | undefined;
  /** Why the supervisor ended the run, read by the exit handler. */
  intent: KillIntent | undefined;
  spawnRequestedAt: number;
  /** Whether the boundary was checked for a copy left running by an earlier daemon (once, before the first spawn). */
  liveChecked: boolean;
  /** True while a spawn is in flight (between the request and the pid), so a second launch is ignored. */
  spawning: boolean;
  backoffTimer: unknown;
}

/** An instance as its own modules see it. */
export interface InstanceCore {
  readonly self: Instance;
  readonly host: InstanceHost;
  readonly name: string;
  readonly spec: Readonly<AgentSpec>;
  readonly state: AgentState;
  readonly pid: number | undefined;
  readonly boundary: InstanceBoundary;
  readonly logFile: string;
  readonly run: RunRecord;
  readonly restarts: RestartRecord;
  readonly probes: RunProbes;
  /** Applies a state input, emits the event that reports it, then tells the host. */
  move(input: StateInput, event?: EventFields): void;
  emit(event: EventFields): void;
  /** The tree members the monitor last saw, so a stop finds descendants whose parent already died. */
  treeLastSeen(): readonly ProcInfo[];
  /** Records how the run ended. */
  setLastExit(exit: ExitInfo): void;
}

/** A fresh run record: nothing runs, nothing is under way. */
export function emptyRun(): RunRecord {
  return {
    process: undefined,
    adoptedPid: undefined,
    adoptTimer: undefined,
    exitSeen: undefined,
    sweeping: undefined,
    stopping: undefined,
    intent: undefined,
    spawnRequestedAt: 0,
    liveChecked: false,
    spawning: false,
    backoffTimer: undefined,
  };
}
