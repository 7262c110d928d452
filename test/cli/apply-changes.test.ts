import t from 'tap';
import { alive, foreverManifest, Project } from './project.js';

t.test('apply, plan, edit, apply: only the changed agent gets a new pid', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: ['depends_on: { a: started }'], c: [] }));
  const first = p.cli('apply', '--yes');
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /Plan: 3 to start\./);
  const before = p.pids();
  t.same(Object.keys(before).sort(), ['a', 'b', 'c']);

  const noop = p.cli('plan', '--detailed-exitcode');
  t.equal(noop.code, 0, noop.stderr);
  t.match(noop.stdout, /No changes/);

  p.write(foreverManifest({ a: [], b: ['depends_on: { a: started }', 'env: { MODE: fast }'], c: [] }));
  const plan = p.cli('plan', '--detailed-exitcode');
  t.equal(plan.code, 2, 'changes present');
  t.match(plan.stdout, /-\/\+ b/);
  t.match(plan.stdout, /env\.MODE/);
  t.match(plan.stdout, /Plan: 1 to restart\./);

  const second = p.cli('apply', '--yes');
  t.equal(second.code, 0, second.stderr);
  const after = p.pids();
  t.equal(after.a, before.a, 'a untouched');
  t.equal(after.c, before.c, 'c untouched');
  t.not(after.b, before.b, 'b restarted');
  t.notOk(alive(before.b!), 'the old b is gone');
});

t.test('a supervision-only edit changes no pid; removing an agent stops it', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const before = p.pids();
  p.write(foreverManifest({ a: ['restart: { delay: 3s }', 'priority: 5'], b: [] }));
  const update = p.cli('apply', '--yes');
  t.equal(update.code, 0, update.stderr);
  t.match(update.stdout, /~ a/);
  t.same(p.pids(), before, 'no pid changed');

  p.write(foreverManifest({ a: ['restart: { delay: 3s }', 'priority: 5'] }));
  const removal = p.cli('apply', '--yes');
  t.equal(removal.code, 0, removal.stderr);
  t.match(removal.stdout, /- b/);
  t.notOk(alive(before.b!), 'b stopped');
  t.equal(p.pids().a, before.a);
});
