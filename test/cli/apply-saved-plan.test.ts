import t from 'tap';
import { foreverManifest, Project } from './project.js';

t.test('a saved plan applies once; a stale one is refused', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  const saved = p.cli('plan', '--out', 'first.json');
  t.equal(saved.code, 0, saved.stderr);
  const applied = p.cli('apply', 'first.json', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  t.ok(p.pids().a);
  p.write(foreverManifest({ a: [], b: [] }));
  t.equal(p.cli('plan', '--out', 'second.json').code, 0);
  p.write(foreverManifest({ a: [], c: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const stale = p.cli('apply', 'second.json', '--yes');
  t.equal(stale.code, 1);
  t.match(stale.stderr, /saved plan is stale/);
  t.notOk(p.pids().b, 'b was never started');
  const garbage = p.cli('apply', 'orchestra.yaml', '--yes');
  t.equal(garbage.code, 1);
  t.match(garbage.stderr, /not (a saved plan|valid JSON)/);
});

t.test('a saved plan whose change another apply already made is refused, not answered "No changes"', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  p.write(foreverManifest({ a: [], b: [] }));
  t.equal(p.cli('plan', '--out', 'add-b.json').code, 0);
  t.equal(p.cli('apply', '--yes').code, 0, 'the same change, applied from the manifest');
  const stale = p.cli('apply', 'add-b.json', '--yes');
  t.equal(stale.code, 1, stale.stdout);
  t.match(stale.stderr, /saved plan is stale/);
  t.notMatch(stale.stdout, /No changes/);
});
