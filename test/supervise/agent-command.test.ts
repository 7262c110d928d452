import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readAllProcs } from '../../src/supervise/procfs.js';
import { harness, is, plan, sh, spec, tempDir } from './spec-helper.js';

const alive = (pid: number) => readAllProcs().some((p) => p.pid === pid && p.state !== 'Z');

// Ignores SIGTERM; leaves only when a `quit` file appears in its cwd (what `nginx -s quit` amounts to).
const quitsOnFile = sh(`trap '' TERM; echo up; while [ ! -f quit ]; do sleep 0.05; done; echo bye`);

t.test('stop.command runs with the agent env and cwd, logs into the agent log, and ends the agent without a signal', async (t) => {
  const dir = tempDir(t);
  const h = harness(
    t,
    plan([
      spec({
        name: 'web',
        command: quitsOnFile,
        cwd: dir,
        env: { GREETING: 'from-env' },
        stop: { signal: 'SIGTERM', timeoutMs: 15_000, command: sh('echo "stop command says $GREETING in $(pwd)"; touch quit') },
      }),
    ]),
  );
  await h.engine.startAll();
  const pid = h.engine.status()[0]!.pid!;
  await h.engine.stop(['web']);
  const stopped = await h.waitFor(is('agent-stopped', 'web'));
  t.match(stopped, { killed: false, survivors: [] }, 'the command did the stopping, no SIGKILL');
  t.match(h.engine.status()[0], { state: 'stopped', lastExit: { code: 0 } }, 'the agent exited by itself');
  t.ok(existsSync(join(dir, 'quit')), 'ran in the agent cwd');
  const log = readFileSync(join(h.stateDir, 'logs', 'web.log'), 'utf8');
  t.match(log, `stop command says from-env in ${dir}`);
  t.match(log, 'bye');
  t.same(h.of('stop-command-failed'), []);
  t.notOk(alive(pid));
});

t.test('a failing stop.command is reported and the stop signal is sent instead', async (t) => {
  const h = harness(t, plan([spec({ name: 'svc', stop: { signal: 'SIGTERM', timeoutMs: 15_000, command: sh('echo cannot; exit 3') } })]));
  await h.engine.startAll();
  const pid = h.engine.status()[0]!.pid!;
  await h.engine.stop(['svc']);
  const failed = await h.waitFor(is('stop-command-failed', 'svc'));
  t.match(failed, { reason: 'sh exited with code 3' });
  t.match(await h.waitFor(is('agent-stopped', 'svc')), { killed: false }, 'SIGTERM did it, well before the timeout');
  t.notOk(alive(pid));
});

t.test('a stop.command that does not stop the agent: SIGKILL after stop.timeout', async (t) => {
  const h = harness(t, plan([spec({ name: 'stubborn', command: quitsOnFile, cwd: tempDir(t), stop: { signal: 'SIGTERM', timeoutMs: 500, command: sh('true') } })]));
  await h.engine.startAll();
  const pid = h.engine.status()[0]!.pid!;
  await h.engine.stop(['stubborn']);
  t.match(await h.waitFor(is('agent-stopped', 'stubborn')), { killed: true, survivors: [] });
  t.notOk(alive(pid));
});

t.test('a missing stop.command program is reported, never fatal', async (t) => {
  const h = harness(t, plan([spec({ name: 'svc', stop: { signal: 'SIGTERM', timeoutMs: 15_000, command: ['/nonexistent/stopper'] } })]));
  await h.engine.startAll();
  await h.engine.stop(['svc']);
  t.match(await h.waitFor(is('stop-command-failed', 'svc')), { reason: 'command not found: /nonexistent/stopper' });
  t.match(h.engine.status()[0], { state: 'stopped' });
});
