import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import t, { type Test } from 'tap';
import { LiveTrees, ProcTable, lastAllocatedPid } from '../../src/supervise/live-trees.js';
import { isGone } from '../../src/supervise/procfs.js';
import { StatFiles } from '../../src/supervise/stat-files.js';
import { fixture } from './spec-helper.js';

/** Spawns argv in its own process group (as the engine does) and resolves once it has a pid; the group is killed at teardown. */
async function start(t: Test, argv: string[]): Promise<ChildProcess & { pid: number }> {
  const c = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  t.teardown(() => {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  await new Promise((resolve, reject) => (c.once('spawn', resolve), c.once('error', reject)));
  return c as ChildProcess & { pid: number };
}

/** The pid a child prints on its stdout after `label` (`grandchild <pid>` from the spawn-grandchild fixture, and so on). */
function printedPid(c: ChildProcess, label: string): Promise<number> {
  const pattern = new RegExp(`${label} (\\d+)`);
  return new Promise((resolve) => {
    let text = '';
    c.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = pattern.exec(text);
      if (m) resolve(Number(m[1]));
    });
  });
}

/** Polls until `f` holds (generous deadline for a loaded machine). */
async function until(f: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function killAndWait(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
  return until(() => isGone(pid), `pid ${pid} gone`);
}

t.test('ProcTable: one readdir per refresh sees new processes once and reports the gone', async (t) => {
  const table = new ProcTable();
  t.ok(table.refresh().procs.has(process.pid), 'sees this process');
  const child = await start(t, ['sleep', '30']);
  t.match(table.refresh().born.find((p) => p.pid === child.pid), { ppid: process.pid }, 'a new child is read');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  // A refresh lists /proc only once some pid was handed out since the last one.
  await start(t, ['true']);
  const after = table.refresh();
  t.notOk(after.procs.has(child.pid), 'a reaped child is forgotten');
  t.ok(after.gone.includes(child.pid), 'and reported gone');
});

t.test('ProcTable: with no pid handed out since the last refresh, the known map is returned without listing /proc', async (t) => {
  const table = new ProcTable();
  // Retry: another process on the machine may take a pid between two refreshes.
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = table.refresh();
    const second = table.refresh();
    if (lastAllocatedPid() !== undefined && second.procs === first.procs && second.born.length === 0 && second.gone.length === 0) {
      t.pass(`skipped on attempt ${attempt + 1}`);
      return;
    }
  }
  t.fail('every refresh saw a new pid');
});

t.test('lastAllocatedPid moves when a process is spawned', async (t) => {
  const before = lastAllocatedPid();
  t.ok(before !== undefined && before > 0, `last pid ${before}`);
  const child = await start(t, ['sleep', '30']);
  const after = lastAllocatedPid()!;
  t.ok(after !== before, `moved to ${after} (spawned ${child.pid})`);
});

t.test('LiveTrees: a grandchild born later joins its tree, one killed leaves it, a leader no longer asked for is forgotten', async (t) => {
  const trees = new LiveTrees();
  const leader = await start(t, fixture('spawn-grandchild'));
  const grandchild = await printedPid(leader, 'grandchild');
  const pidsOf = (m: Map<number, { pid: number }[]>, l: number) => (m.get(l) ?? []).map((p) => p.pid).sort();
  await until(() => pidsOf(trees.update([leader.pid]), leader.pid).includes(grandchild), 'grandchild in the tree');
  t.same(pidsOf(trees.update([leader.pid]), leader.pid), [leader.pid, grandchild].sort(), 'leader and grandchild');

  await killAndWait(grandchild);
  trees.vanished([grandchild]);
  t.same(pidsOf(trees.update([leader.pid]), leader.pid), [leader.pid], 'dropped once reported vanished: only the leader is left');

  const sibling = await start(t, ['sleep', '30']);
  await killAndWait(sibling.pid);
  const born = await start(t, ['sleep', '30']);
  t.same(pidsOf(trees.update([leader.pid, born.pid]), born.pid), [born.pid], 'a new leader gets its tree from a full listing');

  const other = await start(t, ['sleep', '30']);
  const both = trees.update([other.pid]);
  t.same([...both.keys()], [other.pid], 'only the leaders asked for are returned');
  t.same(pidsOf(both, other.pid), [other.pid]);
});

t.test('LiveTrees: a setsid descendant stays in its tree after its parent dies; a vanished leader takes its tree along', async (t) => {
  const trees = new LiveTrees();
  // node (leader, reaps its children) → node spawn-grandchild (middle) → ignore-sigterm in its own session (grandchild).
  const [node, script] = fixture('spawn-grandchild', 'setsid');
  const leaderJs = `const c = require('node:child_process').spawn(process.execPath, [${JSON.stringify(script)}, 'setsid'], { stdio: ['ignore', 'inherit', 'ignore'] }); console.log('middle ' + c.pid); setInterval(() => {}, 1e9);`;
  const leader = await start(t, [node!, '-e', leaderJs]);
  const [middle, grandchild] = await Promise.all([printedPid(leader, 'middle'), printedPid(leader, 'grandchild')]);
  t.teardown(() => killAndWait(grandchild));
  const pidsOf = () => (trees.update([leader.pid]).get(leader.pid) ?? []).map((p) => p.pid).sort();
  await until(() => pidsOf().includes(grandchild), 'setsid grandchild found through its parent link');
  t.same(pidsOf(), [leader.pid, middle, grandchild].sort(), 'all three');

  await killAndWait(middle);
  // Dead is not yet gone: a zombie keeps its /proc entry (and its place in the tree) until the leader reaps it.
  await until(() => !existsSync(`/proc/${middle}`), `pid ${middle} reaped`);
  await start(t, ['true']); // a pid handed out: the next update lists /proc
  t.same(pidsOf(), [leader.pid, grandchild].sort(), 'the middle is gone; the re-parented grandchild is still the agent\'s');

  trees.vanished([leader.pid]);
  t.same(trees.update([]).size, 0);
  t.notOk(isGone(grandchild), 'the orphan still runs (the stop path deals with it, not the monitor)');
});

t.test('StatFiles: one open file per live pid, closed when the pid leaves or dies, reused pids never read through an old file', async (t) => {
  const files = new StatFiles();
  t.teardown(() => files.close());
  // Descriptors of this process open on some /proc/<pid>/stat.
  const fds = () =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return /^\/proc\/\d+\/stat$/.test(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        return false;
      }
    }).length;
  const a = await start(t, ['sleep', '30']);
  const b = await start(t, ['sleep', '30']);
  const base = fds();
  const ua = files.usage(a.pid);
  t.ok(ua && ua.startTime > 0 && ua.rssPages > 0, 'reads a live process');
  t.ok(files.usage(b.pid));
  t.equal(files.openCount, 2);
  t.equal(fds(), base + 2, 'two descriptors held');
  t.same(files.usage(a.pid)?.startTime, ua?.startTime, 'a second read goes through the same file');
  t.equal(fds(), base + 2, 'no new descriptor for it');

  files.keepOnly(new Set([a.pid]));
  t.equal(files.openCount, 1, 'b closed when no longer asked for');
  t.equal(fds(), base + 1);

  const exited = new Promise((r) => a.once('exit', r));
  a.kill('SIGKILL');
  await exited;
  t.equal(files.usage(a.pid), undefined, 'a reaped process reads as gone');
  t.equal(files.openCount, 0, 'and its file is closed');
  t.equal(fds(), base);
  t.equal(files.usage(999_999_999), undefined, 'a pid that never existed');
});

t.test('StatFiles: a zombie reads as gone (it has no CPU or memory left to report)', async (t) => {
  const files = new StatFiles();
  t.teardown(() => files.close());
  // sh execs sleep without reaping the child it started: the child stays a zombie.
  const parent = await start(t, ['sh', '-c', 'true & echo "child $!"; exec sleep 60']);
  const child = await printedPid(parent, 'child');
  await until(() => isGone(child), 'the child exited');
  t.equal(files.usage(child), undefined);
  t.ok(files.usage(parent.pid), 'its parent reads');
});

t.test('StatFiles: past its limit it reads by path without holding files', async (t) => {
  const files = new StatFiles(1);
  t.teardown(() => files.close());
  const a = await start(t, ['sleep', '30']);
  const b = await start(t, ['sleep', '30']);
  t.ok(files.usage(a.pid));
  t.ok(files.usage(b.pid), 'read by path');
  t.equal(files.openCount, 1, 'only one held');
});
