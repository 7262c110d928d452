import t from 'tap';
import { alive, foreverManifest, Project } from './project.js';

t.test('control commands: stop, start, restart, unknown names', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: ['depends_on: { a: started }'] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const before = p.pids();
  const stop = p.cli('stop', 'b');
  t.equal(stop.code, 0, stop.stderr);
  t.notOk(alive(before.b!));
  const start = p.cli('start', 'b');
  t.equal(start.code, 0, start.stderr);
  t.ok(p.pids().b);
  const unknown = p.cli('stop', 'bb');
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /unknown agent "bb"; did you mean "b"\?/);
  const restart = p.cli('restart', '--all');
  t.equal(restart.code, 0, restart.stderr);
  t.not(p.pids().a, before.a);
  const none = p.cli('stop');
  t.equal(none.code, 1);
  t.match(none.stderr, /--all/);
});

t.test('commands without a daemon exit 3', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  const status = p.cli('status');
  t.equal(status.code, 3);
  t.match(status.stderr, /nothing applied yet/);
  const plan = p.cli('plan');
  t.equal(plan.code, 0, 'plan works without a daemon');
  t.match(plan.stdout, /\+ a/);
  t.equal(p.daemonPid(), undefined, 'plan started no daemon');
});
