import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cgroup2Mount, populated, whenUnpopulated } from '../../src/supervise/cgroup-fs.js';

const mount = cgroup2Mount();
const skip = !mount ? 'no cgroup v2 mount' : process.getuid?.() !== 0 ? 'needs root to create a cgroup' : false;

t.test('whenUnpopulated: called once the last process of the cgroup is gone, woken by cgroup.events', { skip }, async (t) => {
  const dir = join(mount!, `orchestra-test-fs-${process.pid}`);
  mkdirSync(dir);
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => {
    child.kill('SIGKILL');
    if (existsSync(dir)) rmdirSync(dir);
  });
  await new Promise((r) => child.once('spawn', r));
  writeFileSync(join(dir, 'cgroup.procs'), String(child.pid));
  t.ok(populated(dir));
  let calls = 0;
  const emptied = new Promise<void>((resolve) => whenUnpopulated(dir, 60_000, () => (calls++, resolve())));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(calls, 0, 'not while the process runs');
  child.kill('SIGKILL');
  await emptied;
  t.notOk(populated(dir), 'empty when called');
  rmdirSync(dir);
  t.equal(calls, 1, 'once');
});

t.test('whenUnpopulated: a cgroup that is gone or already empty answers at once', { skip }, async (t) => {
  await new Promise<void>((resolve) => whenUnpopulated(join(mount!, 'orchestra-no-such-cgroup'), 60_000, resolve));
  t.pass('a missing cgroup');
});
