/**
 * Process-tree discovery through /proc: who is alive, who is whose parent,
 * which process group. The stop logic and the sampler use it to find every
 * descendant of an agent, including those that left its process group
 * (`setsid` daemons), and when a process started in wall-clock time (for the
 * uptime of an adopted process), and the per-process CPU and RSS fields the
 * sampler turns into usage. Reads only; never signals.
 */

import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { clockTicks } from './kernel-constants.js';

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
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isSafeInteger(startTime)) return undefined;
  return { pid, ppid, pgid, state: rest[0] ?? '?', startTime };
}

// A stat line is well under 1 KiB (comm is at most 64 bytes); one shared buffer saves the
// fstat and the growing reads of readFileSync on files that report size 0.
const statBuf = Buffer.allocUnsafe(4096);

/** The text of /proc/<pid>/stat, or undefined when the process is gone. */
export function readStatText(pid: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, statBuf, 0, statBuf.length, 0);
    // Only a pathological comm could fill the buffer; then read it the slow way.
    return n < statBuf.length ? statBuf.toString('latin1', 0, n) : readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Reads one process, or undefined when it is gone. */
export function readProc(pid: number): ProcInfo | undefined {
  const text = readStatText(pid);
  return text === undefined ? undefined : parseStat(text);
}

/** What the sampler needs from one stat line: CPU so far, resident pages, and the start time that tells pid reuse apart. */
export interface ProcUsage {
  /** utime + stime (fields 14 and 15), clock ticks. */
  ticks: number;
  /** RSS (field 24), pages. */
  rssPages: number;
  /** Field 22, clock ticks since boot. */
  startTime: number;
}

/** Parses the usage fields of one /proc/<pid>/stat line; undefined for a zombie. */
export function parseStatUsage(text: string): ProcUsage | undefined {
  const bytes = Buffer.from(text, 'latin1');
  return parseStatUsageBytes(bytes, bytes.length);
}

const CLOSE_PAREN = 0x29;
const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * Parses the usage fields of a stat line straight from the bytes read, making
 * no strings: the monitor reads one line per tree member every round, too
 * rarely for the JIT to warm up, so allocation is most of the parse cost.
 */
export function parseStatUsageBytes(bytes: Uint8Array, length: number): ProcUsage | undefined {
  // The comm field may hold spaces and parentheses; fields are counted from the last ')'.
  let pos = length - 1;
  while (pos >= 0 && bytes[pos] !== CLOSE_PAREN) pos--;
  if (pos < 0) return undefined;
  pos += 2;
  let utime = NaN;
  let stime = NaN;
  let startTime = NaN;
  let rssPages = NaN;
  // A zombie (Z) or dead (X) task keeps its number but has nothing left to measure.
  const state = bytes[pos];
  if (state === 0x5a || state === 0x58) return undefined;
  for (let field = 3; field <= 24 && pos < length; field++) {
    const wanted = field === 14 || field === 15 || field === 22 || field === 24;
    let value = 0;
    let digits = 0;
    let clean = true;
    for (; pos < length; pos++) {
      const b = bytes[pos]!;
      if (b === SPACE || b === NEWLINE) break;
      if (!wanted) continue;
      if (b >= 48 && b <= 57) (value = value * 10 + (b - 48)), digits++;
      else clean = false;
    }
    pos++;
    if (!wanted) continue;
    const parsed = clean && digits > 0 ? value : NaN;
    if (field === 14) utime = parsed;
    else if (field === 15) stime = parsed;
    else if (field === 22) startTime = parsed;
    else rssPages = parsed;
  }
  const ticks = utime + stime;
  if (!Number.isFinite(ticks) || !Number.isFinite(startTime) || !Number.isFinite(rssPages)) return undefined;
  return { ticks, rssPages, startTime };
}

/** Seconds since boot from /proc/uptime (the clock of the start times), or undefined when unreadable. */
export function uptimeSeconds(): number | undefined {
  try {
    const up = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
    return Number.isFinite(up) && up > 0 ? up : undefined;
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

/** Parent → children and pgid → members, built once per /proc read so many trees cost one pass. */
interface ProcIndex {
  children: Map<number, ProcInfo[]>;
  groups: Map<number, ProcInfo[]>;
  byPid: Map<number, ProcInfo>;
}

function push(map: Map<number, ProcInfo[]>, key: number, p: ProcInfo): void {
  const list = map.get(key);
  if (list) list.push(p);
  else map.set(key, [p]);
}

// A batch of stops shares one /proc read; indexing it once keeps each snapshot O(tree).
const indexed = new WeakMap<readonly ProcInfo[], ProcIndex>();

function indexProcs(procs: readonly ProcInfo[]): ProcIndex {
  const cached = indexed.get(procs);
  if (cached) return cached;
  const children = new Map<number, ProcInfo[]>();
  const groups = new Map<number, ProcInfo[]>();
  const byPid = new Map<number, ProcInfo>();
  for (const p of procs) (push(children, p.ppid, p), push(groups, p.pgid, p), byPid.set(p.pid, p));
  const index = { children, groups, byPid };
  indexed.set(procs, index);
  return index;
}

function treeIn(index: ProcIndex, leader: number, extraGroups: readonly number[]): ProcInfo[] {
  const found = new Map<number, ProcInfo>();
  const visit = (p: ProcInfo): void => {
    if (found.has(p.pid)) return;
    found.set(p.pid, p);
    for (const c of index.children.get(p.pid) ?? []) visit(c);
  };
  const self = index.byPid.get(leader);
  if (self) visit(self);
  for (const g of [leader, ...extraGroups]) for (const p of index.groups.get(g) ?? []) visit(p);
  return [...found.values()].filter((p) => p.state !== 'Z' && p.state !== 'X');
}

/**
 * Every live process of a tree: the leader, everything in its process group,
 * and every descendant by parent links (which catches `setsid` children while
 * their parent lives). Zombies are left out: there is nothing to signal.
 */
export function treeOf(leader: number, procs: readonly ProcInfo[], extraGroups: readonly number[] = []): ProcInfo[] {
  return treeIn(indexProcs(procs), leader, extraGroups);
}

/** The trees of many leaders from one /proc read, indexing it once: leader → tree. */
export function treesOf(leaders: readonly number[], procs: readonly ProcInfo[] = readAllProcs()): Map<number, ProcInfo[]> {
  const index = indexProcs(procs);
  const out = new Map<number, ProcInfo[]>();
  for (const l of leaders) out.set(l, treeIn(index, l, []));
  return out;
}

/**
 * Boot time in ms since the epoch. /proc/uptime (centiseconds, the same boot
 * clock as the start times) gives it to ~10 ms; the `btime` line of /proc/stat
 * is the fallback, truncated to whole seconds.
 */
async function bootTime(): Promise<number | undefined> {
  try {
    const now = Date.now();
    const up = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    if (Number.isFinite(up) && up > 0) return now - Math.round(up * 1000);
  } catch {
    // fall through to btime
  }
  try {
    const m = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When a live process started, in ms since the epoch: boot time plus its
 * start time in ticks (field 22). Accurate to a few ticks (a second on the
 * btime fallback). Undefined when the process is gone, a zombie, or /proc is
 * unreadable.
 */
export async function processStartedAt(pid: number): Promise<number | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let info: ProcInfo | undefined;
  try {
    info = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
  if (!info || info.state === 'Z' || info.state === 'X' || !Number.isFinite(info.startTime)) return undefined;
  const [boot, hz] = await Promise.all([bootTime(), clockTicks()]);
  return boot === undefined ? undefined : boot + Math.round((info.startTime * 1000) / hz);
}
