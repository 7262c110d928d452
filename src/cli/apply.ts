/**
 * `orchestra apply [PLANFILE]`: reads what to apply (the manifest or a saved
 * plan) and runs the apply flow (apply-flow.ts), then stays attached with
 * `--foreground` or keeps watching with `--watch`. An invalid manifest or a
 * stale saved plan changes nothing.
 */

import { readFile } from 'node:fs/promises';
import type { WarmDaemon } from '../daemon/launcher.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import { parseSavedPlan } from '../plan/saved-plan.js';
import { formatDiagnostics } from '../report/diagnostics.js';
import { applyPlan, watchAndApply, type ApplyFlags, type ApplyInput } from './apply-flow.js';
import { resolveStatePaths } from './daemon-context.js';
import { loadForCommand } from './load.js';
import { useColor } from './options.js';

/** Reads what to apply from the command line: a saved plan file or the manifest. */
async function applyInput(flags: ApplyFlags, planFile: string | undefined): Promise<ApplyInput | undefined> {
  if (planFile !== undefined) {
    const text = await readFile(planFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      process.stderr.write(`orchestra apply: cannot read ${planFile}: ${e.code ?? e.message}\n`);
      return undefined;
    });
    if (text === undefined) return undefined;
    const saved = parseSavedPlan(text, planFile);
    if (!saved.ok) {
      process.stderr.write(formatDiagnostics([saved.error], new Map(), { color: useColor(process.stderr) }) + '\n');
      return undefined;
    }
    const v = saved.value;
    return {
      plan: v.plan,
      envFileHashes: new Map(Object.entries(v.envFileHashes)),
      expected: { lineage: v.lineage, serial: v.serial },
    };
  }
  const loaded = await loadForCommand(flags);
  if (!loaded.plan) return undefined;
  return { plan: loaded.plan, envFileHashes: await hashEnvFiles(loaded.plan) };
}

/** Runs `orchestra apply [PLANFILE]` and returns its exit code. */
export async function runApply(flags: ApplyFlags, planFile: string | undefined, warm?: WarmDaemon): Promise<number> {
  if (flags.watch && planFile !== undefined) {
    process.stderr.write('orchestra apply: --watch re-reads the manifest, so it does not take a saved plan\n');
    return 1;
  }
  const input = await applyInput(flags, planFile);
  if (!input) return 1;
  if (flags.watch && flags.foreground) {
    process.stderr.write('orchestra apply: choose --watch or --foreground, not both\n');
    return 1;
  }
  const code = await applyPlan(input, flags, 'apply', warm);
  if (flags.foreground && code === 0) {
    const { stayAttached } = await import('./foreground.js');
    return stayAttached(resolveStatePaths({ ...flags, file: input.plan.files }), useColor());
  }
  if (!flags.watch) return code;
  return watchAndApply(input.plan, flags);
}
