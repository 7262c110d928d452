import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cgroup2Mount, cgroupProcs, cpuUsageUsec, openCgroupFiles, populated, removeCgroup, whenUnpopulated } from '../../src/supervise/cgroup-fs.js';

const mount = cgroup2Mount();
const skip = !mount ? 'no cgroup v2 mount' : process.getuid?.() !== 0 ? 'needs root to create a cgroup' : false;

/** Waits for whenUnpopulated. Its watcher and timer never keep a process alive, and once the killed child is reaped nothing else would: the test would end unfinished. */
async function emptied(dir: string, onCall: () => void = () => undefined): Promise<void> {
  const hold = setInterval(() => undefined, 1000);
  try {
    await new Promise<void>((resolve) => whenUnpopulated(dir, 60_000, () => (onCall(), resolve())));
  } finally {
    clearInterval(hold);
  }
}

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
  const done = emptied(dir, () => calls++);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(calls, 0, 'not while the process runs');
  child.kill('SIGKILL');
  await done;
  t.notOk(populated(dir), 'empty when called');
  rmdirSync(dir);
  t.equal(calls, 1, 'once');
});

t.test('whenUnpopulated: a cgroup that is gone or already empty answers at once', { skip }, async (t) => {
  await new Promise<void>((resolve) => whenUnpopulated(join(mount!, 'orchestra-no-such-cgroup'), 60_000, resolve));
  t.pass('a missing cgroup');
});

t.test('cgroup.procs and cpu.stat are read through descriptors kept open, fresh every read, and closed with the cgroup', { skip }, async (t) => {
  const dir = join(mount!, `orchestra-test-kept-${process.pid}`);
  const children: ReturnType<typeof spawn>[] = [];
  const sleeper = async (): Promise<number> => {
    const c = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(c);
    await new Promise((r) => c.once('spawn', r));
    writeFileSync(join(dir, 'cgroup.procs'), String(c.pid));
    return c.pid!;
  };
  t.teardown(() => {
    for (const c of children) c.kill('SIGKILL');
    if (existsSync(dir)) removeCgroup(dir);
  });
  const before = openCgroupFiles();
  mkdirSync(dir);
  const first = await sleeper();
  t.same(cgroupProcs(dir), [first]);
  t.type(cpuUsageUsec(dir), 'number');
  t.equal(openCgroupFiles(), before + 2, 'both files held open');
  const second = await sleeper();
  t.same(cgroupProcs(dir).sort(), [first, second].sort(), 'a second read through the same descriptor sees the newcomer');

  for (const c of children) c.kill('SIGKILL');
  await emptied(dir);
  t.same(cgroupProcs(dir), [], 'and sees them gone');
  // Removed behind the cache's back and made again under the same name: the stale descriptor is not trusted.
  rmdirSync(dir);
  mkdirSync(dir);
  const third = await sleeper();
  t.same(cgroupProcs(dir), [third], 'the new cgroup of the same name is read');
  children.at(-1)!.kill('SIGKILL');
  await emptied(dir);
  t.ok(removeCgroup(dir), 'removed');
  t.equal(openCgroupFiles(), before, 'its descriptors closed');
  t.same(cgroupProcs(dir), [], 'a removed cgroup reads as empty');
  t.equal(cpuUsageUsec(dir), undefined);
  t.equal(openCgroupFiles(), before, 'and holds nothing open');
});
