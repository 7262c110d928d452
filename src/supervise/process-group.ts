/**
 * Spawning one agent instance as the leader of its own process group, with
 * stdout and stderr appended straight to its log file (the child gets the
 * file descriptor; nothing is piped through the supervisor, so a supervisor
 * crash loses no output and sends no SIGPIPE). Owns argv, cwd, env, user and
 * niceness; does not decide when to spawn or what an exit means.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AgentSpec } from '../plan/spec.js';
import { err, ok, type Result } from '../util/result.js';

export interface SpawnedProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves once, when the leader has exited and been reaped. */
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** The log file of an instance: stdout and stderr interleaved, in write order. */
export function logFileOf(stateDir: string, instance: string): string {
  return join(stateDir, 'logs', `${instance}.log`);
}

/** The child's environment: the base environment (or only PATH) overlaid with the spec's env. */
export function childEnv(spec: Pick<AgentSpec, 'inheritEnv' | 'env'>, base: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  if (spec.inheritEnv) {
    for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
  } else if (base.PATH !== undefined) {
    out.PATH = base.PATH;
  }
  return { ...out, ...spec.env };
}

/**
 * The marker every agent carries in its environment: its state directory,
 * instance name, and how many times the instance had been restarted when
 * this process was spawned. A daemon that lost its records finds agents by
 * it (src/daemon/marker-scan.ts) instead of starting second copies, and
 * keeps their restart count; agents may read it too.
 */
export function agentMarker(instance: string, logFile: string, restarts = 0): Record<string, string> {
  // Log files live in <stateDir>/logs/, so the state directory is two levels up.
  return { ORCHESTRA_STATE_DIR: resolve(dirname(dirname(logFile))), ORCHESTRA_INSTANCE: instance, ORCHESTRA_RESTARTS: String(restarts) };
}

/** Looks a user up in /etc/passwd: `name` or a numeric uid (optionally `uid:gid`). */
export function resolveUser(user: string): Result<{ uid: number; gid: number }, string> {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  if (numeric) {
    const uid = Number(numeric[1]);
    return ok({ uid, gid: numeric[2] !== undefined ? Number(numeric[2]) : uid });
  }
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return err(`cannot read /etc/passwd to resolve user \`${user}\``);
  }
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === user && f[2] !== undefined && f[3] !== undefined) return ok({ uid: Number(f[2]), gid: Number(f[3]) });
  }
  return err(`unknown user \`${user}\``);
}

/** Explains a spawn error code for a human. */
function spawnErrorReason(code: string | undefined, command: string, cwd: string): string {
  switch (code) {
    case 'ENOENT':
      return `command not found: ${command}`;
    case 'EACCES':
      return `permission denied: ${command} is not executable`;
    case 'EPERM':
      return `not permitted to start ${command} (user or group switch refused)`;
    case 'ENOTDIR':
      return `working directory is not a directory: ${cwd}`;
    default:
      return `cannot start ${command}: ${code ?? 'unknown error'}`;
  }
}

/**
 * Spawns the instance. Every expected failure (missing cwd, command not found,
 * not executable, unknown user) is an error result with a reason, never a throw.
 */
export async function spawnAgent(
  spec: AgentSpec,
  logFile: string,
  baseEnv: Record<string, string | undefined>,
  restarts = 0,
): Promise<Result<SpawnedProcess, string>> {
  const [file, ...args] = spec.command;
  if (file === undefined) return err('empty command');
  try {
    if (!statSync(spec.cwd).isDirectory()) return err(`working directory is not a directory: ${spec.cwd}`);
  } catch {
    return err(`working directory does not exist: ${spec.cwd}`);
  }
  let ids: { uid: number; gid: number } | undefined;
  if (spec.user !== undefined) {
    const r = resolveUser(spec.user);
    if (!r.ok) return err(r.error);
    // Switching user needs root; as the same user it is a no-op worth skipping.
    if (process.getuid?.() === 0 || process.getuid?.() !== r.value.uid) ids = r.value;
  }
  // O_APPEND: every write lands at the current end even after the supervisor truncates the file during rotation.
  const fd = openSync(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: spec.cwd,
      env: { ...childEnv(spec, baseEnv), ...agentMarker(spec.name, logFile, restarts) },
      detached: true, // setsid(): own session and process group, pgid = pid
      stdio: ['ignore', fd, fd],
      ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
    });
  } catch (e) {
    closeSync(fd);
    return err(spawnErrorReason((e as NodeJS.ErrnoException).code, file, spec.cwd));
  }
  // The child holds its own copy of the descriptor now.
  closeSync(fd);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const started = await new Promise<Result<number, string>>((resolve) => {
    child.once('spawn', () => resolve(ok(child.pid!)));
    child.once('error', (e: NodeJS.ErrnoException) => resolve(err(spawnErrorReason(e.code, file, spec.cwd))));
  });
  if (!started.ok) return started;
  child.unref();
  if (spec.nice !== undefined) applyNice([started.value], spec.nice);
  return ok({ pid: started.value, child, exited });
}

/** Sets the niceness of every pid given; processes that vanished meanwhile are skipped. */
export function applyNice(pids: readonly number[], nice: number): void {
  for (const pid of pids) {
    try {
      setPriority(pid, nice);
    } catch {
      // The process exited between listing and setting, or lowering niceness is not permitted.
    }
  }
}
