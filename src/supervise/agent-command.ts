/**
 * Runs a helper command on behalf of an agent instance: `stop.command`
 * (nginx -s quit) and `reload.command` (nginx -s reload). The command gets
 * the agent's environment and working directory, its output is appended to
 * the agent's log, and it is bounded in time (its own process group is
 * killed when the time is up). Never throws: the outcome says how it ended,
 * and callers report a failure without letting it break a stop or a reload.
 */

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { AgentSpec } from '../plan/spec.js';
import { childEnv } from './process-group.js';

export type CommandOutcome = { ok: true } | { ok: false; reason: string };

/** Runs `argv` with the agent's env and cwd, output into `logFile`; resolves after it exits or after `timeoutMs` (then its group is killed). */
export function runAgentCommand(
  spec: Pick<AgentSpec, 'cwd' | 'env' | 'inheritEnv'>,
  argv: readonly string[],
  logFile: string,
  baseEnv: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.resolve({ ok: false, reason: 'empty command' });
  let fd: number;
  try {
    fd = openSync(logFile, 'a', 0o600);
  } catch (e) {
    return Promise.resolve({ ok: false, reason: `cannot open the log file: ${(e as Error).message}` });
  }
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (outcome: CommandOutcome): void => {
      clearTimeout(timer);
      resolve(outcome);
    };
    let child;
    try {
      // Its own group, so a timeout kills whatever the command started; no agent marker, so a
      // daemon scanning for lost agents never takes it for one.
      child = spawn(file, args, { cwd: spec.cwd, env: childEnv(spec, baseEnv), detached: true, stdio: ['ignore', fd, fd] });
    } catch (e) {
      closeSync(fd);
      done({ ok: false, reason: `cannot run ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return;
    }
    closeSync(fd);
    child.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, reason: e.code === 'ENOENT' ? `command not found: ${file}` : `cannot run ${file}: ${e.code ?? e.message}` }));
    child.once('exit', (code, signal) => {
      if (code === 0) done({ ok: true });
      else done({ ok: false, reason: signal ? `${file} was killed by ${signal}` : `${file} exited with code ${code}` });
    });
    timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      done({ ok: false, reason: `${file} did not finish within ${timeoutMs}ms` });
    }, timeoutMs);
  });
}
