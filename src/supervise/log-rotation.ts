/**
 * Size-based rotation of a log file that a running child writes through its
 * own O_APPEND descriptor. The child's descriptor cannot be swapped from
 * outside, so the file is rotated in place (copy-truncate) without losing a
 * byte: bulk-copy while the child runs, then freeze the tree (SIGSTOP) for the
 * last catch-up copy and the truncate, then SIGCONT. A stopped process has no
 * write in flight (writes to regular files finish before a signal stops
 * the caller), so nothing can land between the last copy and the truncate.
 * Owns the `.1 … .N` naming; does not decide when to check.
 */

import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { readProc, type ProcInfo } from './procfs.js';

export interface RotationResult {
  /** Bytes moved into `<file>.1` (0 with keep = 0, where they are dropped). */
  bytes: number;
  /** How long the tree was frozen, ms. */
  frozenMs: number;
  /** False when some process did not stop within the freeze timeout; a few bytes may then have been lost. */
  frozeAll: boolean;
}

/** How long to wait for every member to report the stopped state. */
const FREEZE_TIMEOUT_MS = 250;
const CHUNK = 1 << 20;

/** `app.log` → `app.log.1`: the name of the n-th most recent rotated file. */
export function rotatedName(file: string, n: number): string {
  return `${file}.${n}`;
}

function copyRange(src: number, dst: number, from: number, to: number): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = from;
  while (pos < to) {
    const n = readSync(src, buf, 0, Math.min(CHUNK, to - pos), pos);
    if (n === 0) break;
    writeSync(dst, buf, 0, n);
    pos += n;
  }
  return pos;
}

function send(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

async function freeze(group: number, members: readonly ProcInfo[]): Promise<boolean> {
  send(-group, 'SIGSTOP');
  for (const m of members) if (m.pgid !== group) send(m.pid, 'SIGSTOP');
  const deadline = Date.now() + FREEZE_TIMEOUT_MS;
  for (;;) {
    const running = members.filter((m) => {
      const s = readProc(m.pid)?.state;
      return s !== undefined && s !== 'T' && s !== 't' && s !== 'Z' && s !== 'X';
    });
    if (running.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setImmediate(r));
  }
}

function thaw(group: number, members: readonly ProcInfo[]): void {
  send(-group, 'SIGCONT');
  for (const m of members) if (m.pgid !== group) send(m.pid, 'SIGCONT');
}

/** The file's size in bytes, 0 when it is missing or unreadable (one stat call: this runs for every agent on every check). */
export function logSize(file: string): number {
  try {
    return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Rotates `file` keeping `keep` older files: `.1` is the newest. `group` and
 * `members` are the writer's process group and tree (empty when no process
 * writes the file, then nothing is frozen).
 */
export async function rotateLog(file: string, keep: number, group: number | undefined, members: readonly ProcInfo[]): Promise<RotationResult> {
  if (keep > 0) {
    rmSync(rotatedName(file, keep), { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (existsSync(rotatedName(file, i))) renameSync(rotatedName(file, i), rotatedName(file, i + 1));
    }
  }
  const src = openSync(file, 'r+');
  const dst = keep > 0 ? openSync(rotatedName(file, 1), 'w', 0o600) : undefined;
  try {
    let copied = 0;
    // Bulk copy while the writer runs; a few passes shrink what is left for the frozen step.
    for (let pass = 0; pass < 3 && dst !== undefined; pass++) {
      const size = fstatSync(src).size;
      if (size === copied) break;
      copied = copyRange(src, dst, copied, size);
    }
    const t0 = Date.now();
    const frozeAll = group !== undefined ? await freeze(group, members) : true;
    try {
      const size = fstatSync(src).size;
      if (dst !== undefined) copied = copyRange(src, dst, copied, size);
      else copied = size;
      ftruncateSync(src, 0);
    } finally {
      if (group !== undefined) thaw(group, members);
    }
    return { bytes: dst !== undefined ? copied : 0, frozenMs: Date.now() - t0, frozeAll };
  } finally {
    closeSync(src);
    if (dst !== undefined) closeSync(dst);
  }
}
