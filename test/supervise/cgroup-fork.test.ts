import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { statePaths } from '../../src/daemon/paths.js';
import { chooseBoundary } from '../../src/supervise/boundary.js';
import { cgroupBoundary } from '../../src/supervise/cgroup-boundary.js';
import { CgroupFork, SPAWN_VAR } from '../../src/supervise/cgroup-fork.js';
import { cgroup2Mount, removeCgroup } from '../../src/supervise/cgroup-fs.js';
import { Engine } from '../../src/supervise/engine.js';
import { plan, spec, tempDir } from './spec-helper.js';

// Needs a cgroup v2 this process may create cgroups in (root here, or a delegated one).
const probeDir = tempDir(t);
const here = chooseBoundary(statePaths(probeDir), {});
const skip = here.info.kind === 'cgroup' ? false : (here.info.reason ?? 'no cgroup boundary here');
here.cleanup();

const ownCgroup = (pid: number | 'self') => /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];

/** Waits (bounded) until `file` has a line, and returns the text. */
async function firstLine(file: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text.includes('\n')) return text;
    if (Date.now() > deadline) throw new Error(`nothing in ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('within: the child is born in the cgroup, its first instruction sees it, and this process is back home', { skip }, async (t) => {
  const dir = join(cgroup2Mount()!, `orchestra-fork-test-${process.pid}`);
  mkdirSync(dir);
  t.teardown(() => void removeCgroup(dir));
  const home = ownCgroup('self');
  const fork = CgroupFork.probe(dir, {});
  if (typeof fork === 'string') throw new Error(fork);
  t.equal(ownCgroup('self'), home, 'the probe left this process where it was');
  // cat reads /proc/self/cgroup as the first thing its program does.
  const born = fork.within(dir, () => spawn('cat', ['/proc/self/cgroup'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  t.equal(ownCgroup('self'), home, 'back home right after the spawn');
  if (!born.ok) throw new Error(born.error);
  let out = '';
  born.value.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => born.value.once('exit', r));
  t.match(out, `0::${dir.slice(cgroup2Mount()!.length)}\n`, 'the program saw itself in the cgroup');
  let called = false;
  const refused = fork.within(join(dir, 'no-such-cgroup'), () => (called = true));
  t.match(refused, { ok: false, error: 'ENOENT' }, 'a cgroup it cannot step into is an error');
  t.notOk(called, 'and nothing is spawned');
  t.equal(ownCgroup('self'), home, 'still home');
});

t.test(`${SPAWN_VAR}=gate: the probe says so, and agents still start inside their cgroup through the gate`, { skip }, async (t) => {
  t.match(CgroupFork.probe('/nonexistent', { [SPAWN_VAR]: 'gate' }), /forced by/);
  const stateDir = tempDir(t);
  const gated = cgroupBoundary(stateDir, { [SPAWN_VAR]: 'gate' });
  if (!gated.ok) throw new Error(gated.error);
  t.match(gated.value.instance('g').launch(['sleep', '1']), { gate: true, argv: ['/bin/sh', '-c'] }, 'launched through the gate');
  const engine = new Engine(plan([spec({ name: 'g', command: ['sh', '-c', 'cat /proc/self/cgroup; exec sleep 60'] })]), { paths: statePaths(stateDir), boundary: gated.value });
  t.teardown(async () => {
    await engine.kill();
    await engine.dispose();
  });
  await engine.startAll();
  const text = await firstLine(join(stateDir, 'logs/g.log'));
  t.match(text, /^0::\/.*\/g\.agent$/m, 'the program ran inside its instance cgroup');
  const pid = engine.status()[0]!.pid!;
  t.match(ownCgroup(pid), /\/g\.agent$/, 'and so does the main process');
});

t.test('born within: a program that cannot be exec’d fails with its reason and leaves no cgroup', { skip }, async (t) => {
  const stateDir = tempDir(t);
  const boundary = cgroupBoundary(stateDir, {});
  if (!boundary.ok) throw new Error(boundary.error);
  t.notOk(boundary.value.instance('x').launch(['x']).gate, 'no gate');
  const engine = new Engine(plan([spec({ name: 'x', command: ['definitely-not-a-command-xyz'] })]), { paths: statePaths(stateDir), boundary: boundary.value });
  t.teardown(async () => {
    await engine.kill();
    await engine.dispose();
  });
  await engine.startAll();
  t.match(engine.status()[0], { state: 'failed', detail: /command not found: definitely-not-a-command-xyz/ });
  const instanceDir = join(boundary.value.info.path!, 'x.agent');
  const deadline = Date.now() + 10_000;
  while (existsSync(instanceDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.notOk(existsSync(instanceDir), 'its cgroup is removed');
});
