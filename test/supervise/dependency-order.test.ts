import t from 'tap';
import { DependencyOrder } from '../../src/supervise/dependency-order.js';
import { Instance } from '../../src/supervise/instance.js';
import type { AgentSpec } from '../../src/plan/spec.js';
import { specWithDefaults } from '../helpers/agent-spec.js';
import { fakeHost } from './fake-host.js';
import { dep } from './spec-helper.js';

/** Instances on a fake host whose state changes wake dependents, as the engine wires them. */
function fleet(specs: AgentSpec[]) {
  const byName = new Map<string, Instance>();
  let order: DependencyOrder | undefined;
  const h = fakeHost((i) => order?.wake(i));
  for (const s of specs) byName.set(s.name, new Instance(s, h.host));
  const get = (n: string): Instance => byName.get(n)!;
  order = new DependencyOrder(specs, { get, find: (n) => byName.get(n), survey: () => ({ procs: [] }) });
  return { order, get, events: h.events };
}

const spec = (name: string, fields: Partial<AgentSpec> = {}): AgentSpec => specWithDefaults({ name, command: ['true'], cwd: '/', ...fields });

t.test('dependency order: start order by level; unmet dependencies wait, and a broken one blocks its dependents transitively', async (t) => {
  const f = fleet([spec('web', { dependsOn: [dep('api', 'started')] }), spec('api', { dependsOn: [dep('db')] }), spec('db')]);
  t.same(f.order.startOrder(), ['db', 'api', 'web']);
  t.same(f.order.ordered(['web', 'db']), ['db', 'web']);
  f.order.launch(f.get('web'));
  f.order.launch(f.get('api'));
  t.match(f.get('web').state, { name: 'waiting', on: ['api (started)'] });
  t.match(f.get('api').state, { name: 'waiting', on: ['db (ready)'] });
  f.get('db').block('its volume is missing', 'disk');
  t.match(f.get('api').state, { name: 'blocked', dependency: 'db', reason: 'dependency db is blocked: its volume is missing' });
  t.match(f.get('web').state, { name: 'blocked', dependency: 'api' });
  t.same(
    f.events.filter((e) => e.type === 'agent-blocked').map((e) => e.agent),
    ['db', 'api', 'web'],
  );
});

t.test('dependency order: a disabled instance stays stopped; its dependents are blocked by it', async (t) => {
  const f = fleet([spec('off', { disabled: true }), spec('worker', { dependsOn: [dep('off', 'started')] })]);
  f.order.launch(f.get('off'));
  t.match(f.get('off').state, { name: 'stopped', reason: 'disabled' });
  f.order.launch(f.get('worker'));
  t.match(f.get('worker').state, { name: 'blocked', dependency: 'off', reason: 'dependency off is disabled' });
});

t.test('dependency order: a oneshot recorded as completed meets `completed` for a waiting dependent', async (t) => {
  const f = fleet([spec('migrate', { type: 'oneshot' }), spec('app', { dependsOn: [dep('migrate', 'completed')], disabled: true }), spec('report', { dependsOn: [dep('migrate', 'completed'), dep('app', 'started')] })]);
  f.order.launch(f.get('report'));
  t.match(f.get('report').state, { name: 'blocked', dependency: 'app' }, 'a disabled dependency blocks before anything else is waited on');
  const g = fleet([spec('migrate', { type: 'oneshot' }), spec('later', { dependsOn: [dep('migrate', 'completed'), dep('gate', 'started')] }), spec('gate')]);
  g.order.launch(g.get('later'));
  t.match(g.get('later').state, { name: 'waiting', on: ['migrate (completed)', 'gate (started)'] });
  g.get('migrate').markCompleted(2000);
  t.match(g.get('later').state, { name: 'waiting', on: ['gate (started)'] }, 'woken: only the unmet one is left');
});
