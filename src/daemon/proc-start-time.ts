/**
 * Process identity on Linux: a pid plus its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) names one process for the whole
 * uptime, even after the pid is reused. Used to adopt agents after a daemon
 * restart and to tell a stale lock from a live one. Reads /proc only; never
 * signals anything (kill(pid, 0) probes existence and sends nothing).
 */

import { readFile } from 'node:fs/promises';

/** The two fields of /proc/<pid>/stat we need: the state letter (field 3) and the start time (field 22). */
export interface ProcStat {
  state: string;
  startTime: number;
}

/** Parses the text of /proc/<pid>/stat. */
export function parseStat(stat: string): ProcStat | undefined {
  // Field 2 (comm) is in parentheses and may itself contain spaces and ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // After the comm come fields 3, 4, ...; field 22 is the 20th of them.
  const rest = stat.slice(close + 1).trim().split(/\s+/);
  const state = rest[0];
  const startTime = Number(rest[19]);
  if (state === undefined || !Number.isSafeInteger(startTime) || startTime < 0) return undefined;
  return { state, startTime };
}

/**
 * The start time of a live process, or undefined when it does not exist, is
 * a zombie (dead, only waiting to be reaped) or /proc is unavailable.
 */
export async function procStartTime(pid: number): Promise<number | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat.startTime : undefined;
  } catch {
    return undefined;
  }
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
