import t from 'tap';
import { dep, fixture, harness, indexOf, is, plan, sh, spec } from './spec-helper.js';

t.test('a chain starts strictly in order, each after its dependency is ready', async (t) => {
  const h = harness(
    t,
    plan([
      spec({ name: 'c', dependsOn: [dep('b')] }),
      spec({ name: 'b', dependsOn: [dep('a')], command: fixture('ready-after', 150), readiness: { kind: 'log', pattern: '^READY', intervalMs: 20, timeoutMs: 1000, failures: 3, initialDelayMs: 0 } }),
      spec({ name: 'a' }),
    ]),
  );
  await h.engine.startAll();
  const st = Object.fromEntries(h.engine.status().map((s) => [s.name, s.state]));
  t.same(st, { c: 'running', b: 'running', a: 'running' });
  const ev = h.events;
  t.ok(indexOf(ev, 'agent-ready', 'a') < indexOf(ev, 'agent-starting', 'b'), 'b starts after a is ready');
  t.ok(indexOf(ev, 'agent-ready', 'b') < indexOf(ev, 'agent-starting', 'c'), 'c starts after b is ready');
  t.ok(h.of('agent-waiting', 'c').length >= 1, 'c reported waiting');
  t.same(h.engine.startOrder(), ['a', 'b', 'c']);
});

t.test('a diamond: top first, the two sides in parallel by priority, bottom after both', async (t) => {
  const log = (ms: number) => ({ kind: 'log' as const, pattern: '^READY', intervalMs: 20, timeoutMs: 1000, failures: 3, initialDelayMs: 0, _: ms });
  const probe = ({ _, ...p }: ReturnType<typeof log>) => p;
  const h = harness(
    t,
    plan([
      spec({ name: 'bottom', dependsOn: [dep('left'), dep('right')] }),
      spec({ name: 'left', priority: 1, dependsOn: [dep('top')], command: fixture('ready-after', 300), readiness: probe(log(300)) }),
      spec({ name: 'right', priority: 5, dependsOn: [dep('top')], command: fixture('ready-after', 50), readiness: probe(log(50)) }),
      spec({ name: 'top' }),
    ]),
  );
  await h.engine.startAll();
  const ev = h.events;
  const ready = (n: string) => indexOf(ev, 'agent-ready', n);
  const starting = (n: string) => indexOf(ev, 'agent-starting', n);
  t.ok(ready('top') < starting('left') && ready('top') < starting('right'), 'sides start after top is ready');
  t.ok(starting('right') < starting('left'), 'higher priority first within the level');
  t.ok(starting('left') < ready('right'), 'the sides start in parallel (left starts before right is ready)');
  t.ok(ready('left') < starting('bottom') && ready('right') < starting('bottom'), 'bottom waits for both');
  t.same(h.engine.startOrder(), ['top', 'right', 'left', 'bottom']);
});

t.test('stopAll goes in reverse dependency order and leaves every agent stopped', async (t) => {
  const h = harness(t, plan([spec({ name: 'db' }), spec({ name: 'api', dependsOn: [dep('db', 'started')] }), spec({ name: 'web', dependsOn: [dep('api', 'started')] })]));
  await h.engine.startAll();
  await h.engine.stopAll();
  const stopped = h.of('agent-stopped').map((e) => ('agent' in e ? e.agent : ''));
  t.same(stopped, ['web', 'api', 'db']);
  t.ok(h.engine.status().every((s) => s.state === 'stopped' && s.pid === undefined));
});

t.test('disabled agents are not started and their dependents are blocked', async (t) => {
  const h = harness(t, plan([spec({ name: 'off', disabled: true }), spec({ name: 'needs-off', dependsOn: [dep('off')] }), spec({ name: 'free' })]));
  await h.engine.startAll();
  const st = Object.fromEntries(h.engine.status().map((s) => [s.name, s]));
  t.equal(st.off?.state, 'stopped');
  t.equal(st.off?.detail, 'disabled');
  t.equal(st['needs-off']?.state, 'blocked');
  t.match(st['needs-off']?.detail, /dependency off is disabled/);
  t.equal(st.free?.state, 'running');
  t.equal(h.of('agent-started', 'off').length, 0);
});

t.test('oneshot completes and unlocks a `completed` dependent', async (t) => {
  const h = harness(t, plan([spec({ name: 'migrate', type: 'oneshot', command: fixture('exit-with', 0, 50) }), spec({ name: 'api', dependsOn: [dep('migrate', 'completed')] })]));
  await h.engine.startAll();
  await h.waitFor(is('agent-completed', 'migrate'));
  const st = Object.fromEntries(h.engine.status().map((s) => [s.name, s]));
  t.equal(st.migrate?.state, 'exited');
  t.equal(st.migrate?.detail, 'completed');
  t.equal(st.api?.state, 'running');
  t.ok(indexOf(h.events, 'agent-completed', 'migrate') < indexOf(h.events, 'agent-starting', 'api'));
});

t.test('spawn failures fail the agent with a clear reason and block dependents', async (t) => {
  const h = harness(
    t,
    plan([
      spec({ name: 'nocmd', command: ['definitely-not-a-command-xyz'] }),
      spec({ name: 'nocwd', cwd: '/nonexistent/dir/xyz' }),
      spec({ name: 'noexec', command: [new URL(import.meta.url).pathname] }),
      spec({ name: 'dependent', dependsOn: [dep('nocmd', 'started')] }),
    ]),
  );
  await h.engine.startAll();
  const st = Object.fromEntries(h.engine.status().map((s) => [s.name, s]));
  t.equal(st.nocmd?.state, 'failed');
  t.match(st.nocmd?.detail, /command not found: definitely-not-a-command-xyz/);
  t.equal(st.nocwd?.state, 'failed');
  t.match(st.nocwd?.detail, /working directory does not exist/);
  t.equal(st.noexec?.state, 'failed');
  t.match(st.noexec?.detail, /permission denied/);
  t.equal(st.dependent?.state, 'blocked');
  t.match(st.dependent?.detail, /dependency nocmd failed: command not found/);
});

t.test('a deep, fully connected DAG (10 levels of 6) starts without walking every path', async (t) => {
  const specs: ReturnType<typeof spec>[] = [];
  for (let l = 0; l < 10; l++) {
    for (let k = 0; k < 6; k++) {
      const dependsOn = l === 0 ? [] : Array.from({ length: 6 }, (_, j) => dep(`l${l - 1}n${j}`, 'ready'));
      specs.push(spec({ name: `l${l}n${k}`, command: sh('exec sleep 120'), dependsOn }));
    }
  }
  const h = harness(t, plan(specs));
  await h.engine.startAll();
  t.ok(h.engine.status().every((s) => s.state === 'running'), 'all 60 running');
  const firstStart = (n: string) => indexOf(h.events, 'agent-started', n);
  t.ok(firstStart('l9n0') > firstStart('l8n5'), 'the last level after the one before');
});
