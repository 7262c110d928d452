/**
 * The apply flow the commands share: read the daemon's state, diff, show the
 * plan, confirm, converge through the daemon with progress, report the
 * outcome; and `apply --watch`, which runs that flow again on every input
 * change. `apply`, `plan`, `rollback` and the control commands use it; no
 * command imports another command.
 */

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import { api, type ApplyBody, type ApplyEnd } from '../daemon/api.js';
import { openDaemon, stopStartedDaemon, type WarmDaemon } from '../daemon/launcher.js';
import { acquireLock } from '../daemon/lock.js';
import type { Revision } from '../daemon/revisions.js';
import type { OrchestraEvent } from '../events/event.js';
import { loadManifest } from '../manifest/load.js';
import type { ChangeSet } from '../plan/change-set.js';
import { diff } from '../plan/diff.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import type { ObservedAgent } from '../plan/observed.js';
import { renderPlan, summaryLine } from '../plan/render.js';
import { checkSavedPlan } from '../plan/saved-plan.js';
import type { Plan } from '../plan/spec.js';
import { diagnosticsToJson, formatDiagnostics } from '../report/diagnostics.js';
import { parseDuration } from '../util/units.js';
import { DaemonContext, reportDaemonError, resolveStatePaths, type StateFlags } from './daemon-context.js';
import { manifestFiles, useColor, type ManifestFlags } from './options.js';

export type ApplyFlags = ManifestFlags &
  StateFlags & { yes?: boolean; timeout?: string; lockTimeout?: string; json?: boolean; watch?: boolean; foreground?: boolean };

/** What to apply: a freshly loaded Plan, a saved plan, or an old revision. */
export interface ApplyInput {
  plan: Plan;
  envFileHashes: Map<string, string>;
  expected?: { lineage: string; serial: number };
  rollbackOf?: number;
}

/** Asks a yes/no question on the terminal; anything but yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

/** A duration flag (`30s`, `2m`, `500ms`, or bare seconds) in ms; throws a message naming the flag. */
function durationFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : parseDuration(text);
  if (ms === undefined) throw new Error(`invalid ${flag} "${text}": expected a duration such as 30s, 2m or 500ms`);
  return ms;
}

function progressLine(event: OrchestraEvent, c: ReturnType<typeof pc.createColors>): string | undefined {
  if (event.type === 'state-changed' || event.type === 'plan-updated') return undefined;
  const who = 'agent' in event ? event.agent : 'orchestra';
  const bad = event.type === 'agent-failed' || event.type === 'agent-blocked';
  const good = event.type === 'agent-ready' || event.type === 'agent-completed';
  const text = bad ? c.red(event.message) : good ? c.green(event.message) : event.message;
  return `  ${c.bold(who)}: ${text}`;
}

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

/** Shows the plan, confirms, applies through the daemon (`warm`: one spawned ahead); returns the exit code. */
export async function applyPlan(input: ApplyInput, flags: ApplyFlags, command: string, warm?: WarmDaemon): Promise<number> {
  const color = useColor();
  const paths = resolveStatePaths({ ...flags, file: input.plan.files });
  let timeoutMs: number;
  let lockTimeoutMs: number;
  try {
    timeoutMs = durationFlag(flags.timeout, '--timeout') ?? 0;
    lockTimeoutMs = durationFlag(flags.lockTimeout, '--lock-timeout') ?? 0;
  } catch (error) {
    process.stderr.write(`orchestra ${command}: ${(error as Error).message}\n`);
    return 1;
  }
  const lock = await acquireLock(paths.dir, { command: `orchestra ${command}`, timeoutMs: lockTimeoutMs });
  if (!lock.ok) {
    process.stderr.write(`orchestra ${command}: ${lock.error.message}\n`);
    return 1;
  }
  // A daemon this invocation started is stopped again when it ends up with nothing applied (decisions.md).
  let startedIdle = false;
  try {
    const { started } = await openDaemon(paths.dir, warm ? { warm } : {});
    const context = new DaemonContext(paths);
    const state = await remoteState(context);
    // --foreground stays attached to this daemon whatever the outcome.
    startedIdle = started && state.applied === undefined && !flags.foreground;
    if (input.expected) {
      // Before the diff: a plan whose change another apply already made would otherwise read "No changes".
      const stale = checkSavedPlan(input.expected, state);
      if (!stale.ok) {
        process.stderr.write(`orchestra ${command}: ${stale.error.message}${stale.error.hint ? ` (${stale.error.hint})` : ''}\n`);
        return 1;
      }
    }
    const changes = changesFor(state, input.plan, input.envFileHashes);
    const shown: Parameters<typeof renderPlan>[1] = { color, cwd: process.cwd() };
    if (input.rollbackOf !== undefined) shown.originsOfRevision = input.rollbackOf;
    process.stdout.write(renderPlan(changes, shown));
    if (!changes.changes) return 0;
    if (!flags.yes) {
      if (!process.stdin.isTTY) {
        process.stderr.write(`orchestra ${command}: not a terminal, so pass --yes to apply without asking\n`);
        return 1;
      }
      if (!(await confirm('\nDo you want to perform these actions?'))) {
        process.stdout.write('Apply cancelled.\n');
        return 1;
      }
    }
    process.stdout.write('\n');
    const body: ApplyBody = {
      plan: input.plan,
      envFileHashes: Object.fromEntries(input.envFileHashes),
    };
    if (input.expected) body.expected = input.expected;
    if (input.rollbackOf !== undefined) body.rollbackOf = input.rollbackOf;
    const colors = pc.createColors(color);
    // From here the daemon holds what was asked for, even if the apply fails or times out.
    startedIdle = false;
    const last = await context.call(api.apply, {
      body,
      query: { timeout: timeoutMs },
      onLine: (line) => {
        if (line.type === 'event') {
          const text = progressLine(line.event, colors);
          if (text) process.stdout.write(text + '\n');
        }
      },
    });
    return reportOutcome(last, command, changes);
  } catch (error) {
    return reportDaemonError(error, command);
  } finally {
    if (startedIdle) await stopStartedDaemon(paths.dir);
    await lock.value.release();
  }
}

function reportOutcome(
  last: ApplyEnd,
  command: string,
  changes: Parameters<typeof summaryLine>[0],
): number {
  if (last.type === 'error') {
    process.stderr.write(`orchestra ${command}: ${last.error}${last.hint ? ` (${last.hint})` : ''}\n`);
    return 1;
  }
  if (last.type === 'timeout') {
    process.stderr.write(
      `orchestra ${command}: not converged after ${last.afterMs} ms; the daemon keeps working on it (see orchestra status)\n`,
    );
    return 1;
  }
  const failed = last.outcome?.failed ?? [];
  if (failed.length > 0) {
    process.stderr.write(`\nApply finished with ${failed.length} failed agent(s):\n`);
    for (const f of failed) process.stderr.write(`  ${f.name}: ${f.state}${f.reason ? ` (${f.reason})` : ''}\n`);
    return 1;
  }
  process.stdout.write(`\nApply complete (revision ${last.revision}). ${summaryLine(changes).replace(/^Plan: /, '')}\n`);
  return 0;
}

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
