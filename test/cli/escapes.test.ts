import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { chooseBoundary } from '../../src/supervise/boundary.js';
import { statePaths } from '../../src/daemon/paths.js';
import { alive, fixtureAgents, Project } from './project.js';
import { cliPath } from './run-cli.js';

// An agent whose daemon double-forks out of its tree and ignores SIGTERM.
const manifest = ['version: 1', 'name: esc', 'agents:', '  d:', `    command: ["node", "${fixtureAgents}double-fork.js"]`, '    stop: { timeout: 3s }', ''].join('\n');

async function daemonPid(p: Project): Promise<number> {
  const log = join(p.stateDir, 'logs', 'd.log');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = existsSync(log) ? /daemon (\d+)/.exec(readFileSync(log, 'utf8')) : null;
    if (m) return Number(m[1]);
    if (Date.now() > deadline) throw new Error('no daemon line');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const here = chooseBoundary(statePaths(join(fixtureAgents, 'no-such-state-dir')), {});
here.cleanup();
const KINDS = [
  { kind: 'cgroup', env: {}, skip: here.info.kind === 'cgroup' ? false : here.info.reason! },
  { kind: 'tree', env: { ORCHESTRA_BOUNDARY: 'tree' }, skip: false },
];

for (const { kind, env, skip } of KINDS) {
  t.test(`${kind}: down leaves no escape`, { skip }, async (t) => {
    const p = new Project(t, manifest, env);
    t.equal(p.cli('apply', '--yes').code, 0);
    const escape = await daemonPid(p);
    t.ok(alive(escape), 'the escape runs');
    t.equal(p.cli('down').code, 0);
    t.notOk(alive(escape), 'gone after down');
  });

  t.test(`${kind}: orchestra up + SIGTERM leaves no escape`, { skip }, async (t) => {
    const p = new Project(t, manifest, env);
    const child = spawn(process.execPath, [cliPath, 'up'], { cwd: p.dir, env: { ...process.env, NO_COLOR: '1', ...env } });
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const escape = await daemonPid(p);
    t.ok(alive(escape), 'the escape runs');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    await exited;
    t.notOk(alive(escape), 'gone after up ends');
    if (alive(escape)) process.kill(escape, 'SIGKILL');
  });
}
