/**
 * The cgroup v2 file system, read and written directly: where it is mounted,
 * where this process sits in it, and the few files a boundary needs
 * (cgroup.procs, cgroup.kill, cgroup.events, cpu.stat, memory.current).
 * Knows nothing of agents or projects; every call is synchronous, small, and
 * turns a vanished cgroup into an empty answer rather than a throw. The two
 * files the monitor reads every round of every instance (`cgroup.procs`,
 * `cpu.stat`) are kept open between reads and read with one pread (about a
 * third of the CPU of open+read+close), up to MAX_OPEN files; they are closed
 * when the cgroup is removed here, or when a read finds it gone.
 */

import { closeSync, openSync, readFileSync, readSync, rmdirSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { readSmallFile } from './small-file.js';

/** The first cgroup2 mount point named by /proc/mounts (on a hybrid host it is not /sys/fs/cgroup itself), or undefined. */
export function cgroup2Mount(mounts: string = readText('/proc/mounts') ?? ''): string | undefined {
  for (const line of mounts.split('\n')) {
    const f = line.split(' ');
    if (f[2] === 'cgroup2' && f[1]) return unescapeMount(f[1]);
  }
  return undefined;
}

/** /proc/mounts writes spaces and a few other bytes as octal escapes. */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** This process's cgroup v2 path relative to the mount (the `0::` line of /proc/self/cgroup), or undefined. */
export function ownCgroup(text: string = readText('/proc/self/cgroup') ?? ''): string | undefined {
  for (const line of text.split('\n')) if (line.startsWith('0::')) return line.slice(3);
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Past this many open cgroup files (two per instance) reads fall back to open, read, close: the daemon keeps descriptors for its own work. */
const MAX_OPEN = 1024;
const KEPT = ['cgroup.procs', 'cpu.stat'] as const;
/**
 * The path of a kept file. Not path.join: its normalizing was almost half of an
 * idle minute's round (lite mode interprets Node's own code too), and a
 * cgroup's dir is already a joined, normalized path. Reads and closes build
 * the same key here.
 */
const kept = (dir: string, name: (typeof KEPT)[number]): string => `${dir}/${name}`;
const openFiles = new Map<string, number>();
// Holds the pids of a cgroup of ~9000 processes; a larger answer is read the slow way.
const buf = Buffer.allocUnsafe(64 * 1024);

/** The text of a kept file through its open descriptor, opened on first use; undefined when the cgroup is gone. */
function readKept(file: string): string | undefined {
  let fd = openFiles.get(file);
  if (fd === undefined) {
    if (openFiles.size >= MAX_OPEN) return readSmallFile(file);
    try {
      fd = openSync(file, 'r');
    } catch {
      return undefined;
    }
    openFiles.set(file, fd);
  }
  let n: number;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } catch {
    // ENODEV: that cgroup was removed; one of the same name may have been made since, which a fresh open finds.
    closeKept(file);
    return readSmallFile(file);
  }
  return n < buf.length ? buf.toString('latin1', 0, n) : readSmallFile(file);
}

function closeKept(file: string): void {
  const fd = openFiles.get(file);
  if (fd === undefined) return;
  openFiles.delete(file);
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** How many cgroup files are held open now (tests). */
export function openCgroupFiles(): number {
  return openFiles.size;
}

/** The pids in a cgroup (cgroup.procs); empty when it is gone. */
export function cgroupProcs(dir: string): number[] {
  const text = readKept(kept(dir, 'cgroup.procs'));
  if (!text) return [];
  const out: number[] = [];
  for (const line of text.split('\n')) if (line) out.push(Number(line));
  return out;
}

/** Whether any process lives in the cgroup or below it (cgroup.events `populated`). */
export function populated(dir: string): boolean {
  const text = readSmallFile(join(dir, 'cgroup.events'));
  return text !== undefined && /^populated 1$/m.test(text);
}

/** CPU time used by everything that ever ran in the cgroup, µs (cpu.stat `usage_usec`); undefined when gone. */
export function cpuUsageUsec(dir: string): number | undefined {
  const text = readKept(kept(dir, 'cpu.stat'));
  const m = text === undefined ? null : /^usage_usec (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Memory charged to the cgroup (memory.current), bytes; undefined unless the memory controller is enabled for it. */
export function memoryCurrent(dir: string): number | undefined {
  const text = readSmallFile(join(dir, 'memory.current'));
  return text === undefined ? undefined : Number(text.trim());
}

/** Moves a process into the cgroup; throws with the errno of the write (EACCES, ENOENT, ESRCH…). */
export function moveInto(dir: string, pid: number): void {
  writeFileSync(join(dir, 'cgroup.procs'), `${pid}\n`);
}

/** SIGKILLs every process in the cgroup and below at once (cgroup.kill, Linux ≥ 5.14); false when the file is missing. */
export function killCgroup(dir: string): boolean {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
    return true;
  } catch {
    return false;
  }
}

/** Removes an empty cgroup; true when it is gone afterwards (EBUSY: still populated or has children). */
export function removeCgroup(dir: string): boolean {
  for (const name of KEPT) closeKept(kept(dir, name));
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * Calls `then` once the cgroup is no longer populated, woken by the kernel's
 * file-modified event on cgroup.events (no polling), or after `ms` in any
 * case. Never keeps the process alive.
 */
export function whenUnpopulated(dir: string, ms: number, then: () => void): void {
  let watcher: FSWatcher | undefined;
  let finished = false;
  const done = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    watcher?.close();
    then();
  };
  const timer = setTimeout(done, ms);
  timer.unref();
  try {
    watcher = watch(join(dir, 'cgroup.events'), { persistent: false }, () => {
      if (!populated(dir)) done();
    });
  } catch {
    // Gone already (answered just below), or no watch here: the timer still fires.
  }
  // It may have emptied between the caller's look and the watch.
  if (!populated(dir)) done();
}
