import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import t, { type Test } from 'tap';
import { parseStatUsage } from '../../src/supervise/procfs.js';
import { procSampler } from '../../src/supervise/sampler.js';
import { fixture } from './spec-helper.js';

/** Spawns a fixture and resolves once it has a pid; killed at teardown. */
async function start(t: Test, argv: string[]): Promise<ChildProcess & { pid: number }> {
  const c = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  t.teardown(() => void c.kill('SIGKILL'));
  await new Promise((resolve, reject) => (c.once('spawn', resolve), c.once('error', reject)));
  return c as ChildProcess & { pid: number };
}

t.test('parseStatUsage reads utime+stime, rss and start time after a comm with spaces and parentheses', async (t) => {
  // Fields 1..24 of a stat line: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal starttime vsize rss
  const line = '4242 (a b) (c)) S 1 4242 4242 0 -1 4194304 10 0 0 0 150 30 7 8 20 0 1 0 98765 1000000 2500 more fields';
  t.same(parseStatUsage(line), { ticks: 180, rssPages: 2500, startTime: 98765 });
  t.equal(parseStatUsage('garbage'), undefined);
  t.equal(parseStatUsage('1 (x) S 1 1'), undefined, 'a truncated line is not a reading');
  t.equal(parseStatUsage(line.replace(') S ', ') Z ')), undefined, 'a zombie has nothing to measure');
  t.equal(parseStatUsage(line.replace(' 150 30 ', ' 1x0 30 ')), undefined, 'a field that is not a number');
});

t.test('procSampler: rss in bytes close to what the process reports, cpu of a spinning child near a core, idle near zero', async (t) => {
  const sampler = procSampler(0);
  t.teardown(() => sampler.close?.());
  const burn = await start(t, fixture('burn-cpu'));
  const idle = await start(t, ['sleep', '60']);

  const own = (await sampler.sample([process.pid])).get(process.pid);
  const rss = process.memoryUsage().rss;
  t.ok(own && Math.abs(own.rss - rss) < rss * 0.25, `own rss ${own?.rss} ≈ ${rss}`);

  // Deltas need two readings; poll (generous deadline on a loaded box) until the spinner shows clear CPU.
  await sampler.sample([burn.pid, idle.pid]);
  const deadline = Date.now() + 20_000;
  let burnCpu = 0;
  let idleCpu = Infinity;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const u = await sampler.sample([burn.pid, idle.pid]);
    burnCpu = u.get(burn.pid)?.cpu ?? 0;
    idleCpu = u.get(idle.pid)?.cpu ?? Infinity;
    if (burnCpu > 20) break;
  }
  // Above 100 % is possible (node's helper threads) and ticks are coarse over 300 ms; only all cores at once is impossible.
  t.ok(burnCpu > 20 && burnCpu <= availableParallelism() * 100 * 1.25, `spinner ${burnCpu.toFixed(1)}% of a core`);
  t.ok(idleCpu < 5, `sleeper ${idleCpu.toFixed(1)}%`);
});

t.test('procSampler: a vanished pid is simply missing, and a call within the minimum window repeats the last figure', async (t) => {
  const sampler = procSampler(60_000);
  t.teardown(() => sampler.close?.());
  const child = await start(t, ['sleep', '60']);
  const first = await sampler.sample([child.pid]);
  t.ok(first.has(child.pid), 'measured while alive');
  const again = await sampler.sample([child.pid]);
  t.equal(again.get(child.pid)?.cpu, first.get(child.pid)?.cpu, 'too soon for a new delta: same cpu');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  t.notOk((await sampler.sample([child.pid])).has(child.pid), 'gone after it was reaped');
  t.equal((await sampler.sample([])).size, 0);
});
