import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cgroup2Mount } from '../../src/supervise/cgroup-fs.js';
import { alive, fixtureAgents } from './project.js';
import { canRunAsUser, cgroupsBelow, delegate, leftOf, runAsUser, testCgroup, testUser, userProject } from './delegated-user.js';

// Orchestra run as a non-root user for real. (a) inside a cgroup delegated to it as systemd's Delegate=yes does;
// (b) with no writable cgroup and no working `systemd-run --user` (this machine has no user manager: PID 1 is not systemd).
const skip = canRunAsUser();

// An agent whose child daemonizes (setsid, then a fork re-parented to init) and ignores SIGTERM.
const manifest = ['version: 1', 'name: dlg', 'agents:', '  d:', `    command: ["node", "${fixtureAgents}double-fork.js"]`, '    stop: { timeout: 2s }', ''].join('\n');

/** The pid of the daemonized child the agent printed last, once it is not `previous`. */
async function escapePid(dir: string, previous?: number): Promise<number> {
  const log = join(dir, '.orchestra', 'logs', 'd.log');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = existsSync(log) ? /daemon (\d+)\n(?![\s\S]*daemon \d+)/.exec(readFileSync(log, 'utf8')) : null;
    if (m && Number(m[1]) !== previous) return Number(m[1]);
    if (Date.now() > deadline) throw new Error('the agent printed no daemon line');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Status {
  boundary?: { kind: string; path?: string; delegated?: string; reason?: string };
  agents: { name: string; state: string; pid?: number }[];
}

t.test('(a) in a delegated cgroup: the project cgroups live below it, escapes die at stop and down, lost state is re-adopted, nothing is left', { skip }, async (t) => {
  const user = testUser(t);
  const cg = testCgroup(t, `orchestra-test-dlg-${process.pid}`);
  delegate(cg, user);
  const dir = userProject(t, user, manifest);
  const run = (...args: string[]) => runAsUser(user, dir, args, { cgroup: cg });

  const applied = run('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  const status = JSON.parse(run('status', '--json').stdout) as Status;
  t.equal(status.boundary?.kind, 'cgroup', 'the cgroup boundary, not the fallback');
  t.equal(status.boundary?.delegated, cg, 'named as delegated, from the daemon’s own cgroup');
  t.match(status.boundary?.path, new RegExp(`^${cg}/orchestra/orchestra-dlg-\\w+-[0-9a-f]{12}$`));
  t.match(run('status').stdout, `boundary: cgroup v2 (delegated: ${status.boundary?.path})`);
  const agentCgroup = `${status.boundary!.path!.slice(cgroup2Mount()!.length)}/d.agent`;

  let escape = await escapePid(dir);
  t.ok(alive(escape), 'the daemonized child runs');
  t.match(readFileSync(`/proc/${escape}/cgroup`, 'utf8'), `0::${agentCgroup}\n`, 'inside the instance cgroup below the delegated one');
  t.equal(run('stop', 'd').code, 0);
  t.notOk(alive(escape), 'stop ended the escape');

  t.equal(run('start', 'd').code, 0);
  escape = await escapePid(dir, escape);
  t.ok(alive(escape), 'runs again');
  // Lost state: the daemon dies and state.json goes; the next daemon finds d in its cgroup, starts nothing twice.
  const before = (JSON.parse(run('status', '--json').stdout) as Status).agents.find((a) => a.name === 'd')!.pid!;
  const daemon = Number(readFileSync(join(dir, '.orchestra', 'daemon.pid'), 'utf8'));
  process.kill(daemon, 'SIGKILL');
  while (alive(daemon)) await new Promise((r) => setTimeout(r, 20));
  rmSync(join(dir, '.orchestra', 'state.json'));
  const after = JSON.parse(run('status', '--json').stdout) as Status;
  t.match(after.agents.find((a) => a.name === 'd'), { state: 'running', pid: before }, 'adopted from the cgroup');
  t.match(run('plan').stdout, /No changes/, 'nothing to start');

  const down = run('down');
  t.equal(down.code, 0, down.stderr);
  t.notOk(alive(escape), 'down ended the escape');
  t.same(cgroupsBelow(cg), [], 'no cgroup left below the delegated one');
  t.same(await leftOf(user.uid), [], 'no process of the user left');
});

t.test('(b) no writable cgroup and no systemd user manager: the tree fallback, and status says why', { skip }, async (t) => {
  const user = testUser(t);
  const dir = userProject(t, user, manifest);
  const applied = runAsUser(user, dir, ['apply', '--yes']);
  t.equal(applied.code, 0, applied.stderr);
  const status = JSON.parse(runAsUser(user, dir, ['status', '--json']).stdout) as Status;
  t.equal(status.boundary?.kind, 'tree');
  t.match(status.boundary?.reason, /^cgroup v2 not writable: EACCES on \/\S+ \(run the daemon in a delegated scope, see docs\/supervision.md\); (systemd-run --user --scope -p Delegate=yes failed: \S.*|systemd-run not found)$/);
  t.match(runAsUser(user, dir, ['status']).stdout, `boundary: process tree (${status.boundary?.reason})`);
  t.comment(`reason here: ${status.boundary?.reason}`);
  const escape = await escapePid(dir);
  t.equal(runAsUser(user, dir, ['down']).code, 0);
  t.notOk(alive(escape), 'down ended the escape (marker sweep)');

  t.equal(runAsUser(user, dir, ['apply', '--yes'], { env: { ORCHESTRA_SYSTEMD_RUN: '0' } }).code, 0);
  const off = JSON.parse(runAsUser(user, dir, ['status', '--json']).stdout) as Status;
  t.match(off.boundary?.reason, /; systemd-run not tried \(ORCHESTRA_SYSTEMD_RUN=0\)$/, 'turned off');
  t.equal(runAsUser(user, dir, ['down']).code, 0);
  t.same(await leftOf(user.uid), [], 'no process of the user left');
});
