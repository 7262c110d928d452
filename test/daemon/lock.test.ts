import t from 'tap';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { acquireLock, describeHolder, readLockHolder } from '../../src/daemon/lock.js';
import { statePaths } from '../../src/daemon/paths.js';

const LOCK_FILE = basename(statePaths('.').lock);
import { procStartTime } from '../../src/daemon/proc-start-time.js';
import { FIXTURES, type HasTeardown, spawnNode, transpileModules } from './child.js';

const HOLD = join(FIXTURES, 'hold-lock.mjs');

// The children run this very lock module, transpiled once for a fast start.
const LOCK_MODULE = await transpileModules(
  ['src/daemon/lock.ts', 'src/daemon/paths.ts', 'src/daemon/atomic-write.ts', 'src/daemon/proc-start-time.ts', 'src/supervise/procfs.ts', 'src/supervise/kernel-constants.ts', 'src/util/result.ts'],
  t.testdir(),
);

/** A second real process that takes the lock and reports what happened. */
function holder(t: HasTeardown, dir: string, command: string, timeoutMs = 0, journal?: string) {
  const args = [HOLD, LOCK_MODULE, dir, command, String(timeoutMs)];
  return spawnNode(t, journal ? [...args, journal] : args);
}

const sinceText = (iso: string): string => new Date(iso).toTimeString().slice(0, 8);

t.test('contention: a second caller is told who holds the lock', async (t) => {
  const dir = t.testdir();
  const first = holder(t, dir, 'orchestra apply');
  t.same(JSON.parse(await first.nextLine()), { acquired: true, pid: first.pid });

  const held = await readLockHolder(dir);
  t.equal(held?.pid, first.pid);
  t.equal(held?.command, 'orchestra apply');
  t.equal(held?.startTime, await procStartTime(first.pid), 'the holder records its start time');

  const mine = await acquireLock(dir, { command: 'orchestra apply' });
  t.equal(mine.ok, false);
  if (mine.ok || mine.error.kind !== 'locked') throw new Error('expected a locked error');
  t.equal(mine.error.holder.pid, first.pid);
  t.equal(mine.error.message, `state is locked by pid ${first.pid} (orchestra apply, since ${sinceText(held!.since)})`);

  // And between two other real processes.
  const second = holder(t, dir, 'orchestra rollback');
  const report = JSON.parse(await second.nextLine());
  t.equal(report.acquired, false);
  t.equal(report.error.kind, 'locked');
  t.match(report.error.message, `state is locked by pid ${first.pid} (orchestra apply, since `);
  await second.exited;

  first.proc.stdin!.write('release\n');
  t.same(JSON.parse(await first.nextLine()), { released: true });
  await first.exited;
  const after = await acquireLock(dir, { command: 'orchestra apply' });
  t.ok(after.ok, 'free once released');
  if (after.ok) await after.value.release();
});

t.test('a waiting caller gets the lock when the holder releases', async (t) => {
  const dir = t.testdir();
  const first = holder(t, dir, 'orchestra apply');
  t.same(JSON.parse(await first.nextLine()).acquired, true);
  const waiting = acquireLock(dir, { command: 'orchestra apply --watch', timeoutMs: 60_000, pollMs: 20 });
  first.proc.stdin!.write('release\n');
  const got = await waiting;
  if (!got.ok) throw new Error(got.error.message);
  t.equal(got.value.holder.pid, process.pid);
  t.equal((await readLockHolder(dir))?.command, 'orchestra apply --watch');
  await got.value.release();
  t.equal(await readLockHolder(dir), undefined);
});

t.test('timeout: gives up after waiting and names the holder', async (t) => {
  const dir = t.testdir();
  const first = holder(t, dir, 'orchestra apply');
  t.same(JSON.parse(await first.nextLine()).acquired, true);
  const r = await acquireLock(dir, { command: 'orchestra apply', timeoutMs: 300, pollMs: 50 });
  if (r.ok || r.error.kind !== 'locked') throw new Error('expected a locked error');
  t.ok(r.error.waitedMs >= 300, 'waited for the whole timeout');
  t.equal(r.error.holder.pid, first.pid);
});

t.test('a stale lock (holder killed) is broken', async (t) => {
  const dir = t.testdir();
  const first = holder(t, dir, 'orchestra apply');
  t.same(JSON.parse(await first.nextLine()).acquired, true);
  first.kill('SIGKILL');
  await first.exited;
  t.equal((await readLockHolder(dir))?.pid, first.pid, 'the dead holder’s lock is still there');
  const r = await acquireLock(dir, { command: 'orchestra apply' });
  if (!r.ok) throw new Error(r.error.message);
  t.equal((await readLockHolder(dir))?.pid, process.pid);
  await r.value.release();
  t.same((await readdir(dir)).filter((n) => n.startsWith(LOCK_FILE)), [], 'no lock, break lock or temp file left');
});

t.test('a lock whose pid was reused by another process is stale', async (t) => {
  const dir = t.testdir();
  const start = await procStartTime(process.pid);
  const fake = { pid: process.pid, startTime: start! + 1, command: 'orchestra apply', since: new Date().toISOString(), token: 'old' };
  await writeFile(join(dir, LOCK_FILE), JSON.stringify(fake));
  const r = await acquireLock(dir, { command: 'orchestra apply' });
  if (!r.ok) throw new Error(r.error.message);
  t.not((await readLockHolder(dir))?.token, 'old');
  await r.value.release();
});

t.test('an unreadable lock file is treated as stale', async (t) => {
  const dir = t.testdir();
  await writeFile(join(dir, LOCK_FILE), 'not json');
  const r = await acquireLock(dir, { command: 'orchestra apply' });
  t.ok(r.ok);
  if (r.ok) await r.value.release();
});

t.test('release removes only our own lock', async (t) => {
  const dir = t.testdir();
  const r = await acquireLock(dir, { command: 'orchestra apply' });
  if (!r.ok) throw new Error(r.error.message);
  // Someone broke our lock (we looked dead) and took their own.
  const theirs = { pid: 1, command: 'orchestra apply', since: new Date().toISOString(), token: 'theirs' };
  await writeFile(join(dir, LOCK_FILE), JSON.stringify(theirs));
  await r.value.release();
  t.equal(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).token, 'theirs');
  await r.value.release();
});

t.test('mutual exclusion among several real processes', async (t) => {
  const dir = t.testdir();
  const journal = join(dir, 'journal');
  await writeFile(journal, '');
  const racers = [0, 1, 2].map(() => holder(t, dir, 'orchestra apply', 120_000, journal));
  await Promise.all(racers.map((r) => r.exited));
  const lines = (await readFile(journal, 'utf8')).trim().split('\n');
  t.equal(lines.length, 6, 'every racer got the lock once');
  for (let i = 0; i < lines.length; i += 2) {
    const pid = lines[i]!.split(' ')[1];
    t.same([lines[i], lines[i + 1]], [`enter ${pid}`, `exit ${pid}`], 'no one entered while another held the lock');
  }
});

t.test('describeHolder adds the date when the lock is not from today', async (t) => {
  const since = new Date(2024, 4, 1, 12, 1, 2);
  const holderInfo = { pid: 1234, command: 'orchestra apply', since: since.toISOString(), token: 'x' };
  t.equal(describeHolder(holderInfo, new Date(2024, 4, 1, 18, 0, 0)), 'pid 1234 (orchestra apply, since 12:01:02)');
  t.equal(describeHolder(holderInfo, new Date(2024, 4, 3, 9, 0, 0)), 'pid 1234 (orchestra apply, since 2024-05-01 12:01:02)');
});
