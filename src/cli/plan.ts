/**
 * `orchestra plan`: what apply would do, without doing it. Works with no
 * daemon (then everything is a start); `--out` saves the plan stamped with
 * the state's lineage and serial; `--detailed-exitcode` exits 2 on changes.
 */

import { hashEnvFiles } from '../plan/env-file-hashes.js';
import { planToJson, renderPlan } from '../plan/render.js';
import { serializeSavedPlan } from '../plan/saved-plan.js';
import { changesFor, remoteState, type RemoteState } from './apply-flow.js';
import { connect, reportDaemonError, type StateFlags } from './daemon-context.js';
import { loadForCommand } from './load.js';
import { useColor, type ManifestFlags } from './options.js';
import { writeOutputFile } from './output-file.js';

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
    const problem = writeOutputFile(flags.out, text, '--out', { mode: 0o600 });
    if (problem) {
      process.stderr.write(`orchestra plan: ${problem}\n`);
      return 1;
    }
    if (!flags.json) {
      process.stdout.write(`\nSaved the plan to ${flags.out}; apply exactly it with: orchestra apply ${flags.out}\n`);
    }
  }
  return flags.detailedExitcode && changes.changes ? 2 : 0;
}
