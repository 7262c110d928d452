/**
 * The places under the state directory that supervision uses, as their one
 * owner (src/daemon/paths.ts, whose `StatePaths` fits this shape) hands them
 * down through the Engine's options. Supervision never joins a path under
 * the state directory itself.
 */

export interface SupervisionPaths {
  /** The state directory itself, absolute: the project's identity (each agent's ORCHESTRA_STATE_DIR marker, its cgroup's name), not a place written here. */
  readonly dir: string;
  /** The agents' log directory (the engine creates it, owner only). */
  readonly logs: string;
  /** The tree boundary's append-only spawn ledger. */
  readonly ledger: string;
  /** The log file of one instance, inside `logs`. */
  logFile(instance: string): string;
}

/** What a boundary needs: the project's identity and the ledger of the tree fallback. */
export type BoundaryPaths = Pick<SupervisionPaths, 'dir' | 'ledger'>;
