import t from 'tap';
import { diff } from '../../src/plan/diff.js';
import { formatValue, planToJson, renderPlan, summaryLine } from '../../src/plan/render.js';
import { summarize } from '../../src/plan/change-set.js';
import type { ObservedAgent } from '../../src/plan/observed.js';
import { BASE_DIR, NO_HASHES, at, plan, replicas, spec } from './plan-helper.js';

const SECRETS = ['old-secret-1', 'new-secret-2', 'hunter22'];

/** A change set with every kind of action, origins, secrets (also one inside a URL) and a project change. */
function scenario() {
  const origins = {
    'agents.api.command.0': at(21, 15),
    'agents.api.env.PORT': at(24, 18),
    'agents.api.env.API_TOKEN': at(25, 18),
    'agents.store.restart.delay': at(12, 31),
    'monitor.interval': at(5, 13),
  };
  const store = spec('store', { priority: 100 });
  const apiDeps = [{ agent: 'store', condition: 'ready' as const, restart: true }];
  const webDeps = [{ agent: 'api', condition: 'ready' as const, restart: true }];
  const applied = plan([
    store,
    spec('api', { env: { PORT: '8080', API_TOKEN: 'old-secret-1', DB_PASSWORD: 'hunter22', DB_URL: 'postgres://u:hunter22@db/x' }, dependsOn: apiDeps }),
    spec('web', { dependsOn: webDeps }),
    ...replicas('worker', 4),
  ]);
  const desired = plan(
    [
      { ...store, restart: { ...store.restart, delayMs: 500 } },
      spec('api', {
        command: ['node', 'server.js'],
        env: { PORT: '8081', API_TOKEN: 'new-secret-2', DB_PASSWORD: 'hunter22', DB_URL: 'postgres://u:hunter22@db2/x' },
        dependsOn: apiDeps,
      }),
      spec('web', { dependsOn: webDeps }),
      ...replicas('worker', 3),
      spec('cron'),
    ],
    { origins, monitor: { intervalMs: 5000 } },
  );
  const observed: ObservedAgent[] = ['store', 'api', 'web', 'worker-1', 'worker-2', 'worker-3'].map((name) => ({ name, state: 'running' }));
  observed.push({ name: 'worker-0', state: 'failed' });
  return diff(applied, desired, observed, NO_HASHES);
}

const GOLDEN = `Orchestra will perform the following actions:

  ~ project (update in place)
      monitor.interval: "2s" -> "5s"  (orchestra.yaml:5:13)
  - worker-3 (instance removed: worker replicas 4 -> 3)
  ~ store (update in place)
      restart.delay: "1s" -> "500ms"  (orchestra.yaml:12:31)
  ^ worker-0 (recover: observed failed)
  + cron (new agent)
  -/+ api (forces restart)
      command: ["node", "api.js"] -> ["node", "server.js"]  (orchestra.yaml:21:15)
      env.API_TOKEN: *** -> ***  (orchestra.yaml:25:18)
      env.DB_URL: "postgres://u:***@db/x" -> "postgres://u:***@db2/x"
      env.PORT: "8080" -> "8081"  (orchestra.yaml:24:18)
  -/+ web (forces restart: dependency api restarts)

Plan: 1 to start, 1 to recover, 2 to restart, 2 to update in place, 1 to stop.
`;

t.test('golden text rendering, no colour', async (t) => {
  const text = renderPlan(scenario(), { color: false, cwd: BASE_DIR });
  t.equal(text, GOLDEN);
  t.notMatch(text, /\x1b\[/, 'no escape codes unless asked');
});

t.test('colour only when asked, same text underneath', async (t) => {
  const text = renderPlan(scenario(), { color: true, cwd: BASE_DIR });
  t.match(text, /\x1b\[32m\+\x1b\[39m/, 'start symbol is green');
  t.match(text, /\x1b\[31m-\x1b\[39m \x1b\[1mworker-3/, 'stop symbol is red');
  t.equal(text.replace(/\x1b\[[0-9;]*m/g, ''), GOLDEN);
});

t.test('origins shown as absolute paths without a cwd, relative inside it', async (t) => {
  const text = renderPlan(scenario(), { color: false });
  t.match(text, '(/srv/fleet/orchestra.yaml:24:18)');
  const elsewhere = renderPlan(scenario(), { color: false, cwd: '/tmp' });
  t.match(elsewhere, '(/srv/fleet/orchestra.yaml:24:18)', 'outside cwd stays absolute');
});

t.test('no secret value appears in any rendering', async (t) => {
  const cs = scenario();
  const outputs = [
    renderPlan(cs, { color: false }),
    renderPlan(cs, { color: true }),
    JSON.stringify(planToJson(cs)),
    JSON.stringify(cs),
  ];
  for (const out of outputs) for (const s of SECRETS) t.notOk(out.includes(s), `${s} is not shown`);
});

t.test('no changes', async (t) => {
  const p = () => plan([spec('api')]);
  const cs = diff(p(), p(), [{ name: 'api', state: 'running' }], NO_HASHES);
  t.equal(renderPlan(cs, { color: false }), 'No changes. Running agents match the manifest.\n');
  t.equal(summaryLine(cs), 'No changes. Running agents match the manifest.');
  t.same(planToJson(cs), {
    version: 1,
    changes: false,
    summary: 'No changes. Running agents match the manifest.',
    counts: { start: 0, stop: 0, restart: 0, update: 0, unchanged: 1, recover: 0, reload: 0 },
    project: [],
    actions: [{ kind: 'unchanged', instance: 'api', agent: 'api', reason: 'up to date', triggeredBy: [], fields: [] }],
  });
});

t.test('summary line lists non-zero kinds in a fixed order', async (t) => {
  const actions = ['start', 'start', 'restart', 'update', 'stop'].map((kind) => ({
    kind: kind as 'start',
    instance: kind,
    agent: kind,
    reason: '',
  }));
  const cs = { actions, project: [], ...summarize(actions, []) };
  t.equal(summaryLine(cs), 'Plan: 2 to start, 1 to restart, 1 to update in place, 1 to stop.');
});

t.test('golden JSON shape', async (t) => {
  const json = planToJson(scenario(), { cwd: BASE_DIR });
  t.same(Object.keys(json), ['version', 'changes', 'summary', 'counts', 'project', 'actions']);
  t.same(json.counts, { start: 1, stop: 1, restart: 2, update: 2, unchanged: 2, recover: 1, reload: 0 });
  t.same(
    json.actions.map((a) => `${a.kind} ${a.instance}`),
    ['stop worker-3', 'update store', 'recover worker-0', 'unchanged worker-1', 'unchanged worker-2', 'start cron', 'restart api', 'restart web'],
  );
  t.same(json.actions.find((a) => a.instance === 'api'), {
    kind: 'restart',
    instance: 'api',
    agent: 'api',
    reason: 'changed: command, env.API_TOKEN, env.DB_URL, env.PORT',
    triggeredBy: [],
    fields: [
      { path: 'command', old: ['node', 'api.js'], new: ['node', 'server.js'], secret: false, origin: { file: 'orchestra.yaml', line: 21, column: 15 } },
      { path: 'env.API_TOKEN', old: '***', new: '***', secret: true, origin: { file: 'orchestra.yaml', line: 25, column: 18 } },
      { path: 'env.DB_URL', old: 'postgres://u:***@db/x', new: 'postgres://u:***@db2/x', secret: false, origin: null },
      { path: 'env.PORT', old: '8080', new: '8081', secret: false, origin: { file: 'orchestra.yaml', line: 24, column: 18 } },
    ],
  });
  t.same(json.actions.find((a) => a.instance === 'web')?.triggeredBy, ['api']);
  t.same(json.project, [{ path: 'monitor.interval', old: '2s', new: '5s', secret: false, origin: { file: 'orchestra.yaml', line: 5, column: 13 } }]);
});

t.test('an added and a removed field render as (none)', async (t) => {
  const a = plan([spec('api', { env: { OLD: 'x' } })]);
  const b = plan([spec('api', { env: { NEW: 'y' }, nice: 5 })]);
  const text = renderPlan(diff(a, b, [], NO_HASHES), { color: false });
  t.match(text, '      env.NEW: (none) -> "y"\n');
  t.match(text, '      env.OLD: "x" -> (none)\n');
  t.match(text, '      nice: (none) -> 5\n');
});

t.test('formatValue', async (t) => {
  t.equal(formatValue(undefined), '(none)');
  t.equal(formatValue('8080'), '"8080"');
  t.equal(formatValue(['a', 1, true]), '["a", 1, true]');
  t.equal(formatValue({ image: 'node:20', n: 2 }), '{image: "node:20", n: 2}');
  t.equal(formatValue('***', true), '***');
  t.equal(formatValue(3), '3');
});
