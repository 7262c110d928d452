/**
 * Finds the project's daemon, or starts one detached. The daemon's own code
 * lives in daemon-main.ts; this module only spawns it and waits for its
 * socket (woken by file events on it, not a fixed-interval poll). `apply`
 * may spawn it ahead (WarmDaemon). A socket file left by a crashed daemon is
 * removed.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, open, readFile, rm, rmdir, stat } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callDaemon, DaemonUnreachable } from './client.js';
import { daemonNodeFlags } from './daemon-flags.js';
import { daemonLaunch } from './delegated-scope.js';
import { isDaemonOf } from './proc-start-time.js';
import { socketPathProblem, statePaths, type StatePaths } from './paths.js';

const daemonMain = fileURLToPath(new URL('./daemon-main.js', import.meta.url));

/** Whether a daemon answers on the state dir's socket. */
export async function daemonRunning(stateDir: string): Promise<boolean> {
  try {
    await callDaemon(statePaths(stateDir).socket, 'GET', '/v1/ping', { timeoutMs: 5000 });
    return true;
  } catch (error) {
    if (error instanceof DaemonUnreachable) return false;
    throw error;
  }
}

/**
 * A daemon spawned ahead of need: it loads its code while the CLI loads the
 * manifest (two cores instead of one after the other), and touches no state
 * until `ensureDaemon` tells it to go. Cancelled, it is ended (and awaited)
 * and leaves no trace.
 */
export interface WarmDaemon {
  readonly stateDir: string;
  /** Lets the daemon go on (once); its exit code when it exits. */
  go(): Promise<number | null>;
  /** Ends it unless it was let go, and removes the state directory and log it created for nothing. */
  cancel(): Promise<void>;
}

/** Starts a daemon that waits for the go (see WarmDaemon), or undefined when one may already run there. */
export async function warmDaemon(stateDir: string): Promise<WarmDaemon | undefined> {
  const paths = statePaths(stateDir);
  // A running daemon has its socket file; a stale one is dealt with by ensureDaemon as before.
  if (existsSync(paths.socket) || socketPathProblem(paths) !== undefined) return undefined;
  const createdDir = await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const newLog = !existsSync(paths.daemonLog);
  const { child, exited } = await spawnDaemon(paths, true);
  const stdin = child.stdin as Socket;
  // The pipe must not keep the CLI alive; when the CLI ends without a go, the daemon reads end of file and leaves.
  stdin.unref();
  stdin.on('error', () => undefined);
  let decided = false;
  return {
    stateDir: paths.dir,
    go: () => {
      if (!decided) stdin.end('go\n');
      decided = true;
      return exited;
    },
    cancel: async () => {
      if (decided) return;
      decided = true;
      stdin.end();
      // Gone before the CLI exits (not a moment after): it has no signal handler before the go, so SIGTERM ends it at once.
      child.kill('SIGTERM');
      // Unreferenced, the child would not keep this process alive until its exit.
      child.ref();
      await exited;
      if (newLog) await unlinkIfEmpty(paths.daemonLog);
      if (createdDir !== undefined) await rmdir(createdDir).catch(() => undefined);
    },
  };
}

async function unlinkIfEmpty(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info?.size === 0) await rm(file, { force: true });
}

/** Spawns daemon-main for `paths`, detached, its output appended to daemon.log; with `waitForGo`, it waits on stdin. */
async function spawnDaemon(paths: StatePaths, waitForGo: boolean): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const log = await open(paths.daemonLog, 'a', 0o600);
  try {
    const argv = [process.execPath, ...daemonNodeFlags(process.env), daemonMain, '--state-dir', paths.dir, ...(waitForGo ? ['--wait-for-go'] : [])];
    // In a delegated systemd user scope when only that gives the daemon cgroups (delegated-scope.ts).
    const launch = daemonLaunch(paths.dir, argv, process.env);
    const child = spawn(launch.argv[0]!, launch.argv.slice(1), {
      detached: true,
      stdio: [waitForGo ? 'pipe' : 'ignore', log.fd, log.fd],
      env: launch.env,
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.unref();
    return { child, exited };
  } finally {
    await log.close();
  }
}

/**
 * Returns the socket of a running daemon, starting one (detached) if needed:
 * `warm` when it was spawned ahead for this state directory, else a new one.
 */
export async function ensureDaemon(stateDir: string, options: { timeoutMs?: number; warm?: WarmDaemon } = {}): Promise<string> {
  return (await openDaemon(stateDir, options)).socket;
}

/** As ensureDaemon, and whether this call started the daemon (a refused `apply` stops only such a one, stopStartedDaemon). */
export async function openDaemon(
  stateDir: string,
  options: { timeoutMs?: number; warm?: WarmDaemon } = {},
): Promise<{ socket: string; started: boolean }> {
  const paths = statePaths(stateDir);
  const warm = options.warm?.stateDir === paths.dir ? options.warm : undefined;
  if (await daemonRunning(stateDir)) {
    await warm?.cancel();
    return { socket: paths.socket, started: false };
  }
  const tooLong = socketPathProblem(paths);
  if (tooLong !== undefined) throw new DaemonUnreachable(paths.socket, tooLong);
  // A socket file left by a crashed daemon is removed by the new daemon once it owns daemon.pid.
  const exited = warm ? warm.go() : (await spawnDaemon(paths, false)).exited;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let exitCode: number | null | undefined;
  const socketEvents = watchName(paths.dir, basename(paths.socket));
  void exited.then((code) => {
    exitCode = code;
    socketEvents.wake();
  });
  try {
    for (;;) {
      const seen = socketEvents.count();
      if (await daemonRunning(stateDir)) return { socket: paths.socket, started: true };
      // Exit 0 means another daemon won a start race: keep waiting for its socket.
      if (exitCode !== undefined && exitCode !== 0) {
        throw new DaemonUnreachable(paths.socket, `the daemon exited with code ${exitCode}; see ${paths.daemonLog}`);
      }
      if (Date.now() > deadline) throw new DaemonUnreachable(paths.socket, `the daemon did not start; see ${paths.daemonLog}`);
      if (socketEvents.count() === seen) await socketEvents.next(RECHECK_MS);
    }
  } finally {
    socketEvents.close();
  }
}

/** Without a file event, the socket is tried again after this long (a watch can miss events, e.g. on network file systems). */
const RECHECK_MS = 250;

/**
 * Stops the daemon of `stateDir` that this CLI invocation started (SIGTERM to
 * the pid in daemon.pid, checked to be a daemon-main of that directory) and
 * waits until it has removed its socket and pid files, or is gone.
 */
export async function stopStartedDaemon(stateDir: string, timeoutMs = 10_000): Promise<void> {
  const paths = statePaths(stateDir);
  const pid = Number((await readFile(paths.daemonPid, 'utf8').catch(() => '')).trim());
  if (!(pid > 0) || !(await isDaemonOf(pid, paths.dir))) return;
  const pidEvents = watchName(paths.dir, basename(paths.daemonPid));
  try {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = pidEvents.count();
      if (!(await isDaemonOf(pid, paths.dir))) return;
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        await Promise.all([rm(paths.socket, { force: true }), rm(paths.daemonPid, { force: true })]);
        return;
      }
      if (pidEvents.count() === seen) await pidEvents.next(RECHECK_MS);
    }
  } catch {
    // Gone between the check and the signal.
  } finally {
    pidEvents.close();
  }
}

/**
 * Events on one name in a folder (the socket, daemon.pid): the daemon creates
 * its socket in listen() and chmods it right after, so its answer is awaited
 * on those instead of a fixed-interval poll (that cost a cold start 10 ms on
 * average and a ping each time).
 */
function watchName(dir: string, name: string): { count(): number; next(maxMs: number): Promise<void>; wake(): void; close(): void } {
  let events = 0;
  let waiter: (() => void) | undefined;
  const wake = (): void => {
    events++;
    waiter?.();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, (_event, file) => {
      if (file === null || file.toString() === name) wake();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // No watch on this file system: the re-check timer alone finds the socket.
  }
  return {
    count: () => events,
    wake,
    next: (maxMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => done(), maxMs);
        const done = (): void => {
          clearTimeout(timer);
          waiter = undefined;
          resolve();
        };
        waiter = done;
      }),
    close: () => watcher?.close(),
  };
}
