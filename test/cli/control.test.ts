import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { alive, foreverManifest, Project, projectProcesses } from './project.js';

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
  t.match(status.stderr, /nothing is applied/);
  const plan = p.cli('plan');
  t.equal(plan.code, 0, 'plan works without a daemon');
  t.match(plan.stdout, /\+ a/);
  t.equal(p.daemonPid(), undefined, 'plan started no daemon');
});

t.test('after down, status exits 3 and apply starts everything again', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const first = p.pids().a!;
  const daemon = p.daemonPid()!;
  t.equal(p.cli('down').code, 0);
  t.notOk(alive(first));
  t.notOk(alive(daemon), 'down returns once the daemon has exited, not when its socket closes');
  t.notOk(existsSync(join(p.stateDir, 'daemon.pid')), 'and its pid file is gone');
  t.equal(p.cli('status').code, 3);
  const again = p.cli('apply', '--yes');
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /Plan: 1 to start\./);
  t.ok(alive(p.pids().a!));
});

t.test('a corrupt state.json: agents found by their marker are adopted, not duplicated', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const before = p.pids();
  process.kill(p.daemonPid()!, 'SIGKILL');
  writeFileSync(join(p.stateDir, 'state.json'), '{ not json');
  const status = p.cli('status', '--json');
  t.equal(status.code, 0, status.stderr);
  const agents = (JSON.parse(status.stdout) as { agents: { name: string; pid?: number }[] }).agents;
  t.same(Object.fromEntries(agents.map((a) => [a.name, a.pid])), before, 'the same pids, adopted');
  t.ok(readdirSync(p.stateDir).some((f) => f.startsWith('state.json.corrupt-')), 'the bad file is kept for a human');
  const plan = p.cli('plan');
  t.match(plan.stdout, /No changes/);
  t.equal(projectProcesses(p.dir).length, 2, 'no duplicates');
});
