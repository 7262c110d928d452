/**
 * Reloading a running instance in place, keeping its pid: `reload.signal`
 * to the main process (as `systemctl reload` sends SIGHUP), or
 * `reload.command` (nginx -s reload) run through agent-command.ts. Knows
 * nothing of states: the instance decides whether a reload may happen and
 * reports the outcome.
 */

import type { AgentSpec } from '../plan/spec.js';
import { runAgentCommand, type CommandOutcome } from './agent-command.js';

/** Reloads the process `pid` of `spec` as its `reload` says; a command is bounded by `startup.timeout`. */
export async function reloadProcess(spec: AgentSpec, pid: number, logFile: string, baseEnv: Record<string, string | undefined>): Promise<CommandOutcome> {
  const how = spec.reload;
  if (how?.signal) {
    try {
      process.kill(pid, how.signal);
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: `cannot send ${how.signal} to ${pid}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
  }
  if (how?.command) return runAgentCommand(spec, how.command, logFile, baseEnv, spec.startup.timeoutMs);
  return { ok: false, reason: 'it has no `reload` (set `reload.signal` or `reload.command`)' };
}

/** True when the spec says how to reload. */
export function canReload(spec: Pick<AgentSpec, 'reload'>): boolean {
  return spec.reload?.signal !== undefined || spec.reload?.command !== undefined;
}
