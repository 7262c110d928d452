import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import type { OrchestraEvent } from '../../src/events/event.js';
import { readAllProcs } from '../../src/supervise/procfs.js';
import { builtIsCurrent } from './built.js';
import { dep, fixture, plan, sh, spec, tempDir } from './spec-helper.js';

// The built runner needs no TypeScript loader in the child; the source runner does (tap's, from execArgv).
const BUILT = builtIsCurrent('cli/up.js');
const RUNNER = fileURLToPath(new URL(`../fixtures/agents/up-runner.${BUILT ? 'js' : 'ts'}`, import.meta.url));
const CHILD_ARGV = BUILT ? [RUNNER] : [...process.execArgv, RUNNER];
if (!BUILT) t.comment('dist/ is missing or older than src/: running up through the TypeScript loader (slower)');

function runUpChild(t: Test, p: object, stateDir: string) {
  const child = spawn(process.execPath, [...CHILD_ARGV, JSON.stringify(p), stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const waitOut = async (re: RegExp, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!re.test(out)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, exited, waitOut, output: () => out };
}

const events = (dir: string): OrchestraEvent[] =>
  readFileSync(`${dir}/events.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OrchestraEvent);

t.test('up: SIGTERM stops every agent in reverse dependency order and exits 0; log lines are prefixed', async (t) => {
  const dir = tempDir(t);
  const p = plan([
    spec({ name: 'db', command: fixture('print-slowly', 50) }),
    spec({ name: 'api', dependsOn: [dep('db', 'started')], command: fixture('ignore-sigterm', 200), stop: { signal: 'SIGTERM', timeoutMs: 5000 }, env: { API_TOKEN: 'hunter2-secret' } }),
    spec({ name: 'web', dependsOn: [dep('api', 'started')] }),
  ]);
  const run = runUpChild(t, p, dir);
  await run.waitOut(/web +\| ▶ started/);
  await run.waitOut(/db +\| tick \d+/);
  const pids = events(dir).flatMap((e) => (e.type === 'agent-started' ? [e.pid] : []));
  run.child.kill('SIGTERM');
  t.equal(await run.exited, 0, 'exit code 0');
  const stopped = events(dir).flatMap((e) => (e.type === 'agent-stopped' ? [e.agent] : []));
  t.same(stopped, ['web', 'api', 'db'], 'reverse dependency order');
  t.match(run.output(), /received SIGTERM: stopping/);
  const live = new Set(readAllProcs().filter((x) => x.state !== 'Z').map((x) => x.pid));
  for (const pid of pids) t.notOk(live.has(pid), `agent pid ${pid} gone`);
  t.notMatch(readFileSync(`${dir}/events.jsonl`, 'utf8'), /hunter2-secret/, 'no secret in the event log');
});

t.test('up: a second signal escalates to an emergency stop', async (t) => {
  const dir = tempDir(t);
  const p = plan([spec({ name: 'stubborn', command: fixture('ignore-sigterm'), stop: { signal: 'SIGTERM', timeoutMs: 60_000 } })]);
  const run = runUpChild(t, p, dir);
  await run.waitOut(/stubborn +\| ignoring SIGTERM/);
  const pid = events(dir).flatMap((e) => (e.type === 'agent-started' ? [e.pid] : []))[0]!;
  run.child.kill('SIGINT');
  await run.waitOut(/received SIGINT: stopping/);
  run.child.kill('SIGINT');
  t.equal(await run.exited, 1, 'exit code 1 after an emergency stop');
  t.match(run.output(), /emergency stop/);
  t.ok(events(dir).some((e) => e.type === 'emergency-stop'));
  t.notOk(readAllProcs().some((x) => x.pid === pid && x.state !== 'Z'), 'agent killed');
});

t.test('up: exits by itself once every agent has exited and none will restart (as compose up does)', async (t) => {
  const dir = tempDir(t);
  const p = plan([
    spec({ name: 'done', command: sh('echo done; exit 0'), restart: { ...spec({ name: 'x' }).restart, when: 'never' } }),
    spec({ name: 'job', type: 'oneshot', command: sh('exit 0') }),
  ]);
  const run = runUpChild(t, p, dir);
  t.equal(await run.exited, 0, 'exit code 0 without a signal');
  t.match(run.output(), /job +\| ▶ completed/);
});
