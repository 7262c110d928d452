/**
 * Spawning one agent instance as the leader of its own process group, with
 * stdout and stderr appended straight to its log file (the child gets the
 * file descriptor; nothing is piped through the supervisor, so a supervisor
 * crash loses no output and sends no SIGPIPE). Owns argv, cwd, env, user and
 * niceness, and the hand-over to the boundary: the pid is in it before the
 * program runs (born inside it, or held at the boundary's gate). Does not
 * decide when to spawn or what an exit means.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { AgentSpec } from '../plan/spec.js';
import { err, ok, type Result } from '../util/result.js';
import type { InstanceBoundary } from './boundary.js';

export interface SpawnedProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves once, when the leader has exited and been reaped. */
  exited: Promise<{ code: number | null; signal: string | null }>;
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
export function agentMarker(instance: string, stateDir: string, restarts = 0): Record<string, string> {
  return { ORCHESTRA_STATE_DIR: resolve(stateDir), ORCHESTRA_INSTANCE: instance, ORCHESTRA_RESTARTS: String(restarts) };
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

/** Where and how a spawn happens besides the spec. */
export interface SpawnOptions {
  /** The instance's log file, appended to. */
  logFile: string;
  /** The state directory, carried in the agent's marker. */
  stateDir: string;
  baseEnv: Record<string, string | undefined>;
  /** Restarts so far, carried in the marker. */
  restarts?: number;
  /** The boundary the process enters before its program runs. */
  boundary?: InstanceBoundary;
}

/**
 * Spawns the instance. Every expected failure (missing cwd, command not found,
 * not executable, unknown user) is an error result with a reason, never a throw.
 */
export async function spawnAgent(spec: AgentSpec, options: SpawnOptions): Promise<Result<SpawnedProcess, string>> {
  const { logFile, boundary } = options;
  const [file, ...args] = spec.command;
  if (file === undefined) return err('empty command');
  const env = { ...childEnv(spec, options.baseEnv), ...agentMarker(spec.name, options.stateDir, options.restarts) };
  const launch = boundary?.launch(spec.command) ?? { argv: [...spec.command], gate: false };
  // Behind the gate the program is exec'd by sh, so spawn's own ENOENT/EACCES would not name it: check first.
  if (launch.gate) {
    const missing = findProgram(file, env.PATH, spec.cwd);
    if (missing) return err(missing);
  }
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
  const start = (): ChildProcess =>
    bornNiced(spec.nice, () =>
      spawn(launch.argv[0]!, launch.argv.slice(1), {
        cwd: spec.cwd,
        env,
        detached: true, // setsid(): own session and process group, pgid = pid
        stdio: launch.gate ? ['ignore', fd, fd, 'pipe'] : ['ignore', fd, fd],
        ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
      }),
    );
  try {
    const born = launch.within?.(start);
    if (born && !born.ok) return err(born.error);
    child = born ? born.value : start();
  } catch (e) {
    if (launch.within) boundary?.release();
    return err(spawnErrorReason((e as NodeJS.ErrnoException).code, file, spec.cwd));
  } finally {
    // The child holds its own copy of the descriptor now.
    closeSync(fd);
  }
  const { exited, started: spawned } = childOutcomes(child, file, spec.cwd);
  const started = await spawned;
  if (!started.ok) {
    // Born within: the cgroup was made for a program that never ran (its exec failed).
    if (launch.within) boundary?.release();
    return started;
  }
  if (boundary && !launch.within) {
    const entered = boundary.enter(started.value);
    const gate = launch.gate ? (child.stdio[3] as Writable | null) : null;
    if (!entered.ok) {
      // Never run a program outside its boundary: the gate closes unopened and the shell is killed.
      gate?.destroy();
      child.kill('SIGKILL');
      await exited;
      return err(entered.error);
    }
    // Niced (where it was not born so) before the gate lets the program run.
    if (spec.nice !== undefined) applyNice([started.value], spec.nice);
    // EPIPE if the shell died meanwhile: its exit is reported like any other.
    gate?.on('error', ignore);
    gate?.end('go\n');
  } else if (spec.nice !== undefined) applyNice([started.value], spec.nice);
  child.unref();
  return ok({ pid: started.value, child, exited });
}

/**
 * The child's exit and whether it ran, from listeners made here rather than
 * in spawnAgent: the 'error' listener stays on the child for its whole life,
 * and a closure made in spawnAgent would keep spawnAgent's scope with it (the
 * child's environment, its launch, ~3 KiB per instance for as long as it runs).
 */
function childOutcomes(child: ChildProcess, file: string, cwd: string): { exited: SpawnedProcess['exited']; started: Promise<Result<number, string>> } {
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const started = new Promise<Result<number, string>>((resolve) => {
    child.once('spawn', () => resolve(ok(child.pid!)));
    child.once('error', (e: NodeJS.ErrnoException) => resolve(err(spawnErrorReason(e.code, file, cwd))));
  });
  return { exited, started };
}

function ignore(): void {}

/** Why `file` cannot be executed from `cwd` with this PATH, or undefined when it can (spawn's ENOENT/EACCES, said beforehand). */
function findProgram(file: string, path: string | undefined, cwd: string): string | undefined {
  const candidates = file.includes('/') ? [resolve(cwd, file)] : (path ?? '/usr/bin:/bin').split(':').map((d) => join(resolve(cwd, d || '.'), file));
  let denied = false;
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  return denied ? `permission denied: ${file} is not executable` : `command not found: ${file}`;
}

/**
 * Runs a synchronous spawn with this thread at `nice` (Linux niceness is per
 * thread, and a child inherits its forking thread's), so the program starts
 * niced and nothing it forks first escapes. Only as root, which may lower
 * its own niceness back afterwards; elsewhere the caller nices the child.
 */
function bornNiced<T>(nice: number | undefined, spawnChild: () => T): T {
  if (nice === undefined || process.getuid?.() !== 0) return spawnChild();
  const own = getPriority(0);
  setPriority(0, nice);
  try {
    return spawnChild();
  } finally {
    setPriority(0, own);
  }
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
