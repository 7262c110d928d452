/**
 * What a revision is: an applied Plan kept with its time, input file hashes,
 * git commit and change summary. The reconciler writes one per apply that
 * changed something; storing them is src/daemon/revisions.ts's job.
 */

import type { ActionKind, ChangeSet } from '../plan/change-set.js';
import type { Plan } from '../plan/spec.js';

/** The commit the manifest was at when applied. */
export interface GitInfo {
  commit: string;
  /** Tracked files differ from the commit, or an input file is not tracked. */
  dirty: boolean;
}

/** What `history` lists: a revision without its plan. */
export interface RevisionSummary {
  number: number;
  /** ISO time of the apply. */
  time: string;
  environment?: string;
  /** The manifest and overlay files with their sha256 at apply time. */
  files: { path: string; sha256: string | null }[];
  git?: GitInfo;
  /** The ChangeSet's counts and its summary line. */
  summary: { counts: Record<ActionKind, number>; text: string };
  /** The revision this one rolled back to, when it was a rollback. */
  rollbackOf?: number;
}

/** A stored revision: the applied Plan with everything needed to diff against it later. */
export interface Revision extends RevisionSummary {
  /** Env file content hashes at apply time (absolute path → sha256). */
  envFileHashes: Record<string, string>;
  plan: Plan;
}

/** A Plan with its env file hashes: what diffRevisions compares (a Revision is one). */
export interface PlanSnapshot {
  plan: Plan;
  envFileHashes: Readonly<Record<string, string>>;
}

export interface RevisionInput {
  plan: Plan;
  changeSet: ChangeSet;
  envFileHashes: ReadonlyMap<string, string>;
  time: Date;
  rollbackOf?: number;
}
