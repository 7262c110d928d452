import { existsSync } from 'node:fs';
import t from 'tap';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadState, markApplied, newState, rebuildState, saveState, statePath } from '../../src/daemon/state-store.js';
import { isTempName, writeFileAtomic } from '../../src/daemon/atomic-write.js';
import { isPidAlive, isSameProcess, procStartTime } from '../../src/daemon/proc-start-time.js';
import { parseStat } from '../../src/supervise/procfs.js';
import { FIXTURES, type HasTeardown, spawnNode } from './child.js';

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

/** A pid that surely belongs to no process now: a child that ran and was reaped. */
async function deadPid(t: HasTeardown): Promise<number> {
  const child = spawnNode(t, ['-e', '']);
  await child.exited;
  return child.pid;
}

t.test('missing file: a fresh state with a new lineage', async (t) => {
  const dir = t.testdir();
  const r = await loadState(join(dir, '.orchestra'));
  if (!r.ok) throw new Error(r.error.message);
  t.equal(r.value.fresh, true);
  t.equal(r.value.state.serial, 0);
  t.same(r.value.state.agents, {});
  t.match(r.value.state.lineage, /^[0-9a-f-]{36}$/);
  t.not(newState().lineage, newState().lineage, 'lineages are random');
});

t.test('save and load round trip, with owner-only modes', async (t) => {
  const dir = join(t.testdir(), '.orchestra');
  const state = markApplied(
    { ...newState(), daemonPid: 4242, agents: { 'api-0': { pid: 123, startTime: 456, spawnedAt: '2025-01-01T00:00:00.000Z' } } },
    7,
  );
  await saveState(dir, state);
  const r = await loadState(dir);
  if (!r.ok) throw new Error(r.error.message);
  t.same(r.value, { state, fresh: false });
  t.equal(r.value.state.serial, 1);
  t.equal(r.value.state.appliedRevision, 7);
  t.equal(await mode(dir), 0o700, 'state dir 0700');
  t.equal(await mode(statePath(dir)), 0o600, 'state.json 0600');
});

t.test("the daemon's saves do not make a removed state directory again", async (t) => {
  const dir = join(t.testdir(), '.orchestra');
  await t.rejects(saveState(dir, newState(), { createDir: false }), { code: 'ENOENT' });
  t.notOk(existsSync(dir), 'not recreated');
  await saveState(dir, newState());
  t.ok(existsSync(statePath(dir)), 'the default makes it, as a first apply needs');
});

t.test('an existing, too open state dir is tightened', async (t) => {
  const dir = join(t.testdir(), '.orchestra');
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  await saveState(dir, newState());
  t.equal(await mode(dir), 0o700);
});

t.test('a crash mid-write leaves the old state readable; its temp file is ignored, then removed', async (t) => {
  const dir = join(t.testdir(), '.orchestra');
  const before = { ...newState(), serial: 4 };
  await saveState(dir, before);
  // What a writer killed between write and rename leaves behind: a partial temp file.
  const pid = await deadPid(t);
  const temp = `${statePath(dir)}.tmp-${pid}-deadbeef`;
  await writeFile(temp, '{"version": 1, "lineage": "half-writ');
  t.ok(isTempName(temp));
  const r = await loadState(dir);
  t.same(r.ok && r.value.state, before, 'readers see the last complete state');
  await saveState(dir, { ...before, serial: 5 });
  t.notOk((await readdir(dir)).includes(`state.json.tmp-${pid}-deadbeef`), 'a dead writer’s temp file is removed');
  const again = await loadState(dir);
  t.equal(again.ok && again.value.state.serial, 5);
});

t.test('writeFileAtomic replaces the whole file and leaves no temp file', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'x.json');
  await writeFileAtomic(file, 'first version, long content');
  await writeFileAtomic(file, 'second');
  t.equal(await readFile(file, 'utf8'), 'second');
  t.same(await readdir(dir), ['x.json']);
  t.equal(await mode(file), 0o600);
});

t.test('corrupt file: reported, and rebuilt without touching running agents', async (t) => {
  const dir = join(t.testdir(), '.orchestra');
  const agent = spawnNode(t, [join(FIXTURES, 'forever.mjs')]);
  t.equal(await agent.nextLine(), 'ready');
  const startTime = await procStartTime(agent.pid);
  await saveState(dir, { ...newState(), serial: 9, agents: { worker: { pid: agent.pid, startTime: startTime!, spawnedAt: 'x' } } });
  await writeFile(statePath(dir), '{"version": 1, "lineage": "abc", "serial": 9, "agen');

  const r = await loadState(dir);
  t.equal(r.ok, false);
  if (r.ok) return;
  t.equal(r.error.kind, 'corrupt');
  t.match(r.error.message, /state\.json is corrupt: not valid JSON/);

  const rebuilt = await rebuildState(dir, { serial: 9, appliedRevision: 9, now: new Date('2025-02-03T04:05:06.789Z') });
  t.equal(rebuilt.preservedAs, `${statePath(dir)}.corrupt-2025-02-03T04-05-06-789Z`);
  t.match(await readFile(rebuilt.preservedAs!, 'utf8'), '"agen', 'the bad file is kept for a human');
  t.equal(rebuilt.state.serial, 9);
  t.equal(rebuilt.state.appliedRevision, 9);
  const after = await loadState(dir);
  t.same(after.ok && after.value.state, rebuilt.state);
  t.ok(await isSameProcess(agent.pid, startTime!), 'the agent still runs');
});

t.test('shape errors and newer versions are reported', async (t) => {
  const dir = join(t.testdir(), '.orchestra');
  await mkdir(dir);
  const cases: [unknown, string][] = [
    [[], 'expected an object'],
    [{ version: 1, serial: 0, agents: {} }, '`lineage` is missing'],
    [{ version: 1, lineage: 'l', serial: -1, agents: {} }, '`serial` is not a non-negative integer'],
    [{ version: 1, lineage: 'l', serial: 0, agents: { a: { pid: 0, startTime: 1, spawnedAt: 'x' } } }, 'agent a lacks pid, startTime or spawnedAt'],
    [{ version: 'one', lineage: 'l', serial: 0, agents: {} }, 'unknown version "one"'],
  ];
  for (const [content, problem] of cases) {
    await writeFile(statePath(dir), JSON.stringify(content));
    const r = await loadState(dir);
    t.equal(!r.ok && r.error.message, `${statePath(dir)} is corrupt: ${problem}`);
  }
  await writeFile(statePath(dir), JSON.stringify({ version: 2, lineage: 'l', serial: 0, agents: {} }));
  const newer = await loadState(dir);
  t.equal(!newer.ok && newer.error.kind, 'unsupported-version');
  t.match(!newer.ok && newer.error.message, 'written by a newer orchestra (state version 2, this one reads 1)');
});

t.test('start time identifies a real process, and stops matching once it is gone', async (t) => {
  const child = spawnNode(t, [join(FIXTURES, 'forever.mjs')]);
  t.equal(await child.nextLine(), 'ready');
  const startTime = await procStartTime(child.pid);
  t.type(startTime, 'number');
  const raw = parseStat(await readFile(`/proc/${child.pid}/stat`, 'utf8'));
  t.equal(raw?.startTime, startTime, 'field 22 of /proc/<pid>/stat');
  t.ok(await isSameProcess(child.pid, startTime!));
  t.notOk(await isSameProcess(child.pid, startTime! + 1), 'another start time is another process');
  t.ok(isPidAlive(child.pid));
  child.kill('SIGKILL');
  await child.exited;
  t.equal(await procStartTime(child.pid), undefined);
  t.notOk(await isSameProcess(child.pid, startTime!));
  t.notOk(isPidAlive(child.pid));
});

t.test('parseStat copes with odd process names', async (t) => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[0] = 'S';
  fields[19] = '987654';
  t.match(parseStat(`42 (we ird) (name)) ${fields.join(' ')}`), { pid: 42, state: 'S', ppid: 4, pgid: 5, startTime: 987654 });
  t.equal(parseStat('garbage'), undefined);
  t.equal(parseStat('1 (x) S 1 2'), undefined, 'a truncated line has no start time');
});
