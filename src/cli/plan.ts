/**
 * `orchestra plan`: what apply would do, without doing it. Works with no
 * daemon (then everything is a start); `--out` saves the plan stamped with
 * the state's lineage and serial; `--detailed-exitcode` exits 2 on changes.
 */

import { writeFile } from 'node:fs/promises';
import { api } from '../daemon/api.js';
import type { Revision } from '../daemon/revisions.js';
import type { ChangeSet } from '../plan/change-set.js';
import { diff } from '../plan/diff.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import type { ObservedAgent } from '../plan/observed.js';
import { planToJson, renderPlan } from '../plan/render.js';
import { serializeSavedPlan } from '../plan/saved-plan.js';
import type { Plan } from '../plan/spec.js';
import { connect, reportDaemonError, type DaemonContext, type StateFlags } from './daemon-context.js';
import { loadForCommand } from './load.js';
import { useColor, type ManifestFlags } from './options.js';

/** The daemon's side of a plan: what is applied and what runs. */
export interface RemoteState {
  lineage: string;
  serial: number;
  applied?: Revision;
  observed: ObservedAgent[];
}

/** Reads the state a diff needs from the daemon, or an empty one when nothing was applied. */
export async function remoteState(context: DaemonContext | undefined): Promise<RemoteState> {
  // Before the first apply there is no lineage yet; serial 0 marks such a plan (the daemon accepts it until something is applied).
  if (!context) return { lineage: 'unapplied', serial: 0, observed: [] };
  return context.call(api.state);
}

/** The diff between the daemon's state and a desired Plan. */
export function changesFor(state: RemoteState, desired: Plan, envFileHashes: Map<string, string>): ChangeSet {
  return diff(state.applied?.plan, desired, state.observed, {
    applied: new Map(Object.entries(state.applied?.envFileHashes ?? {})),
    desired: envFileHashes,
  });
}

type PlanFlags = ManifestFlags & StateFlags & { out?: string; json?: boolean; detailedExitcode?: boolean };

/** Runs the command and returns its exit code. */
export async function runPlan(flags: PlanFlags): Promise<number> {
  const loaded = await loadForCommand(flags, { json: flags.json === true });
  if (!loaded.plan) {
    if (flags.json) process.stdout.write(JSON.stringify({ valid: false, diagnostics: loaded.jsonDiagnostics }, null, 2) + '\n');
    return 1;
  }
  const plan = loaded.plan;
  let state: RemoteState;
  try {
    state = await remoteState(await connect({ ...flags, file: plan.files }));
  } catch (error) {
    return reportDaemonError(error, 'plan');
  }
  const hashes = await hashEnvFiles(plan);
  const changes = changesFor(state, plan, hashes);
  if (flags.json) {
    process.stdout.write(JSON.stringify(planToJson(changes, { cwd: process.cwd() }), null, 2) + '\n');
  } else {
    process.stdout.write(renderPlan(changes, { color: useColor(), cwd: process.cwd() }));
  }
  if (flags.out) {
    const text = serializeSavedPlan({
      plan,
      changeSet: changes,
      state,
      createdAt: new Date(),
      envFileHashes: hashes,
    });
    // 0600: the resolved env inside may hold secret values.
    await writeFile(flags.out, text, { mode: 0o600 });
    if (!flags.json) {
      process.stdout.write(`\nSaved the plan to ${flags.out}; apply exactly it with: orchestra apply ${flags.out}\n`);
    }
  }
  return flags.detailedExitcode && changes.changes ? 2 : 0;
}
