/**
 * `orchestra apply` (and `rollback`, which applies an old revision): shows
 * the plan, asks on a TTY, has the daemon converge, prints progress, and
 * exits non-zero naming the agents that failed. An invalid manifest or a
 * stale saved plan changes nothing.
 */

import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import { api, type ApplyBody, type ApplyEnd } from '../daemon/api.js';
import { ensureDaemon } from '../daemon/launcher.js';
import { acquireLock } from '../daemon/lock.js';
import type { OrchestraEvent } from '../events/event.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import { renderPlan, summaryLine } from '../plan/render.js';
import { checkSavedPlan, parseSavedPlan } from '../plan/saved-plan.js';
import type { Plan } from '../plan/spec.js';
import { formatDiagnostics } from '../report/diagnostics.js';
import { DaemonContext, reportDaemonError, resolveStatePaths, type StateFlags } from './daemon-context.js';
import { loadForCommand } from './load.js';
import { useColor, type ManifestFlags } from './options.js';
import { changesFor, remoteState } from './plan.js';

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

function parseSeconds(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new Error(`invalid ${flag} "${text}": expected a duration such as 30s, 2m or 500ms`);
  const factor = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  return Math.round(Number(m[1]) * factor);
}

function progressLine(event: OrchestraEvent, color: boolean): string | undefined {
  if (event.type === 'state-changed' || event.type === 'plan-updated') return undefined;
  const who = 'agent' in event ? event.agent : 'orchestra';
  const c = pc.createColors(color);
  const bad = event.type === 'agent-failed' || event.type === 'agent-blocked';
  const good = event.type === 'agent-ready' || event.type === 'agent-completed';
  const text = bad ? c.red(event.message) : good ? c.green(event.message) : event.message;
  return `  ${c.bold(who)}: ${text}`;
}

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

/** Shows the plan, confirms, applies through the daemon; returns the exit code. */
export async function applyPlan(input: ApplyInput, flags: ApplyFlags, command: string): Promise<number> {
  const color = useColor();
  const paths = resolveStatePaths({ ...flags, file: input.plan.files });
  let timeoutMs: number;
  let lockTimeoutMs: number;
  try {
    timeoutMs = parseSeconds(flags.timeout, '--timeout') ?? 0;
    lockTimeoutMs = parseSeconds(flags.lockTimeout, '--lock-timeout') ?? 0;
  } catch (error) {
    process.stderr.write(`orchestra ${command}: ${(error as Error).message}\n`);
    return 1;
  }
  const lock = await acquireLock(paths.dir, { command: `orchestra ${command}`, timeoutMs: lockTimeoutMs });
  if (!lock.ok) {
    process.stderr.write(`orchestra ${command}: ${lock.error.message}\n`);
    return 1;
  }
  try {
    await ensureDaemon(paths.dir);
    const context = new DaemonContext(paths);
    const state = await remoteState(context);
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
    const last = await context.call(api.apply, {
      body,
      query: { timeout: timeoutMs },
      onLine: (line) => {
        if (line.type === 'event') {
          const text = progressLine(line.event, color);
          if (text) process.stdout.write(text + '\n');
        }
      },
    });
    return reportOutcome(last, command, changes);
  } catch (error) {
    return reportDaemonError(error, command);
  } finally {
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

/** Runs `orchestra apply [PLANFILE]` and returns its exit code. */
export async function runApply(flags: ApplyFlags, planFile: string | undefined): Promise<number> {
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
  const code = await applyPlan(input, flags, 'apply');
  if (flags.foreground && code === 0) {
    const { stayAttached } = await import('./foreground.js');
    return stayAttached(resolveStatePaths({ ...flags, file: input.plan.files }), useColor());
  }
  if (!flags.watch) return code;
  const { watchAndApply } = await import('./watch.js');
  return watchAndApply(input.plan, flags);
}
