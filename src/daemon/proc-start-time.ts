/**
 * Process identity on Linux: a pid plus its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) names one process for the whole
 * uptime, even after the pid is reused. Used to adopt agents after a daemon
 * restart and to tell a stale lock from a live one. Reads /proc only; never
 * signals anything (kill(pid, 0) probes existence and sends nothing).
 */

import { readFile } from 'node:fs/promises';
import { readProc } from '../supervise/procfs.js';

/**
 * The start time of a live process, or undefined when it does not exist, is
 * a zombie (dead, only waiting to be reaped) or /proc is unavailable. Read
 * synchronously: /proc never blocks, and one open, read and close cost less
 * than the four thread-pool round trips of an asynchronous read (the daemon
 * reads one on every spawn).
 */
export async function procStartTime(pid: number): Promise<number | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const stat = readProc(pid);
  return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat.startTime : undefined;
}

/** True when `pid` is still the very process that had `startTime` (not a later one reusing the pid). */
export async function isSameProcess(pid: number, startTime: number): Promise<boolean> {
  return (await procStartTime(pid)) === startTime;
}

/** True when a process with this pid exists (it may belong to another user). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This boot's id; start times are only comparable within one boot. */
export async function currentBootId(): Promise<string | undefined> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live daemon-main for the state directory `dir` (by its command line, never by name alone). */
export async function isDaemonOf(pid: number, dir: string): Promise<boolean> {
  if ((await procStartTime(pid)) === undefined) return false;
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  return argv.some((a) => a.endsWith('daemon-main.js')) && argv.includes(dir);
}
