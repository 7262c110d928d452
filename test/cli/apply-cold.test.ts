/**
 * A cold `apply` (no daemon yet) spawns the daemon before it loads the
 * manifest and lets it go only once the manifest is valid and the lock held:
 * the daemon that runs is that one, and bad input leaves no daemon and no
 * state directory behind.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { until } from '../helpers/until.js';
import { alive, foreverManifest, Project } from './project.js';

/** Every live daemon-main process of a state directory, with its arguments. */
function daemonsOf(stateDir: string): { pid: number; argv: string[] }[] {
  const found: { pid: number; argv: string[] }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith('daemon-main.js')) && argv.includes(stateDir) && alive(Number(d))) found.push({ pid: Number(d), argv });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

t.test('a cold apply runs the daemon it spawned ahead, and status shows every agent running', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: [], c: [] }));
  const apply = p.cli('apply', '--yes');
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /\+ a \(new instance\)/);
  t.match(apply.stdout, /Apply complete \(revision 1\)\. 3 to start\./);
  const daemons = daemonsOf(p.stateDir);
  t.equal(daemons.length, 1, 'one daemon');
  t.equal(daemons[0]?.pid, p.daemonPid(), 'it holds daemon.pid');
  t.ok(daemons[0]?.argv.includes('--wait-for-go'), 'it is the daemon spawned before the manifest was loaded');
  const status = p.cli('status', '--json');
  t.equal(status.code, 0, status.stderr);
  const snapshot = JSON.parse(status.stdout) as { agents: { name: string; state: string }[] };
  t.same(snapshot.agents.map((a) => [a.name, a.state]).sort(), [['a', 'running'], ['b', 'running'], ['c', 'running']]);
});

t.test('an invalid manifest leaves no daemon and no state directory', async (t) => {
  const p = new Project(t, 'version: 1\nagents:\n  a:\n    comand: ["true"]\n');
  const apply = p.cli('apply', '--yes');
  t.equal(apply.code, 1);
  t.match(apply.stderr, /orchestra\.yaml:4:5 error: unknown key "comand"/);
  t.notMatch(apply.stderr, /internal error|at .*\.js:\d+/);
  await until(() => daemonsOf(p.stateDir).length === 0, 'the daemon spawned ahead to exit', 30_000);
  t.notOk(existsSync(p.stateDir), 'no .orchestra was left');
});

t.test('an apply refused for a bad flag after loading leaves nothing running either', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  const apply = p.cli('apply', '--yes', '--timeout', 'soon');
  t.equal(apply.code, 1);
  t.match(apply.stderr, /invalid --timeout "soon"/);
  await until(() => daemonsOf(p.stateDir).length === 0, 'the daemon spawned ahead to exit', 30_000);
  t.notOk(existsSync(p.stateDir), 'no .orchestra was left');
});
