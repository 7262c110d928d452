/**
 * Atomic file replacement for the state directory: write a temp file beside
 * the target, fsync it, rename it over the target, fsync the directory. A
 * crash at any point leaves either the old file or the new one, never half of
 * one; a temp file left behind is ignored by readers and removed later. A
 * write that need not outlive the machine (records of processes, which die
 * with it; a page made again from them) skips both fsyncs: the rename is as
 * atomic without them, and only power loss or a kernel crash can take the
 * new content back. Owns only that mechanism; it knows nothing of what the
 * files mean.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, chmod, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isPidAlive } from './proc-start-time.js';

/** Owner-only file mode for everything in the state directory. */
export const FILE_MODE = 0o600;
/** Owner-only directory mode for the state directory and its subdirectories. */
export const DIR_MODE = 0o700;

const TEMP_INFIX = '.tmp-';

/** Creates a directory (and parents) owner-only, tightening it if it already exists. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
}

/** How a replacement is written: the file's mode (default 0600), and whether it must survive power loss (default yes). */
export interface AtomicWriteOptions {
  mode?: number;
  /** False: atomic against any process's crash, but not fsynced (the old content may come back after power loss). */
  durable?: boolean;
}

/** Replaces `path` with `data` atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const { mode = FILE_MODE, durable = true } = options;
  const temp = `${path}${TEMP_INFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', mode);
  try {
    // The umask may have cleared bits of `mode`; say it again explicitly.
    await handle.chmod(mode);
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  if (durable) await syncDir(dirname(path));
}

/** True for names this module uses for temp files (`state.json.tmp-<pid>-<random>`). */
export function isTempName(name: string): boolean {
  return /\.tmp-\d+-[0-9a-f]+$/.test(name);
}

/** Removes temp files of `path` left by writers that died; a live writer's temp file is kept. */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `${basename(path)}${TEMP_INFIX}`;
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !isTempName(name)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (pid === process.pid || isPidAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
