import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { harness, is, plan, sh, spec, tempDir } from './spec-helper.js';

// Prints `reloaded` on SIGHUP and goes on; `wait` returns early on a trapped signal, so the trap runs at once.
const hupAware = sh(`trap 'echo "reloaded $$"' HUP; echo "up $$"; while :; do sleep 1 & wait $!; done`);

async function logHas(file: string, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!readFileSync(file, 'utf8').includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in ${file}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('a signal reload reaches the main process and keeps the pid; no restart is counted', async (t) => {
  const h = harness(t, plan([spec({ name: 'web', command: hupAware, reload: { signal: 'SIGHUP', onChange: [] } })]));
  await h.engine.startAll();
  const log = join(h.stateDir, 'logs', 'web.log');
  const pid = h.engine.status()[0]!.pid!;
  await logHas(log, `up ${pid}`);
  t.same(await h.engine.reload(['web']), [{ name: 'web', ok: true }]);
  await logHas(log, `reloaded ${pid}`);
  t.match(await h.waitFor(is('agent-reloaded', 'web')), { pid, by: 'SIGHUP' });
  t.match(h.engine.status()[0], { state: 'running', pid, restarts: 0 });
});

t.test('a command reload runs with the agent env and cwd, its output in the agent log', async (t) => {
  const dir = tempDir(t);
  const h = harness(t, plan([spec({ name: 'web', cwd: dir, env: { MODE: 'blue' }, reload: { command: sh('echo "reload command $MODE in $(pwd)"'), onChange: [] } })]));
  await h.engine.startAll();
  const pid = h.engine.status()[0]!.pid!;
  t.same(await h.engine.reload(['web']), [{ name: 'web', ok: true }]);
  await logHas(join(h.stateDir, 'logs', 'web.log'), `reload command blue in ${dir}`);
  t.match(h.engine.status()[0], { state: 'running', pid, restarts: 0 });
});

t.test('reload failures are reported per instance, never fatal', async (t) => {
  const h = harness(
    t,
    plan([
      spec({ name: 'broken', reload: { command: sh('exit 4'), onChange: [] } }),
      spec({ name: 'plain' }),
      spec({ name: 'off', disabled: true, reload: { signal: 'SIGHUP', onChange: [] } }),
    ]),
  );
  await h.engine.startAll();
  const outcomes = await h.engine.reload(['broken', 'plain', 'off']);
  t.same(outcomes, [
    { name: 'broken', ok: false, reason: 'sh exited with code 4' },
    { name: 'plain', ok: false, reason: 'it has no `reload` (set `reload.signal` or `reload.command`)' },
    { name: 'off', ok: false, reason: 'it is stopped, not running' },
  ]);
  t.match(await h.waitFor(is('reload-failed', 'broken')), { reason: 'sh exited with code 4' });
  t.match(h.engine.status()[0], { state: 'running' }, 'a failed reload leaves the agent running');
  t.same(h.engine.reloadable(), ['broken', 'off']);
});
