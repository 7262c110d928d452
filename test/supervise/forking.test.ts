import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { AgentSpec } from '../../src/plan/spec.js';
import { readAllProcs } from '../../src/supervise/procfs.js';
import { fixture, harness, is, plan, spec, tempDir } from './spec-helper.js';
import { until } from '../helpers/until.js';

const alive = (pid: number) => readAllProcs().some((p) => p.pid === pid && p.state !== 'Z');


/** A `type: forking` spec running the daemonize fixture in MODE, with its pid file under a temp dir. */
function forking(t: Test, mode: string, o: Partial<AgentSpec> = {}): AgentSpec {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'run'));
  const pidFile = join(dir, 'run', 'svc.pid');
  return spec({ name: 'svc', type: 'forking', pidFile, cwd: dir, command: fixture('daemonize', pidFile, mode), stop: { signal: 'SIGTERM', timeoutMs: 5000 }, ...o });
}

const always = { when: 'always' as const, strategy: 'delayed' as const, delayMs: 100, maxDelayMs: 100, maxAttempts: 0, resetAfterMs: 60_000 };

t.test('a forking service is supervised through its pid file: state, pid, usage, stop', async (t) => {
  const s = forking(t, 'ok');
  const h = harness(t, plan([s]));
  await h.engine.startAll();
  const forked = await h.waitFor(is('agent-forked', 'svc'));
  const pid = Number(readFileSync(s.pidFile!, 'utf8'));
  t.match(forked, { pid });
  t.not(pid, (forked as { launcher: number }).launcher, 'the pid is the daemon, not the launcher');
  t.notOk(alive((forked as { launcher: number }).launcher), 'the launcher is gone');
  t.match(h.engine.status()[0], { state: 'running', pid });
  await h.engine.sampleNow();
  t.ok((h.engine.status()[0]!.rss ?? 0) > 0, 'memory of the daemon is sampled');
  await h.engine.stop(['svc']);
  t.match(h.engine.status()[0], { state: 'stopped' });
  t.notOk(alive(pid), 'the daemon is gone after stop');
  t.match(readFileSync(join(h.stateDir, 'logs', 'svc.log'), 'utf8'), `daemon ${pid} stopping`, 'it got the stop signal');
});

t.test('kill -9 of the daemon restarts it per policy', async (t) => {
  const s = forking(t, 'ok', { restart: always });
  const h = harness(t, plan([s]));
  await h.engine.startAll();
  const first = h.engine.status()[0]!.pid!;
  process.kill(first, 'SIGKILL');
  await until(() => h.of('agent-forked', 'svc').length >= 2 && h.engine.status()[0]!.state === 'running', 'a second daemon');
  const second = h.engine.status()[0]!;
  t.not(second.pid, first);
  t.equal(second.pid, Number(readFileSync(s.pidFile!, 'utf8')));
  t.equal(second.restarts, 1);
  t.match(h.of('restart-scheduled', 'svc')[0], { reason: /exit code unknown/ });
});

t.test('a launcher that exits non-zero fails the start with its reason', async (t) => {
  const h = harness(t, plan([forking(t, 'fail')]));
  await h.engine.startAll();
  t.match(h.engine.status()[0], { state: 'failed', detail: 'the forking command exited with code 3 after 1 attempt' });
  t.match(await h.waitFor(is('agent-failed', 'svc')), { reason: 'the forking command exited with code 3 after 1 attempt' });
});

t.test('a pid file that never appears fails the start at startup.timeout and leaves nothing behind', async (t) => {
  const s = forking(t, 'nopid', { startup: { timeoutMs: 5000, retries: 0 } });
  const h = harness(t, plan([s]));
  await h.engine.startAll();
  t.match(h.engine.status()[0], { state: 'failed', detail: `pid file ${s.pidFile} did not name a live process within 5000ms after 1 attempt` });
  const daemon = Number(/daemon (\d+) up/.exec(readFileSync(join(h.stateDir, 'logs', 'svc.log'), 'utf8'))![1]);
  await until(() => !alive(daemon), 'the orphaned daemon to be killed');
  t.pass('the daemon that never wrote its pid file was killed with the boundary');
});
