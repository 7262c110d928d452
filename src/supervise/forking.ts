/**
 * `type: forking` services (nginx with `daemon on`, `redis-server
 * --daemonize yes`, `pg_ctl start`): the command is a launcher that exits 0
 * after starting the real process, which writes its pid to `pid_file`. This
 * module waits for both, bounded by the startup deadline, and says which pid
 * to supervise or why the start failed. It does not move states or stop
 * anything: the instance does.
 */

import { readFileSync, statSync } from 'node:fs';
import { isGone } from './procfs.js';

export type ForkOutcome = { ok: true; pid: number } | { ok: false; reason: string };

const POLL_MS = 25;

/** The pid a pid file names, when the file was written at or after `notBefore` (ms since epoch) and the pid is alive. */
export function readPidFile(path: string, notBefore: number): number | undefined {
  try {
    // An older file is a previous run's leftover; its pid may belong to someone else by now.
    if (statSync(path).mtimeMs < notBefore) return undefined;
    const pid = Number(readFileSync(path, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 1 && !isGone(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits for the launcher to exit 0 and then for `pidFile` to name a live
 * process, all before `deadline` (ms since epoch). `cancelled` is checked at
 * every step (a stop arrived). The launcher's exit is returned in either case.
 */
export async function awaitFork(options: {
  launcher: Promise<{ code: number | null; signal: string | null }>;
  pidFile: string;
  /** When the launcher was spawned (ms since epoch). */
  launchedAt: number;
  deadline: number;
  cancelled: () => boolean;
}): Promise<ForkOutcome & { launcherExit?: { code: number | null; signal: string | null } }> {
  const { pidFile, deadline } = options;
  const timeoutMs = Math.max(0, deadline - options.launchedAt);
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([options.launcher, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
  if (exit === undefined) return { ok: false, reason: `the forking command did not exit within ${timeoutMs}ms` };
  if (options.cancelled()) return { ok: false, reason: 'stopped while starting', launcherExit: exit };
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return { ok: false, reason: `the forking command ${how}`, launcherExit: exit };
  }
  // Some launchers exit a moment before the daemon writes its pid file; allow a second of clock granularity.
  const notBefore = options.launchedAt - 1000;
  for (;;) {
    const pid = readPidFile(pidFile, notBefore);
    if (pid !== undefined) return { ok: true, pid, launcherExit: exit };
    if (options.cancelled()) return { ok: false, reason: 'stopped while starting', launcherExit: exit };
    if (Date.now() >= deadline) return { ok: false, reason: `pid file ${pidFile} did not name a live process within ${timeoutMs}ms`, launcherExit: exit };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
