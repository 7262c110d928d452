/**
 * The agent boundary: the set of every process an agent instance ever
 * started, whatever it forks, re-parents or renames. One interface, two
 * implementations: a cgroup v2 per instance (cgroup-boundary.ts) where the
 * daemon can create cgroups, the process tree plus environment marker plus
 * spawn ledger (tree-boundary.ts) everywhere else. This module owns the
 * interface and the choice between them; it signals nothing itself.
 */

import type { Result } from '../util/result.js';
import { cgroupBoundary, findInCgroups } from './cgroup-boundary.js';
import type { ProcInfo } from './procfs.js';
import { findInLedger, treeBoundary } from './tree-boundary.js';
import type { BoundaryPaths } from './supervision-paths.js';

export type BoundaryKind = 'cgroup' | 'tree';

/** Which boundary is in use, and for the fallback why (shown by `status`). */
export interface BoundaryInfo {
  kind: BoundaryKind;
  /** Why the cgroup boundary is not used ("cgroup v2 not writable: EACCES on …"). */
  reason?: string;
  /** The project's cgroup directory (cgroup boundary only). */
  path?: string;
  /** The cgroup delegated to a non-root daemon, below which the project's lives (cgroup boundary, not as root). */
  delegated?: string;
}

/** The processes of the machine as seen once, shared by a batch of stops so N stops cost one /proc read. */
export interface Survey {
  procs: readonly ProcInfo[];
  /** Fallback only: processes carrying this project's environment marker, by instance name. */
  marked?: ReadonlyMap<string, readonly ProcInfo[]>;
}

/** What a stop or a kill knows of the instance's main process. */
export interface MainProcess {
  pid: number;
  /** Tree members seen earlier (the monitor's last round), in case their parent died and unlinked them. */
  known?: readonly ProcInfo[];
}

/** A live instance found with no record at all (after state.json was lost). */
export interface FoundInstance {
  pid: number;
  startTime: number;
  foundBy: 'cgroup' | 'ledger';
}

/** How to spawn an instance's program so that it cannot run (or fork) before it is inside the boundary. */
export interface Launch {
  argv: string[];
  /** The spawn needs the go-ahead pipe on fd 3, opened after `enter`. */
  gate: boolean;
  /**
   * Runs a synchronous spawn so that the child is born inside the boundary
   * (no gate, no `enter`); an error when it could not, and then nothing was spawned.
   */
  within?: <T>(spawn: () => T) => Result<T, string>;
}

/** The boundary of one instance. */
export interface InstanceBoundary {
  /** How to spawn the program (argv, gate, or born within). */
  launch(argv: readonly string[]): Launch;
  /** Puts a freshly spawned process into the boundary (before its gate opens) and records it; not called after `within`. */
  enter(pid: number): Result<void, string>;
  /** Every live process of the instance. */
  members(main: MainProcess | undefined, survey: Survey): ProcInfo[];
  /** SIGKILLs everything in the boundary at once; returns the pids it found to kill. */
  killAll(main: MainProcess | undefined, survey: Survey): ProcInfo[];
  /** Whether nothing of the instance is alive any more (cheap: the cgroup answers without a /proc read). */
  empty(main: MainProcess | undefined, members: readonly ProcInfo[]): boolean;
  /** A live main process of this instance that this engine did not start (a daemon before it spawned it), if the boundary can tell. */
  live(): FoundInstance | undefined;
  /** CPU time used by every process that ever ran in the boundary, µs; undefined where only per-process sampling can tell. */
  cpuUsageUsec(): number | undefined;
  /** The pids in the boundary without a /proc walk, where the boundary can tell (cgroup.procs); undefined otherwise. */
  pids(): number[] | undefined;
  /** Frees what the boundary holds once nothing of the instance runs (removes an empty cgroup). */
  release(): void;
}

/** The boundary of a whole project (one state directory). */
export interface ProjectBoundary {
  readonly info: BoundaryInfo;
  /** The boundary of one instance. */
  instance(name: string): InstanceBoundary;
  /** One shared view of the machine's processes for a batch of stops. */
  survey(): Survey;
  /** Live instances found without state.json: from the cgroup tree, or the spawn ledger. */
  find(): Map<string, FoundInstance>;
  /** Removes everything empty (after `down`); leaves anything populated. */
  cleanup(): void;
}

/**
 * Every live instance of the state directory that some record other than
 * state.json names: its cgroup (whichever boundary is in use now) or its last
 * spawn in the ledger. For recovery when state.json is missing or corrupt.
 */
export function findLiveInstances(paths: BoundaryPaths): Map<string, FoundInstance> {
  const found = findInLedger(paths.ledger);
  // A cgroup is the stronger evidence: it holds the process whatever it did since.
  for (const [name, f] of findInCgroups(paths.dir)) found.set(name, f);
  return found;
}

/** The variable that forces a boundary: `tree` (the fallback, so CI covers it where cgroups work) or `cgroup`. */
export const BOUNDARY_VAR = 'ORCHESTRA_BOUNDARY';

/**
 * The project's boundary: cgroup v2 when it can be created here, else the
 * process tree with the reason. `ORCHESTRA_BOUNDARY=tree` forces the
 * fallback (so CI covers it where cgroups work); any other value but
 * `cgroup` is reported as the fallback's reason rather than guessed at.
 */
export function chooseBoundary(paths: BoundaryPaths, env: Record<string, string | undefined> = process.env): ProjectBoundary {
  const forced = env[BOUNDARY_VAR];
  if (forced === 'tree') return treeBoundary(paths, `forced by ${BOUNDARY_VAR}=tree`);
  if (forced !== undefined && forced !== '' && forced !== 'cgroup') {
    return treeBoundary(paths, `${BOUNDARY_VAR} must be \`cgroup\` or \`tree\`, got \`${forced}\``);
  }
  const cg = cgroupBoundary(paths.dir, env);
  if (cg.ok) return cg.value;
  // What the launcher tried to get a delegated cgroup (systemd-run), if anything.
  const scope = env[NO_SCOPE_VAR];
  return treeBoundary(paths, scope ? `${cg.error}; ${scope}` : cg.error);
}

/** Set by the launcher (src/daemon/delegated-scope.ts) for the daemon: why it runs without a delegated systemd scope. */
export const NO_SCOPE_VAR = 'ORCHESTRA_NO_SCOPE_REASON';
