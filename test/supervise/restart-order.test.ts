import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { AgentSpec } from '../../src/plan/spec.js';
import { dep, harness, is, plan, sh, spec, tempDir } from './spec-helper.js';
import { until } from '../helpers/until.js';

// Stamps its start and its stop (on SIGTERM) into one shared file; line order is event order.
const stamping = sh(`trap 'echo "stop $NAME" >> "$STAMPS"; exit 0' TERM; echo "start $NAME" >> "$STAMPS"; echo up; while :; do sleep 1 & wait $!; done`);
const ready = { kind: 'log' as const, pattern: '^up$', intervalMs: 20, timeoutMs: 1000, failures: 3, initialDelayMs: 0 };

function fleet(stamps: string): AgentSpec[] {
  const agent = (name: string, o: Partial<AgentSpec> = {}): AgentSpec =>
    spec({ name, command: stamping, env: { NAME: name, STAMPS: stamps }, readiness: ready, stop: { signal: 'SIGTERM', timeoutMs: 5000 }, ...o });
  return [
    agent('db', { restart: { when: 'always', strategy: 'delayed', delayMs: 300, maxDelayMs: 300, maxAttempts: 0, resetAfterMs: 60_000 } }),
    agent('api', { dependsOn: [dep('db', 'ready', true)] }),
    agent('web', { dependsOn: [dep('api', 'ready', true)] }),
    agent('other', { dependsOn: [dep('db', 'ready', false)] }),
  ];
}

function stampsSince(file: string, from: number): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(from);
}


t.test('a manual restart stops restart: true dependents first, deepest first, and starts them after', async (t) => {
  const stamps = join(tempDir(t), 'stamps');
  writeFileSync(stamps, '');
  const h = harness(t, plan(fleet(stamps)));
  await h.engine.startAll();
  const before = stampsSince(stamps, 0).length;
  const otherPid = h.engine.status().find((s) => s.name === 'other')!.pid;
  await h.engine.restart(['db'], 'by hand');
  await until(() => stampsSince(stamps, before).length >= 6, 'six stamps');
  t.same(stampsSince(stamps, before), ['stop web', 'stop api', 'stop db', 'start db', 'start api', 'start web']);
  const status = new Map(h.engine.status().map((s) => [s.name, s]));
  t.equal(status.get('other')!.pid, otherPid, 'a dependent without restart: true is left alone');
  for (const name of ['db', 'api', 'web']) {
    t.match(status.get(name), { state: 'running', restarts: 1, health: 100 }, `${name}: restarted, and a restart orchestra caused does not lower health`);
  }
  t.match(status.get('api')!.recentRestarts[0]!.reason, /dependency db restarted/);
});

t.test('a crash restarts per policy; the dependents stop before the crashed agent runs again; only the crash lowers health', async (t) => {
  const stamps = join(tempDir(t), 'stamps');
  writeFileSync(stamps, '');
  const h = harness(t, plan(fleet(stamps)));
  await h.engine.startAll();
  const before = stampsSince(stamps, 0).length;
  const db = h.engine.status().find((s) => s.name === 'db')!.pid!;
  process.kill(db, 'SIGKILL');
  await until(() => stampsSince(stamps, before).length >= 5, 'five stamps');
  await until(() => h.of('agent-ready', 'web').length >= 2, 'web ready again');
  t.same(stampsSince(stamps, before), ['stop web', 'stop api', 'start db', 'start api', 'start web'], 'db died by SIGKILL, so it stamps no stop');
  const status = new Map(h.engine.status().map((s) => [s.name, s]));
  t.match(status.get('db'), { state: 'running', restarts: 1, health: 90 }, 'the crash costs db 10 points');
  t.match(status.get('api'), { state: 'running', restarts: 1, health: 100 });
  t.match(status.get('web'), { state: 'running', restarts: 1, health: 100 });
});

t.test('stop takes restart: true dependents down first and leaves them stopped', async (t) => {
  const stamps = join(tempDir(t), 'stamps');
  writeFileSync(stamps, '');
  const h = harness(t, plan(fleet(stamps)));
  await h.engine.startAll();
  const before = stampsSince(stamps, 0).length;
  await h.engine.stop(['db']);
  t.same(stampsSince(stamps, before), ['stop web', 'stop api', 'stop db']);
  const status = new Map(h.engine.status().map((s) => [s.name, s]));
  for (const name of ['db', 'api', 'web']) t.equal(status.get(name)!.state, 'stopped', `${name} stopped`);
  t.match(status.get('api')!.detail, /of a dependency/);
  t.equal(status.get('other')!.state, 'running', 'other keeps running (no restart: true)');
});

t.test('a oneshot is never reported ready', async (t) => {
  const h = harness(t, plan([spec({ name: 'job', type: 'oneshot', command: sh('sleep 0.3') })]));
  const started = h.engine.startAll();
  await h.waitFor(is('agent-started', 'job'));
  await until(() => h.engine.status()[0]!.state === 'running', 'the oneshot to run');
  t.equal(h.engine.status()[0]!.detail, 'running to completion');
  await started;
  await h.waitFor(is('agent-completed', 'job'));
  t.same(h.of('agent-ready', 'job'), [], 'no agent-ready event for a oneshot');
  t.match(h.engine.status()[0], { state: 'exited', detail: 'completed' });
});
