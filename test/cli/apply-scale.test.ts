import t from 'tap';
import { alive, foreverManifest, Project } from './project.js';

t.test('replicas 2 -> 4 -> 1 start and stop instances only', async (t) => {
  const p = new Project(t, foreverManifest({ w: ['replicas: 2'] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const two = p.pids();
  t.same(Object.keys(two).sort(), ['w-0', 'w-1']);
  p.write(foreverManifest({ w: ['replicas: 4'] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const four = p.pids();
  t.same(Object.keys(four).sort(), ['w-0', 'w-1', 'w-2', 'w-3']);
  t.equal(four['w-0'], two['w-0']);
  t.equal(four['w-1'], two['w-1']);
  p.write(foreverManifest({ w: ['replicas: 1'] }));
  const down = p.cli('apply', '--yes');
  t.equal(down.code, 0, down.stderr);
  const one = p.pids();
  t.same(Object.keys(one), ['w'], 'a single replica is named after the agent');
  for (const name of ['w-0', 'w-1', 'w-2', 'w-3']) t.notOk(alive(four[name]!), `${name} stopped`);
});

t.test('an invalid edit is refused and leaves every pid unchanged', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const before = p.pids();
  p.write(foreverManifest({ a: ['depends_on: { nope: ready }'], b: [] }));
  const bad = p.cli('apply', '--yes');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /orchestra\.yaml:\d+:\d+ error: .*nope/);
  t.same(p.pids(), before);
  for (const pid of Object.values(before)) t.ok(alive(pid));
});
