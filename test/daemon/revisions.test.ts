import t from 'tap';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  diffRevisions,
  getRevision,
  gitInfo,
  latestRevision,
  listRevisions,
  revisionsDir,
  writeRevision,
} from '../../src/daemon/revisions.js';
import { diff } from '../../src/plan/diff.js';
import { renderPlan } from '../../src/plan/render.js';
import type { Plan } from '../../src/plan/spec.js';
import { NO_HASHES, plan, spec } from '../plan/plan-helper.js';

/** A plan whose manifest file really exists in `dir`. */
async function planIn(dir: string, command: string, extra: Partial<Plan> = {}): Promise<Plan> {
  const manifest = join(dir, 'orchestra.yaml');
  await writeFile(manifest, `version: 1\nagents:\n  api:\n    command: [${command}]\n`);
  return plan([spec('api', { command: [command] }), spec('redis')], { files: [manifest], baseDir: dir, ...extra });
}

/** A temp directory outside the project's own git repository, removed on teardown. */
async function outsideRepo(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestra-revisions-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const input = (p: Plan, time: Date, envFileHashes = new Map<string, string>()) => ({
  plan: p,
  changeSet: diff(undefined, p, [], NO_HASHES),
  envFileHashes,
  time,
});

t.test('write, list, get, latest', async (t) => {
  const dir = t.testdir();
  const state = join(dir, '.orchestra');
  const p1 = await planIn(dir, 'a', { environment: 'production' });
  const r1 = await writeRevision(state, input(p1, new Date('2025-01-01T00:00:00Z')), { git: false });
  const manifestHash = (await execa('sha256sum', [join(dir, 'orchestra.yaml')])).stdout.split(' ')[0];
  t.equal(r1.number, 1);
  t.equal(r1.environment, 'production');
  t.same(r1.files, [{ path: join(dir, 'orchestra.yaml'), sha256: manifestHash }]);
  t.same(r1.summary, { counts: { start: 2, stop: 0, restart: 0, update: 0, unchanged: 0, recover: 0, reload: 0 }, text: 'Plan: 2 to start.' });
  t.equal(r1.git, undefined, 'no git lookup when disabled');

  const p2 = await planIn(dir, 'b');
  const r2 = await writeRevision(state, { ...input(p2, new Date('2025-01-02T00:00:00Z')), rollbackOf: 1 }, { git: false });
  t.equal(r2.number, 2);
  t.equal(r2.rollbackOf, 1);

  const { revisions, unreadable } = await listRevisions(state);
  t.same(revisions.map((r) => [r.number, r.time]), [[1, '2025-01-01T00:00:00.000Z'], [2, '2025-01-02T00:00:00.000Z']]);
  t.notOk('plan' in revisions[0]!, 'summaries leave the plan out');
  t.same(unreadable, []);

  const got = await getRevision(state, 1);
  t.same(got.ok && got.value.plan, p1);
  t.equal((await latestRevision(state))?.number, 2);
  t.equal((await stat(join(revisionsDir(state), '1.json'))).mode & 0o777, 0o600);
  t.equal((await stat(revisionsDir(state))).mode & 0o777, 0o700);
});

t.test('missing and corrupt revisions', async (t) => {
  const state = join(t.testdir(), '.orchestra');
  t.equal(await latestRevision(state), undefined);
  const none = await getRevision(state, 3);
  t.equal(!none.ok && none.error, 'no revision 3 (none kept)');
  const p = plan([spec('api')]);
  await writeRevision(state, input(p, new Date()), { git: false });
  await writeRevision(state, input(p, new Date()), { git: false });
  await writeFile(join(revisionsDir(state), '2.json'), '{"number": 2, "ti');
  const bad = await getRevision(state, 2);
  t.match(!bad.ok && bad.error, /^revision 2 is corrupt: .*2\.json is not valid JSON/);
  const { revisions, unreadable } = await listRevisions(state);
  t.same(revisions.map((r) => r.number), [1]);
  t.same(unreadable.map((u) => u.number), [2]);
  await writeFile(join(revisionsDir(state), '2.json'), JSON.stringify({ number: 5, time: 'x', plan: {} }));
  const wrong = await getRevision(state, 2);
  t.match(!wrong.ok && wrong.error, 'lacks its number, time or plan');
});

t.test('retention prunes the oldest; numbers never repeat', async (t) => {
  const state = join(t.testdir(), '.orchestra');
  const p = plan([spec('api')]);
  for (let i = 0; i < 5; i++) await writeRevision(state, input(p, new Date()), { git: false, retention: 3 });
  t.same((await readdir(revisionsDir(state))).sort(), ['3.json', '4.json', '5.json']);
  const gone = await getRevision(state, 1);
  t.equal(!gone.ok && gone.error, 'no revision 1 (kept: 3..5)');
  const next = await writeRevision(state, input(p, new Date()), { git: false, retention: 3 });
  t.equal(next.number, 6);
  const floored = await writeRevision(state, input(p, new Date()), { git: false, atLeast: 20 });
  t.equal(floored.number, 20, 'atLeast keeps numbering past a wiped directory');
});

t.test('default retention is 50', async (t) => {
  const state = join(t.testdir(), '.orchestra');
  const p = plan([spec('api')]);
  for (let i = 0; i < 52; i++) await writeRevision(state, input(p, new Date()), { git: false });
  const { revisions } = await listRevisions(state);
  t.equal(revisions.length, 50);
  t.equal(revisions[0]?.number, 3);
});

t.test('diffRevisions reuses the planner', async (t) => {
  const dir = t.testdir();
  const state = join(dir, '.orchestra');
  const envFile = join(dir, '.env');
  const withEnv = (p: Plan): Plan => ({ ...p, instances: p.instances.map((s) => (s.name === 'redis' ? { ...s, envFiles: [envFile] } : s)) });
  const r1 = await writeRevision(state, input(withEnv(await planIn(dir, 'a')), new Date(), new Map([[envFile, '1'.repeat(64)]])), { git: false });
  const r2 = await writeRevision(state, input(withEnv(await planIn(dir, 'b')), new Date(), new Map([[envFile, '2'.repeat(64)]])), { git: false });
  const changes = diffRevisions(r1, r2);
  t.same(changes.actions.map((a) => `${a.kind} ${a.instance}`), ['restart api', 'restart redis']);
  t.equal(
    renderPlan(changes, { color: false, cwd: dir }),
    [
      'Orchestra will perform the following actions:',
      '',
      '  -/+ api (forces restart)',
      '      command: ["a"] -> ["b"]',
      '  -/+ redis (forces restart)',
      `      env_file: [".env sha256:${'1'.repeat(12)}"] -> [".env sha256:${'2'.repeat(12)}"]`,
      '',
      'Plan: 2 to restart.',
      '',
    ].join('\n'),
  );
  t.equal(diffRevisions(r2, r2).changes, false, 'a revision against itself: no changes');
  // A revision against a freshly loaded plan (not stored anywhere).
  const fresh = { plan: plan([spec('api', { command: ['b'] })], { baseDir: dir }), envFileHashes: {} };
  t.same(diffRevisions(r2, fresh).actions.map((a) => `${a.kind} ${a.instance}`), ['stop redis', 'unchanged api']);
});

t.test('git commit and dirty flag', async (t) => {
  const repo = await outsideRepo(t);
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo });
  await git('init', '-q');
  const p = await planIn(repo, 'a');
  t.equal(await gitInfo(p.files), undefined, 'a repository without commits gives no commit');
  await git('add', 'orchestra.yaml');
  await git('commit', '-q', '-m', 'first');
  const head = (await git('rev-parse', 'HEAD')).stdout.trim();

  const clean = await writeRevision(join(repo, '.orchestra'), input(p, new Date()));
  t.same(clean.git, { commit: head, dirty: false }, 'the state directory itself does not make it dirty');
  const onDisk = JSON.parse(await readFile(join(revisionsDir(join(repo, '.orchestra')), '1.json'), 'utf8'));
  t.same(onDisk.git, { commit: head, dirty: false });

  await writeFile(join(repo, 'orchestra.yaml'), 'version: 1\nagents: {}\n');
  t.same(await gitInfo(p.files), { commit: head, dirty: true }, 'a modified tracked file');
  await git('checkout', '-q', '--', 'orchestra.yaml');
  const overlay = join(repo, 'orchestra.override.yaml');
  await writeFile(overlay, 'version: 1\n');
  t.same(await gitInfo([...p.files, overlay]), { commit: head, dirty: true }, 'an untracked input file');
  t.same(await gitInfo(p.files), { commit: head, dirty: false }, 'other untracked files do not count');
});

t.test('outside any repository: git omitted', async (t) => {
  const dir = await outsideRepo(t);
  const ceiling = { GIT_CEILING_DIRECTORIES: dir.split('/').slice(0, -1).join('/') };
  const saved = process.env['GIT_CEILING_DIRECTORIES'];
  process.env['GIT_CEILING_DIRECTORIES'] = ceiling.GIT_CEILING_DIRECTORIES;
  t.teardown(() => {
    if (saved === undefined) delete process.env['GIT_CEILING_DIRECTORIES'];
    else process.env['GIT_CEILING_DIRECTORIES'] = saved;
  });
  const p = await planIn(dir, 'a');
  const r = await writeRevision(join(dir, '.orchestra'), input(p, new Date()));
  t.equal(r.git, undefined);
  t.notOk('git' in JSON.parse(await readFile(join(revisionsDir(join(dir, '.orchestra')), '1.json'), 'utf8')));
});

t.test('secret env values are stored out of line, restored on read, and pruned with the revisions', async (t) => {
  const dir = t.testdir();
  const state = join(dir, '.orchestra');
  const withSecret = async (token: string) => {
    const p = await planIn(dir, 'a');
    p.instances[0]!.env = { API_TOKEN: token, DB_URL: `db-${token}`, PLAIN: 'visible' };
    p.instances[0]!.secretKeys = ['DB_URL'];
    return p;
  };
  const r1 = await writeRevision(state, input(await withSecret('tok-one-aaaa'), new Date()), { git: false, retention: 2 });
  t.equal(r1.plan.instances[0]!.env['API_TOKEN'], 'tok-one-aaaa', 'the revision handed back holds the real values');
  const text1 = await readFile(join(revisionsDir(state), '1.json'), 'utf8');
  t.notMatch(text1, /tok-one-aaaa/, 'the file does not');
  t.match(text1, /"PLAIN": "visible"/, 'plain values stay in the file');
  const got1 = await getRevision(state, 1);
  t.ok(got1.ok);
  if (got1.ok) t.same(got1.value.plan.instances[0]!.env, { API_TOKEN: 'tok-one-aaaa', DB_URL: 'db-tok-one-aaaa', PLAIN: 'visible' }, 'read back whole');
  t.equal(((await stat(join(state, 'secrets.json'))).mode & 0o777).toString(8), '600');

  await writeRevision(state, input(await withSecret('tok-one-aaaa'), new Date()), { git: false, retention: 2 });
  const store = () => readFile(join(state, 'secrets.json'), 'utf8').then((s) => Object.keys(JSON.parse(s).values as object).length);
  t.equal(await store(), 2, 'the same values are stored once');
  await writeRevision(state, input(await withSecret('tok-two-bbbb'), new Date()), { git: false, retention: 2 });
  t.equal(await store(), 4, 'new values added; revision 1 pruned, but 2 still needs the first two');
  await writeRevision(state, input(await withSecret('tok-two-bbbb'), new Date()), { git: false, retention: 2 });
  t.equal(await store(), 2, 'once no kept revision refers to them, the old values are dropped');
  t.notMatch(await readFile(join(state, 'secrets.json'), 'utf8'), /tok-one-aaaa/);

  await writeFile(join(state, 'secrets.json'), '{"version":1,"values":{}}\n');
  const lost = await getRevision(state, 4);
  t.notOk(lost.ok);
  if (!lost.ok) t.match(lost.error, /revision 4 refers to 2 secret value\(s\) that .*secrets\.json no longer holds/);
  await writeFile(join(state, 'secrets.json'), 'not json');
  const corrupt = await getRevision(state, 4);
  if (!corrupt.ok) t.match(corrupt.error, /secrets\.json is corrupt/);
  await t.rejects(writeRevision(state, input(await withSecret('x-token-c'), new Date()), { git: false }), /cannot record the revision: .*secrets\.json is corrupt/);
});

t.test('webhook header values are stored out of line too', async (t) => {
  const dir = t.testdir();
  const state = join(dir, '.orchestra');
  const p = await planIn(dir, 'a');
  p.notify = { webhook: 'https://hooks.example/x', headers: { Authorization: 'Bearer hdr-secret-1234' }, timeoutMs: 5000, retries: 3, events: ['failed'] };
  const r = await writeRevision(state, input(p, new Date()), { git: false });
  t.equal(r.plan.notify?.headers?.['Authorization'], 'Bearer hdr-secret-1234');
  t.notMatch(await readFile(join(revisionsDir(state), `${r.number}.json`), 'utf8'), /hdr-secret-1234/, 'not in the revision file');
  const got = await getRevision(state, r.number);
  t.ok(got.ok);
  if (got.ok) t.same(got.value.plan.notify?.headers, { Authorization: 'Bearer hdr-secret-1234' }, 'restored on read');
});

t.test('listing again parses only revisions whose file (or the secret store) changed', async (t) => {
  const state = join(t.testdir(), '.orchestra');
  const p = plan([spec('api')]);
  for (let i = 0; i < 3; i++) await writeRevision(state, input(p, new Date(`2025-01-0${i + 1}T00:00:00Z`)), { git: false });
  // A whole-second mtime, so it can be put back exactly below.
  const file = join(revisionsDir(state), '2.json');
  const mtime = new Date('2025-06-01T00:00:00Z');
  await utimes(file, mtime, mtime);
  t.same((await listRevisions(state)).revisions.map((r) => r.number), [1, 2, 3]);
  // Garbage of the same size with the same mtime: the same file identity, so the summary read before stands.
  await writeFile(file, 'x'.repeat((await stat(file)).size));
  await utimes(file, mtime, mtime);
  const cached = await listRevisions(state);
  t.same(cached.revisions.map((r) => [r.number, r.time]), [[1, '2025-01-01T00:00:00.000Z'], [2, '2025-01-02T00:00:00.000Z'], [3, '2025-01-03T00:00:00.000Z']], 'not parsed again');
  // Any change to the secret store reads every revision again (whether one can be read depends on it).
  await writeFile(join(state, 'secrets.json'), '{"version":1,"values":{}}\n');
  const reread = await listRevisions(state);
  t.same(reread.revisions.map((r) => r.number), [1, 3]);
  t.same(reread.unreadable.map((u) => u.number), [2], 'read again once the store changed');
  // A rewritten file (new mtime) is read again, and a pruned one is forgotten.
  await writeFile(file, JSON.stringify({ number: 2, time: 'rewritten', plan: { instances: [] }, envFileHashes: {}, summary: { counts: {}, text: 'new' } }));
  t.same((await listRevisions(state)).revisions.map((r) => r.time), ['2025-01-01T00:00:00.000Z', 'rewritten', '2025-01-03T00:00:00.000Z']);
  await rm(file);
  t.same((await listRevisions(state)).revisions.map((r) => r.number), [1, 3]);
});

t.test('a revision this process wrote or read whole is listed without parsing its file again', async (t) => {
  const state = join(t.testdir(), '.orchestra');
  const p = plan([spec('api')]);
  await writeRevision(state, input(p, new Date('2025-01-01T00:00:00Z')), { git: false });
  await writeRevision(state, input(p, new Date('2025-01-02T00:00:00Z')), { git: false });
  /** Garbage of the same size, and the mtime put back to the nanosecond: the file's identity is unchanged. */
  const spoil = async (file: string): Promise<void> => {
    const { mtimeNs } = await stat(file, { bigint: true });
    await writeFile(file, 'x'.repeat((await stat(file)).size));
    await execa('touch', ['-m', '-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, file]);
  };
  await spoil(join(revisionsDir(state), '1.json'));
  t.same((await listRevisions(state)).revisions.map((r) => [r.number, r.time]), [[1, '2025-01-01T00:00:00.000Z'], [2, '2025-01-02T00:00:00.000Z']], 'the written summaries stand');
  // Read whole by getRevision: kept as well (a new daemon reads the applied revision before its first page write).
  const third = join(revisionsDir(state), '3.json');
  await writeFile(third, JSON.stringify({ number: 3, time: 'by hand', plan: { instances: [] }, envFileHashes: {}, summary: { counts: {}, text: 'x' } }));
  t.ok((await getRevision(state, 3)).ok);
  await spoil(third);
  t.same((await listRevisions(state)).revisions.map((r) => r.time).at(-1), 'by hand');
  // A rewrite the identity shows is still read again.
  await writeFile(third, 'not json');
  t.same((await listRevisions(state)).unreadable.map((u) => u.number), [3]);
});
