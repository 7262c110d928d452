/**
 * The ChangeSet: what the planner decided, as data. Shared by `plan` (to
 * render), `apply` (to execute), saved plans and revision diffs. Owns only
 * the shapes and the counting; deciding lives in diff.ts, showing in render.ts.
 */

import type { Location } from '../util/diagnostic.js';

export const ACTION_KINDS = ['start', 'stop', 'restart', 'update', 'unchanged', 'recover', 'reload'] as const;

/**
 * - start: spawn an instance that is not running;
 * - stop: stop an instance that must not run (removed, scaled down, disabled);
 * - restart: replace the process (identity change, or a dependency with `restart: true` restarts);
 * - update: adopt supervision settings in place, the process keeps running;
 * - reload: only files named in `reload.on_change` changed: reload in place, the pid is kept;
 * - recover: start again an instance that should run but was observed failed, stopped or exited;
 * - unchanged: nothing to do.
 */
export type ActionKind = (typeof ACTION_KINDS)[number];

/** One changed leaf, in manifest words (`restart.delay`, `env.PORT`). */
export interface FieldChange {
  path: string;
  /** Absent when the field was not set before. `***` when secret. */
  old?: unknown;
  /** Absent when the field is no longer set. `***` when secret. */
  new?: unknown;
  /** Where the new value came from in the manifest, when known. */
  origin?: Location;
  /** The values were secret and have been masked. */
  secret?: true;
}

/** One thing to do to one instance, with the reason a human reads. */
export interface Action {
  kind: ActionKind;
  /** Instance name (`api-1`). */
  instance: string;
  /** Manifest agent name (`api`). */
  agent: string;
  /** Why, in words: `changed: command, env.PORT`, `dependency redis restarts`, `disabled`. */
  reason: string;
  /** The fields behind a restart or update (secrets masked). */
  fields?: FieldChange[];
  /** Dependency agents whose restart forces this one (`restart: true` edges). */
  triggeredBy?: string[];
}

/** Everything the planner decided, in execution order. */
export interface ChangeSet {
  /** Stops first (reverse dependency order), then the rest in dependency order. */
  actions: Action[];
  /** Project-level settings that change (monitor interval, notify); applied in place by the daemon. */
  project: FieldChange[];
  /** Actions per kind; a project settings change counts as one update in place. */
  counts: Record<ActionKind, number>;
  /** True when anything would change. */
  changes: boolean;
}

/** Builds the counts and the `changes` flag for a list of actions. */
export function summarize(actions: readonly Action[], project: readonly FieldChange[]): Pick<ChangeSet, 'counts' | 'changes'> {
  const counts = Object.fromEntries(ACTION_KINDS.map((k) => [k, 0])) as Record<ActionKind, number>;
  for (const a of actions) counts[a.kind]++;
  if (project.length > 0) counts.update++;
  const changes = ACTION_KINDS.some((k) => k !== 'unchanged' && counts[k] > 0);
  return { counts, changes };
}
