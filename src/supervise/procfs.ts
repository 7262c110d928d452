/**
 * Process-tree discovery through /proc: who is alive, who is whose parent,
 * which process group. The stop logic and the sampler use it to find every
 * descendant of an agent, including those that left its process group
 * (`setsid` daemons). Reads only; never signals.
 */

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R S D Z T … */
  state: string;
  /** Start time in clock ticks since boot; with the pid it identifies a process across pid reuse. */
  startTime: number;
}

/** Parses one /proc/<pid>/stat line; the comm field may contain spaces and parentheses. */
export function parseStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, ppid, pgid, state: rest[0] ?? '?', startTime };
}

/** Reads one process, or undefined when it is gone. */
export function readProc(pid: number): ProcInfo | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Reads every process of the machine once. */
export function readAllProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = readProc(Number(e));
    if (info) out.push(info);
  }
  return out;
}

/** True when the pid no longer names a running process (gone, or a zombie awaiting its reaper). */
export function isGone(pid: number, startTime?: number): boolean {
  const info = readProc(pid);
  if (!info || info.state === 'Z' || info.state === 'X') return true;
  return startTime !== undefined && info.startTime !== startTime;
}

/**
 * Every live process of a tree: the leader, everything in its process group,
 * and every descendant by parent links (which catches `setsid` children while
 * their parent lives). Zombies are left out: there is nothing to signal.
 */
export function treeOf(leader: number, procs: readonly ProcInfo[], extraGroups: readonly number[] = []): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const groups = new Set([leader, ...extraGroups]);
  const found = new Map<number, ProcInfo>();
  const visit = (p: ProcInfo): void => {
    if (found.has(p.pid)) return;
    found.set(p.pid, p);
    for (const c of children.get(p.pid) ?? []) visit(c);
  };
  for (const p of procs) if (p.pid === leader || groups.has(p.pgid)) visit(p);
  return [...found.values()].filter((p) => p.state !== 'Z' && p.state !== 'X');
}

/** Group a set of leaders' trees from one /proc read: leader → tree. */
export function treesOf(leaders: readonly number[], procs: readonly ProcInfo[] = readAllProcs()): Map<number, ProcInfo[]> {
  const out = new Map<number, ProcInfo[]>();
  for (const l of leaders) out.set(l, treeOf(l, procs));
  return out;
}
