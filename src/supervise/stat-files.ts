/**
 * Open /proc/<pid>/stat files kept across monitor rounds. Re-reading an open
 * stat file is one pread; opening it by path costs a procfs lookup plus an
 * open and a close, about three times as much CPU for the same line. The
 * descriptor names the process, not the number: once the process is gone a
 * read fails with ESRCH even if its pid was reused, so a reused pid is never
 * read through an old descriptor.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { parseStatUsage, parseStatUsageBytes, readStatText, type ProcUsage } from './procfs.js';

/** Past this many open files the reader falls back to open, read, close per call (the process keeps descriptors for its own work). */
const DEFAULT_MAX_OPEN = 2048;

// A stat line is well under 1 KiB; one shared buffer serves every read.
const buf = Buffer.allocUnsafe(4096);

export class StatFiles {
  readonly #fds = new Map<number, number>();

  constructor(private readonly maxOpen = DEFAULT_MAX_OPEN) {}

  /** How many stat files are open now. */
  get openCount(): number {
    return this.#fds.size;
  }

  /** CPU ticks, resident pages and start time of a live process, or undefined when it is gone or a zombie. */
  usage(pid: number): ProcUsage | undefined {
    let fd = this.#fds.get(pid);
    if (fd === undefined) {
      if (this.#fds.size >= this.maxOpen) return this.#byPath(pid);
      try {
        fd = openSync(`/proc/${pid}/stat`, 'r');
      } catch {
        return undefined;
      }
      this.#fds.set(pid, fd);
    }
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } catch {
      // ESRCH: the process this file names is gone (its number may already name another one).
      this.#forget(pid);
      return undefined;
    }
    // Only a pathological comm could fill the buffer; the path reader copes with that.
    return n < buf.length ? parseStatUsageBytes(buf, n) : this.#byPath(pid);
  }

  #byPath(pid: number): ProcUsage | undefined {
    const text = readStatText(pid);
    return text === undefined ? undefined : parseStatUsage(text);
  }

  /** Closes the files of every pid not in `pids`. */
  keepOnly(pids: ReadonlySet<number>): void {
    for (const pid of this.#fds.keys()) if (!pids.has(pid)) this.#forget(pid);
  }

  /** Closes every file. */
  close(): void {
    for (const pid of [...this.#fds.keys()]) this.#forget(pid);
  }

  #forget(pid: number): void {
    const fd = this.#fds.get(pid);
    if (fd === undefined) return;
    this.#fds.delete(pid);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
