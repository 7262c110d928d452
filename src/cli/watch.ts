/**
 * `apply --watch`: after the first apply, re-apply whenever an input file
 * changes (the manifest and overlays, `.env` beside the manifest, every
 * env_file). An invalid change is printed, reported to `notify:`, and
 * ignored; the fleet keeps running the last applied revision.
 */

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { api } from '../daemon/api.js';
import type { Plan } from '../plan/spec.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import { loadManifest } from '../manifest/load.js';
import { diagnosticsToJson, formatDiagnostics } from '../report/diagnostics.js';
import { applyPlan, type ApplyFlags } from './apply.js';
import { DaemonContext, resolveStatePaths } from './daemon-context.js';
import { manifestFiles, useColor } from './options.js';

const DEBOUNCE_MS = 300;

/** Every file whose change should trigger a re-apply. */
export function watchedFiles(plan: Plan): string[] {
  const files = new Set<string>(plan.files);
  files.add(join(plan.baseDir, '.env'));
  for (const i of plan.instances) for (const f of i.envFiles) files.add(f);
  return [...files];
}

/** Watches the inputs of `plan` and calls `onChange` (debounced) until the process ends. */
function watchInputs(plan: Plan, onChange: () => void): FSWatcher[] {
  // Editors often replace a file by rename, which ends a watch on the file itself: watch folders.
  const byDir = new Map<string, Set<string>>();
  for (const file of watchedFiles(plan)) {
    const names = byDir.get(dirname(file)) ?? new Set<string>();
    names.add(basename(file));
    byDir.set(dirname(file), names);
  }
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      watchers.push(
        watch(dir, (_event, name) => {
          if (name !== null && !names.has(name.toString())) return;
          clearTimeout(timer);
          timer = setTimeout(onChange, DEBOUNCE_MS);
        }),
      );
    } catch {
      // A folder that does not exist (yet) holds nothing to watch.
    }
  }
  return watchers;
}

/** Re-applies on every change until interrupted; never returns normally. */
export async function watchAndApply(first: Plan, flags: ApplyFlags): Promise<number> {
  let current = first;
  let watchers = watchInputs(current, () => void changed());
  let running: Promise<void> = Promise.resolve();
  process.stdout.write(`\nWatching ${watchedFiles(current).length} input file(s) for changes (Ctrl-C to stop watching).\n`);

  const changed = (): void => {
    running = running.then(async () => {
      const options: Parameters<typeof loadManifest>[0] = { files: manifestFiles(flags), set: flags.set };
      if (flags.env !== undefined) options.environment = flags.env;
      const result = await loadManifest(options);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      process.stdout.write(`\n[${new Date().toISOString()}] input changed\n`);
      if (!result.plan || errors.length > 0) {
        process.stderr.write(formatDiagnostics(result.diagnostics, result.sources, { color: useColor(process.stderr), cwd: process.cwd() }) + '\n');
        process.stderr.write('Change rejected; the running agents keep the last applied revision.\n');
        const context = new DaemonContext(resolveStatePaths({ ...flags, file: current.files }));
        await context
          .call(api.rejected, {
            body: {
              message: `${errors.length} error(s) in ${current.files[0]}`,
              diagnostics: (diagnosticsToJson(errors) as { diagnostics: unknown[] }).diagnostics,
            },
          })
          .catch(() => undefined);
        return;
      }
      await applyPlan({ plan: result.plan, envFileHashes: await hashEnvFiles(result.plan) }, { ...flags, yes: true }, 'apply');
      // The set of inputs may have changed (a new env_file, an overlay).
      for (const w of watchers) w.close();
      current = result.plan;
      watchers = watchInputs(current, () => void changed());
    });
  };
  await new Promise<void>(() => undefined);
  return 0;
}
