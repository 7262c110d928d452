import t from 'tap';
import { diff } from '../../src/plan/diff.js';
import { checkStale, parseSavedPlan, serializeSavedPlan } from '../../src/plan/saved-plan.js';
import { NO_HASHES, plan, spec } from './plan-helper.js';

const FILE = 'plan.json';

function saved(serial = 3) {
  const desired = plan([spec('redis'), spec('api', { env: { API_TOKEN: 's3cret-value' } })]);
  const changeSet = diff(undefined, desired, [], NO_HASHES);
  return serializeSavedPlan({
    plan: desired,
    changeSet,
    state: { lineage: 'lin-1', serial },
    createdAt: new Date('2025-01-02T03:04:05Z'),
    envFileHashes: new Map([['/srv/fleet/.env', 'ab'.repeat(32)]]),
  });
}

t.test('round trip', async (t) => {
  const text = saved();
  const parsed = parseSavedPlan(text, FILE);
  if (!parsed.ok) throw new Error(parsed.error.message);
  t.equal(parsed.value.kind, 'orchestra-plan');
  t.equal(parsed.value.serial, 3);
  t.equal(parsed.value.lineage, 'lin-1');
  t.equal(parsed.value.createdAt, '2025-01-02T03:04:05.000Z');
  t.same(parsed.value.envFileHashes, { '/srv/fleet/.env': 'ab'.repeat(32) });
  t.same(parsed.value.changeSet.counts.start, 2);
  t.equal(parsed.value.plan.instances[1]?.env['API_TOKEN'], 's3cret-value', 'the plan keeps real values: apply needs them');
  t.notOk(JSON.stringify(parsed.value.changeSet).includes('s3cret-value'), 'the change set never holds a secret');
  t.equal(saved(), text, 'serialization is deterministic');
});

t.test('not JSON: clear error', async (t) => {
  const r = parseSavedPlan('{"kind": "orchestra-plan", ', FILE);
  t.equal(r.ok, false);
  if (r.ok) return;
  t.equal(r.error.code, 'saved-plan-corrupt');
  t.match(r.error.message, /^plan\.json is not a saved plan: it is not valid JSON/);
  t.same(r.error.location, { file: FILE });
  t.match(r.error.hint, 'orchestra plan --out');
});

t.test('foreign file: clear error', async (t) => {
  for (const text of ['[]', '{"version": 1, "name": "x"}', 'null', '"plan"']) {
    const r = parseSavedPlan(text, FILE);
    t.equal(!r.ok && r.error.code, 'saved-plan-foreign', text);
    t.equal(!r.ok && r.error.message, 'plan.json is not a saved orchestra plan');
  }
});

t.test('other format version', async (t) => {
  const data = JSON.parse(saved());
  data.version = 2;
  const r = parseSavedPlan(JSON.stringify(data), FILE);
  t.equal(!r.ok && r.error.code, 'saved-plan-version');
  t.equal(!r.ok && r.error.message, 'plan.json is a saved plan of format version 2; this orchestra reads version 1');
});

t.test('damaged content: says what is wrong', async (t) => {
  const cases: [string, (d: any) => void, string][] = [
    ['serial', (d) => (d.serial = -1), '`serial` is not a non-negative integer'],
    ['lineage', (d) => delete d.lineage, '`lineage` is missing'],
    ['time', (d) => (d.createdAt = 'yesterday'), '`createdAt` is not a time'],
    ['instances', (d) => delete d.plan.instances, '`plan` lacks its files, agents or instances'],
    ['command', (d) => (d.plan.instances[0].command = []), 'plan instance redis has no command'],
    ['action kind', (d) => (d.changeSet.actions[0].kind = 'explode'), 'an action has no kind or instance'],
    ['action target', (d) => (d.changeSet.actions[0].instance = 'ghost'), 'action on ghost names no instance of the plan'],
    ['counts', (d) => (d.changeSet.counts.start = 7), 'the change counts do not match the actions'],
    ['hashes', (d) => (d.envFileHashes = { a: 1 }), '`envFileHashes` is not a map of hashes'],
  ];
  for (const [name, mutate, problem] of cases) {
    const data = JSON.parse(saved());
    mutate(data);
    const r = parseSavedPlan(JSON.stringify(data), FILE);
    t.equal(!r.ok && r.error.message, `plan.json is a damaged saved plan: ${problem}`, name);
  }
});

t.test('stale check', async (t) => {
  const parsed = parseSavedPlan(saved(3), FILE);
  if (!parsed.ok) throw new Error('parse failed');
  t.same(checkStale(parsed.value, { lineage: 'lin-1', serial: 3 }), { ok: true, value: undefined });
  const later = checkStale(parsed.value, { lineage: 'lin-1', serial: 4 });
  t.equal(!later.ok && later.error.message, 'saved plan is stale: state serial 4 was applied after it (plan was made at serial 3)');
  t.equal(!later.ok && later.error.code, 'saved-plan-stale');
  const other = checkStale(parsed.value, { lineage: 'lin-2', serial: 3 });
  t.equal(!other.ok && other.error.message, 'saved plan is stale: it was made for another state (lineage lin-1, this state is lin-2)');
  const behind = checkStale(parsed.value, { lineage: 'lin-1', serial: 1 });
  t.equal(!behind.ok && behind.error.message, 'saved plan is stale: it was made at serial 3 but the state is at serial 1');
});
