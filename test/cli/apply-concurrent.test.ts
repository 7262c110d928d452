import t from 'tap';
import { foreverManifest, Project } from './project.js';

t.test('concurrent applies serialize', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  const runs = await Promise.all([
    p.cliAsync('apply', '--yes', '--lock-timeout', '60s'),
    p.cliAsync('apply', '--yes', '--lock-timeout', '60s'),
  ]);
  t.same(
    runs.map((r) => r.code),
    [0, 0],
    runs.map((r) => r.stderr).join('\n'),
  );
  const started = runs.filter((r) => /Plan: 1 to start/.test(r.stdout)).length;
  t.equal(started, 1, 'one apply started a, the other found no changes');
  const locked = await Promise.all([p.cliAsync('apply', '--yes'), p.cliAsync('apply', '--yes')]);
  t.ok(locked.every((r) => r.code === 0 || /locked by pid \d+/.test(r.stderr)), 'without --lock-timeout the loser names the holder');
});
