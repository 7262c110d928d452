import t from 'tap';
import { readAllProcs } from '../../src/supervise/procfs.js';
import { fixture, harness, is, plan, spec } from './spec-helper.js';

/** Waits (bounded) for the `grandchild <pid>` line of spawn-grandchild in a log file. */
async function grandchildPid(file: string): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = /grandchild (\d+)/.exec(readFileSync(file, 'utf8'));
    if (m) return Number(m[1]);
    if (Date.now() > deadline) throw new Error('no grandchild line');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number) => readAllProcs().some((p) => p.pid === pid && p.state !== 'Z');
const zombiesOfMine = () => readAllProcs().filter((p) => p.ppid === process.pid && p.state === 'Z');

t.test('a SIGTERM-ignoring agent is SIGKILLed after stop.timeout', async (t) => {
  // Ready once it printed, i.e. once its SIGTERM handler is installed.
  const readiness = { kind: 'log' as const, pattern: 'ignoring SIGTERM', intervalMs: 20, timeoutMs: 1000, failures: 3, initialDelayMs: 0 };
  const h = harness(t, plan([spec({ name: 'stubborn', command: fixture('ignore-sigterm'), readiness, stop: { signal: 'SIGTERM', timeoutMs: 300 } })]));
  await h.engine.startAll();
  const pid = h.engine.status()[0]!.pid!;
  await h.engine.stop(['stubborn']);
  const stopped = await h.waitFor(is('agent-stopped', 'stubborn'));
  t.match(stopped, { killed: true, survivors: [] });
  t.match(h.engine.status()[0], { state: 'stopped', lastExit: { signal: 'SIGKILL' } });
  t.notOk(alive(pid), 'gone from /proc');
  t.same(zombiesOfMine(), [], 'no zombie left among our children');
});

for (const mode of ['same-group', 'setsid'] as const) {
  t.test(`no grandchild survives a stop (${mode}), even one that ignores SIGTERM`, async (t) => {
    const h = harness(t, plan([spec({ name: 'parent', command: fixture('spawn-grandchild', mode === 'setsid' ? 'setsid' : 'plain'), stop: { signal: 'SIGTERM', timeoutMs: 500 } })]));
    await h.engine.startAll();
    const gc = await grandchildPid(`${h.stateDir}/logs/parent.log`);
    t.ok(alive(gc), 'grandchild running');
    const leader = h.engine.status()[0]!.pid!;
    if (mode === 'setsid') t.not(readAllProcs().find((p) => p.pid === gc)?.pgid, leader, 'grandchild left the process group');
    await h.engine.stop(['parent']);
    t.notOk(alive(leader), 'leader gone');
    t.notOk(alive(gc), 'grandchild gone');
    t.same(zombiesOfMine(), [], 'no zombie left among our children');
  });
}

t.test('stop does not hang when the leader exits first and its child ignores SIGTERM', async (t) => {
  // sh exits on SIGTERM at once; its background child ignores it and keeps the group alive.
  const h = harness(t, plan([spec({ name: 'shell', command: ['sh', '-c', `${fixture('ignore-sigterm').join(' ')} & wait`], stop: { signal: 'SIGTERM', timeoutMs: 400 } })]));
  await h.engine.startAll();
  await new Promise((r) => setTimeout(r, 300));
  const leader = h.engine.status()[0]!.pid!;
  const members = readAllProcs().filter((p) => p.pgid === leader && p.state !== 'Z').map((p) => p.pid);
  t.ok(members.length >= 2, 'shell and child in the group');
  await h.engine.stop(['shell']);
  for (const p of members) t.notOk(alive(p), `pid ${p} gone`);
});

t.test('emergency stop SIGKILLs every tree at once', async (t) => {
  const h = harness(
    t,
    plan([
      spec({ name: 'a', command: fixture('ignore-sigterm'), stop: { signal: 'SIGTERM', timeoutMs: 60_000 } }),
      spec({ name: 'b', command: fixture('spawn-grandchild', 'setsid'), stop: { signal: 'SIGTERM', timeoutMs: 60_000 } }),
      spec({ name: 'c' }),
    ]),
  );
  await h.engine.startAll();
  const gc = await grandchildPid(`${h.stateDir}/logs/b.log`);
  await h.engine.sampleNow(); // the monitor learns the tree, as it would within one interval
  const pids = h.engine.status().map((s) => s.pid!);
  await h.engine.kill();
  const ev = await h.waitFor(is('emergency-stop'));
  t.match(ev, { agents: ['a', 'b', 'c'], survivors: [] });
  for (const p of [...pids, gc]) t.notOk(alive(p), `pid ${p} gone`);
  t.ok(h.engine.status().every((s) => s.state === 'stopped'));
});

t.test('a batch stop (one /proc read, one signal round) still waits for slow agents and leaves no grandchild', async (t) => {
  const slowReady = { kind: 'log' as const, pattern: 'ignoring SIGTERM', intervalMs: 20, timeoutMs: 1000, failures: 3, initialDelayMs: 0 };
  const specs = Array.from({ length: 12 }, (_, k) =>
    k % 4 === 0
      ? spec({ name: `slow${k}`, command: fixture('ignore-sigterm', 300), readiness: slowReady, stop: { signal: 'SIGTERM', timeoutMs: 20_000 } })
      : spec({ name: `fast${k}` }),
  );
  // Its grandchild ignores SIGTERM once started, so it may need the SIGKILL step: a short timeout.
  specs.push(spec({ name: 'parent', command: fixture('spawn-grandchild', 'setsid'), stop: { signal: 'SIGTERM', timeoutMs: 1000 } }));
  const h = harness(t, plan(specs));
  await h.engine.startAll();
  const gc = await grandchildPid(`${h.stateDir}/logs/parent.log`);
  const pids = h.engine.status().map((s) => s.pid!);
  await h.engine.stopAll();
  const stopped = h.of('agent-stopped');
  t.equal(stopped.length, specs.length, 'every instance reported stopped');
  for (const e of stopped) {
    const agent = 'agent' in e ? e.agent : '';
    t.match(e, agent === 'parent' ? { survivors: [] } : { killed: false, survivors: [] }, `${agent} stopped${agent === 'parent' ? '' : ' by its signal'}`);
  }
  for (const e of h.of('agent-exited').filter((e) => 'agent' in e && e.agent.startsWith('slow'))) t.match(e, { code: 0 }, 'slow agent exited by itself');
  for (const p of [...pids, gc]) t.notOk(alive(p), `pid ${p} gone`);
  t.ok(h.engine.status().every((s) => s.state === 'stopped'));
});
