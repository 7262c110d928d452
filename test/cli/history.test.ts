import t from 'tap';
import { foreverManifest, Project } from './project.js';

t.test('history, diff and rollback round trip', async (t) => {
  const p = new Project(t, foreverManifest({ a: ['env: { V: "1" }'] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  p.write(foreverManifest({ a: ['env: { V: "2" }'], b: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const history = p.cli('history');
  t.equal(history.code, 0);
  t.match(history.stdout, /^\s+2 .*1 to start, 1 to restart/m);
  t.match(history.stdout, /^\s+1 .*1 to start/m);
  const diff = p.cli('diff', '1', '2');
  t.equal(diff.code, 0, diff.stderr);
  t.match(diff.stdout, /\+ b/);
  t.match(diff.stdout, /env\.V: "1" -> "2"/);
  const rollback = p.cli('rollback', '--yes');
  t.equal(rollback.code, 0, rollback.stderr);
  t.match(rollback.stdout, /Rolling back to revision 1/);
  t.same(Object.keys(p.pids()), ['a']);
  const after = p.cli('history');
  t.match(after.stdout, /^\s+3 .*\(rollback to 1\)/m);
  const vsManifest = p.cli('diff', '3');
  t.match(vsManifest.stdout, /\+ b/, 'revision 3 vs the edited manifest');
  t.equal(p.cli('diff', 'x').code, 1);
  t.match(p.cli('rollback', '9').stderr, /9/);
});
