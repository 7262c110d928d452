/**
 * The apply lock: one apply at a time per state directory. A lock file
 * (`apply.lock`) names its holder (pid, start time, command, since). It is
 * created with link(2) from a fully written temp file, which fails when the
 * lock exists exactly as O_EXCL does, but means a reader never sees a
 * half-written lock. A lock whose holder process is gone is stale and broken;
 * otherwise a second caller polls until its timeout and is then told who
 * holds it. Owns only the lock file; it never signals the holder.
 */

import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Result, err, ok } from '../util/result.js';
import { ensureDir, writeFileAtomic, FILE_MODE } from './atomic-write.js';
import { isPidAlive, procStartTime } from './proc-start-time.js';
import { statePaths } from './paths.js';

const BREAK_SUFFIX = '.break';

/** Who holds the lock. */
export interface LockHolder {
  pid: number;
  /** /proc start time of the holder, so a reused pid does not keep a dead holder's lock alive. */
  startTime?: number;
  /** What the holder is doing, e.g. `orchestra apply`. */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Random; lets release and stale-breaking tell this lock from a newer one at the same path. */
  token: string;
}

export interface LockOptions {
  /** Shown to whoever waits: `orchestra apply`. */
  command: string;
  /** How long to wait for a held lock; 0 (default) fails at once. */
  timeoutMs?: number;
  /** How often to look again while waiting (default 100 ms). */
  pollMs?: number;
  /** Clock, for the holder's `since` and the message; injected by tests. */
  now?: () => Date;
}

/** A held lock. */
export interface Lock {
  path: string;
  holder: LockHolder;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export type LockError =
  | { kind: 'locked'; holder: LockHolder; waitedMs: number; message: string }
  | { kind: 'io'; message: string };

/** Takes the lock of a state directory, waiting up to `timeoutMs` for a live holder to let go. */
export async function acquireLock(stateDir: string, options: LockOptions): Promise<Result<Lock, LockError>> {
  const now = options.now ?? (() => new Date());
  const pollMs = options.pollMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 0;
  const path = statePaths(stateDir).lock;
  const started = Date.now();
  try {
    await ensureDir(stateDir);
    const holder: LockHolder = {
      pid: process.pid,
      command: options.command,
      since: now().toISOString(),
      token: randomBytes(8).toString('hex'),
    };
    const startTime = await procStartTime(process.pid);
    if (startTime !== undefined) holder.startTime = startTime;
    for (;;) {
      if (await tryCreate(path, holder)) return ok(heldLock(path, holder));
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released between our attempt and the read
      const current = parseHolder(text);
      // A lock we cannot read was not written by orchestra (ours appear whole): treat it as stale.
      if (current === undefined || !(await isHolderAlive(current))) {
        if (await breakStaleLock(path, text)) continue;
      }
      if (current === undefined) {
        await sleep(pollMs);
        continue;
      }
      const waitedMs = Date.now() - started;
      if (waitedMs >= timeoutMs) {
        return err({ kind: 'locked', holder: current, waitedMs, message: `state is locked by ${describeHolder(current, now())}` });
      }
      await sleep(Math.min(pollMs, timeoutMs - waitedMs));
    }
  } catch (e) {
    return err({ kind: 'io', message: `cannot take the lock ${path}: ${(e as Error).message}` });
  }
}

/** The current holder of a state directory's lock, or undefined when it is free (or unreadable). */
export async function readLockHolder(stateDir: string): Promise<LockHolder | undefined> {
  try {
    return parseHolder(await readFile(statePaths(stateDir).lock, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `pid 1234 (orchestra apply, since 12:01:02)`; the date is added when it is not today. */
export function describeHolder(holder: LockHolder, now: Date): string {
  const since = new Date(holder.since);
  const time = since.toTimeString().slice(0, 8);
  const sameDay = since.toDateString() === now.toDateString();
  const day = `${since.getFullYear()}-${pad(since.getMonth() + 1)}-${pad(since.getDate())}`;
  return `pid ${holder.pid} (${holder.command}, since ${sameDay ? time : `${day} ${time}`})`;
}

/** True while the holder process runs and is the same process (not a reused pid). */
export async function isHolderAlive(holder: LockHolder): Promise<boolean> {
  if (!isPidAlive(holder.pid)) return false;
  if (holder.startTime === undefined) return true;
  const startTime = await procStartTime(holder.pid);
  // No /proc entry (another mount namespace, no procfs): trust kill(pid, 0).
  return startTime === undefined ? true : startTime === holder.startTime;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const d = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isSafeInteger(d.pid) || typeof d.command !== 'string' || typeof d.since !== 'string' || typeof d.token !== 'string') {
      return undefined;
    }
    return d as LockHolder;
  } catch {
    return undefined;
  }
}

/** Writes the holder to a temp file and links it into place; false when the lock exists. */
async function tryCreate(path: string, holder: LockHolder): Promise<boolean> {
  const temp = `${path}.${holder.token}.${randomBytes(4).toString('hex')}`;
  await writeFileAtomic(temp, `${JSON.stringify(holder)}\n`);
  try {
    await link(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(temp, { force: true });
  }
}

function heldLock(path: string, holder: LockHolder): Lock {
  return {
    path,
    holder,
    release: async () => {
      const current = parseHolder(await readFile(path, 'utf8').catch(() => ''));
      if (current?.token === holder.token) await rm(path, { force: true });
    },
  };
}

/**
 * Removes a lock whose holder died. Two waiters may find the same stale lock
 * at once; a second, tiny lock (`apply.lock.break`, O_EXCL) lets only one of
 * them remove it, and only while its content still is the stale text they
 * read, so a fresh lock taken meanwhile is never removed. Returns true when
 * the caller should try again at once.
 */
async function breakStaleLock(path: string, staleText: string): Promise<boolean> {
  const breakPath = `${path}${BREAK_SUFFIX}`;
  let handle;
  try {
    handle = await open(breakPath, 'wx', FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    await removeDeadBreaker(breakPath);
    return false;
  }
  try {
    await handle.writeFile(String(process.pid));
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === staleText) await unlink(path).catch(() => undefined);
    return true;
  } finally {
    await handle.close();
    await rm(breakPath, { force: true });
  }
}

/** A breaker that died mid-break would block everyone: its break lock goes once its pid is gone (or it stayed empty for 5 s). */
async function removeDeadBreaker(breakPath: string): Promise<void> {
  const text = await readFile(breakPath, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const breaker = Number(text.trim());
  const dead =
    breaker > 0
      ? !isPidAlive(breaker)
      : Date.now() - ((await stat(breakPath).catch(() => undefined))?.mtimeMs ?? Date.now()) > 5000;
  if (dead) await rm(breakPath, { force: true });
}
