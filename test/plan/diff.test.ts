import t from 'tap';
import { diff } from '../../src/plan/diff.js';
import type { Action, ChangeSet } from '../../src/plan/change-set.js';
import type { ObservedAgent } from '../../src/plan/observed.js';
import { NO_HASHES, plan, replicas, spec } from './plan-helper.js';

/** `kind instance` per action, in order, unchanged ones included. */
const kinds = (cs: ChangeSet): string[] => cs.actions.map((a) => `${a.kind} ${a.instance}`);
const find = (cs: ChangeSet, instance: string): Action => {
  const a = cs.actions.find((x) => x.instance === instance);
  if (!a) throw new Error(`no action for ${instance}`);
  return a;
};
const running = (...names: string[]): ObservedAgent[] => names.map((name) => ({ name, state: 'running' }));

const fleet = () =>
  plan([
    spec('redis', { priority: 100 }),
    spec('api', { dependsOn: [{ agent: 'redis', condition: 'ready', restart: true }], env: { PORT: '8080' } }),
    spec('worker', { dependsOn: [{ agent: 'api', condition: 'ready', restart: false }] }),
  ]);

t.test('no applied plan: every enabled instance starts, in dependency order', async (t) => {
  const desired = plan([...fleet().instances, spec('off', { disabled: true })]);
  const cs = diff(undefined, desired, [], NO_HASHES);
  t.same(kinds(cs), ['start redis', 'unchanged off', 'start api', 'start worker'], 'level by level, priority first');
  t.equal(find(cs, 'api').reason, 'new instance');
  t.equal(find(cs, 'off').reason, 'disabled');
  t.same(cs.counts, { start: 3, stop: 0, restart: 0, update: 0, unchanged: 1, recover: 0, reload: 0 });
  t.equal(cs.changes, true);
  t.same(cs.project, [], 'no project changes on a first apply');
});

t.test('same plan, all running: everything unchanged', async (t) => {
  const cs = diff(fleet(), fleet(), running('redis', 'api', 'worker'), NO_HASHES);
  t.same(kinds(cs), ['unchanged redis', 'unchanged api', 'unchanged worker']);
  t.equal(cs.changes, false);
  t.equal(find(cs, 'api').reason, 'up to date');
});

t.test('one command change restarts that agent only', async (t) => {
  const desired = fleet();
  desired.instances[2] = spec('worker', { ...desired.instances[2], command: ['node', 'worker2.js'] });
  const cs = diff(fleet(), desired, running('redis', 'api', 'worker'), NO_HASHES);
  t.same(kinds(cs), ['unchanged redis', 'unchanged api', 'restart worker']);
  t.equal(find(cs, 'worker').reason, 'changed: command');
  t.same(find(cs, 'worker').fields, [{ path: 'command', old: ['node', 'worker.js'], new: ['node', 'worker2.js'] }]);
});

t.test('env file content change restarts', async (t) => {
  const file = '/srv/fleet/.env.api';
  const withFile = () => plan([spec('api', { envFiles: [file] })]);
  const cs = diff(withFile(), withFile(), running('api'), {
    applied: new Map([[file, '1'.repeat(64)]]),
    desired: new Map([[file, '2'.repeat(64)]]),
  });
  t.same(kinds(cs), ['restart api']);
  t.equal(find(cs, 'api').reason, 'changed: env_file');
  const same = diff(withFile(), withFile(), running('api'), {
    applied: new Map([[file, '1'.repeat(64)]]),
    desired: new Map([[file, '1'.repeat(64)]]),
  });
  t.same(kinds(same), ['unchanged api']);
});

t.test('a reload.on_change file content change reloads, unless an identity field changed too', async (t) => {
  const conf = '/srv/fleet/nginx.conf';
  const nginx = (env: Record<string, string> = {}) => plan([spec('nginx', { env, reload: { signal: 'SIGHUP', onChange: [conf] } }), spec('api')]);
  const hashes = { applied: new Map([[conf, 'a'.repeat(64)]]), desired: new Map([[conf, 'b'.repeat(64)]]) };
  const cs = diff(nginx(), nginx(), running('nginx', 'api'), hashes);
  t.same(kinds(cs), ['reload nginx', 'unchanged api']);
  t.same(find(cs, 'nginx').fields, [{ path: 'reload.on_change', old: ['nginx.conf sha256:aaaaaaaaaaaa'], new: ['nginx.conf sha256:bbbbbbbbbbbb'] }]);
  t.equal(cs.counts.reload, 1);
  t.equal(cs.changes, true);
  const both = diff(nginx(), nginx({ X: '1' }), running('nginx', 'api'), hashes);
  t.same(kinds(both), ['restart nginx', 'unchanged api'], 'an identity change wins');
  t.same(find(both, 'nginx').fields?.map((f) => f.path), ['env.X', 'reload.on_change']);
  const same = diff(nginx(), nginx(), running('nginx', 'api'), { applied: hashes.applied, desired: hashes.applied });
  t.same(kinds(same), ['unchanged nginx', 'unchanged api']);
  const stopped = diff(nginx(), nginx(), [{ name: 'nginx', state: 'failed' }, { name: 'api', state: 'running' }], hashes);
  t.equal(find(stopped, 'nginx').kind, 'recover', 'a failed instance is started again, which reads the new file anyway');
});

t.test('supervision-only change updates in place, no restart', async (t) => {
  const desired = fleet();
  const api = desired.instances[1]!;
  desired.instances[1] = { ...api, restart: { ...api.restart, delayMs: 2000 }, priority: 5, description: 'the API' };
  const cs = diff(fleet(), desired, running('redis', 'api', 'worker'), NO_HASHES);
  t.same(kinds(cs), ['unchanged redis', 'update api', 'unchanged worker']);
  t.equal(find(cs, 'api').reason, 'changed: description, priority, restart.delay');
  t.same(cs.counts.restart, 0);
});

t.test('identity plus supervision change: restart listing both', async (t) => {
  const desired = fleet();
  const api = desired.instances[1]!;
  desired.instances[1] = { ...api, env: { PORT: '9090' }, stop: { ...api.stop, timeoutMs: 3000 } };
  const a = find(diff(fleet(), desired, running('redis', 'api', 'worker'), NO_HASHES), 'api');
  t.equal(a.kind, 'restart');
  t.equal(a.reason, 'changed: env.PORT', 'the reason names what forces the restart');
  t.same(a.fields?.map((f) => f.path), ['env.PORT', 'stop.timeout']);
});

t.test('removed agent stops', async (t) => {
  const desired = plan(fleet().instances.filter((s) => s.name !== 'worker'));
  const cs = diff(fleet(), desired, running('redis', 'api', 'worker'), NO_HASHES);
  t.same(kinds(cs), ['stop worker', 'unchanged redis', 'unchanged api']);
  t.equal(find(cs, 'worker').reason, 'removed from the manifest');
});

t.test('new agent added to an applied plan starts', async (t) => {
  const desired = plan([...fleet().instances, spec('cron')]);
  const cs = diff(fleet(), desired, running('redis', 'api', 'worker'), NO_HASHES);
  t.equal(find(cs, 'cron').kind, 'start');
  t.equal(find(cs, 'cron').reason, 'new agent');
});

t.test('replicas 2 -> 4 -> 1', async (t) => {
  const two = plan(replicas('api', 2));
  const four = plan(replicas('api', 4));
  const one = plan(replicas('api', 1));
  const up = diff(two, four, running('api-0', 'api-1'), NO_HASHES);
  t.same(kinds(up), ['unchanged api-0', 'unchanged api-1', 'start api-2', 'start api-3']);
  t.equal(find(up, 'api-2').reason, 'new instance: api replicas 2 -> 4');
  // A changed replica count alone restarts nothing.
  t.equal(find(up, 'api-0').reason, 'up to date');

  const down = diff(four, one, running('api-0', 'api-1', 'api-2', 'api-3'), NO_HASHES);
  // One replica is named like the agent (loader rule), so every numbered instance goes.
  t.same(kinds(down), ['stop api-3', 'stop api-2', 'stop api-1', 'stop api-0', 'start api']);
  t.equal(find(down, 'api-3').reason, 'instance removed: api replicas 4 -> 1');
  t.equal(find(down, 'api').reason, 'new instance: api replicas 4 -> 1');
  t.same(down.counts, { start: 1, stop: 4, restart: 0, update: 0, unchanged: 0, recover: 0, reload: 0 });

  const fourToThree = diff(four, plan(replicas('api', 4).slice(0, 3).map((s) => ({ ...s, replica: { ...s.replica, count: 3 } }))), running('api-0', 'api-1', 'api-2', 'api-3'), NO_HASHES);
  t.same(kinds(fourToThree), ['stop api-3', 'unchanged api-0', 'unchanged api-1', 'unchanged api-2']);
});

t.test('disabled: stop if it runs, else nothing; enabling starts', async (t) => {
  const off = () => plan([spec('redis'), spec('api', { disabled: true })]);
  const on = () => plan([spec('redis'), spec('api')]);
  t.same(kinds(diff(on(), off(), running('redis', 'api'), NO_HASHES)), ['stop api', 'unchanged redis']);
  t.equal(find(diff(on(), off(), running('redis', 'api'), NO_HASHES), 'api').reason, 'disabled');
  t.same(kinds(diff(off(), off(), [...running('redis'), { name: 'api', state: 'stopped' }], NO_HASHES)), ['unchanged redis', 'unchanged api']);
  t.same(kinds(diff(on(), off(), running('redis'), NO_HASHES)), ['stop api', 'unchanged redis'], 'unobserved: trust the applied plan');
  const enabled = diff(off(), on(), [...running('redis'), { name: 'api', state: 'stopped' }], NO_HASHES);
  t.same(kinds(enabled), ['unchanged redis', 'start api']);
  t.equal(find(enabled, 'api').reason, 'enabled');
  t.same(kinds(diff(off(), plan([spec('redis')]), running('redis'), NO_HASHES)), ['unchanged redis'], 'removing a stopped disabled agent is no action');
});

t.test('recover an instance observed failed, stopped or (service) exited', async (t) => {
  const observed: ObservedAgent[] = [
    { name: 'redis', state: 'failed' },
    { name: 'api', state: 'exited' },
    { name: 'worker', state: 'stopped' },
  ];
  const cs = diff(fleet(), fleet(), observed, NO_HASHES);
  t.same(kinds(cs), ['recover redis', 'recover api', 'recover worker']);
  t.same(cs.actions.map((a) => a.reason), ['observed failed', 'service exited', 'observed stopped']);
  t.equal(cs.counts.recover, 3);

  const jobs = () => plan([spec('migrate', { type: 'oneshot' })]);
  t.same(kinds(diff(jobs(), jobs(), [{ name: 'migrate', state: 'exited' }], NO_HASHES)), ['unchanged migrate'], 'a oneshot that exited is done');
  t.same(kinds(diff(jobs(), jobs(), [{ name: 'migrate', state: 'failed' }], NO_HASHES)), ['recover migrate']);

  const desired = fleet();
  desired.instances[0] = { ...desired.instances[0]!, priority: 1 };
  const both = find(diff(fleet(), desired, observed, NO_HASHES), 'redis');
  t.equal(both.kind, 'recover');
  t.equal(both.reason, 'observed failed; changed: priority', 'recovery carries supervision changes');
});

t.test('restarts cascade only along restart: true', async (t) => {
  const desired = fleet();
  desired.instances[0] = { ...desired.instances[0]!, command: ['redis-server', '--port', '6380'] };
  const cs = diff(fleet(), desired, running('redis', 'api', 'worker'), NO_HASHES);
  t.same(kinds(cs), ['restart redis', 'restart api', 'unchanged worker'], 'worker depends on api without restart: true');
  t.equal(find(cs, 'api').reason, 'dependency redis restarts');
  t.same(find(cs, 'api').triggeredBy, ['redis']);

  // Transitive: worker follows api when its edge says restart: true.
  const chained = fleet();
  chained.instances[0] = { ...chained.instances[0]!, command: ['redis-server'] };
  chained.instances[2] = { ...chained.instances[2]!, dependsOn: [{ agent: 'api', condition: 'ready', restart: true }] };
  const applied = fleet();
  applied.instances[2] = { ...applied.instances[2]!, dependsOn: [{ agent: 'api', condition: 'ready', restart: true }] };
  const deep = diff(applied, chained, running('redis', 'api', 'worker'), NO_HASHES);
  t.same(kinds(deep), ['restart redis', 'restart api', 'restart worker']);
  t.equal(find(deep, 'worker').reason, 'dependency api restarts');

  // An in-place update of the dependent becomes a restart, keeping its fields.
  const withUpdate = fleet();
  withUpdate.instances[0] = { ...withUpdate.instances[0]!, command: ['redis-server'] };
  withUpdate.instances[1] = { ...withUpdate.instances[1]!, priority: 3 };
  const upd = find(diff(fleet(), withUpdate, running('redis', 'api', 'worker'), NO_HASHES), 'api');
  t.equal(upd.kind, 'restart');
  t.equal(upd.reason, 'dependency redis restarts; changed: priority');

  // A disabled dependent is not restarted; a dependency that only starts does not cascade.
  const disabledDep = fleet();
  disabledDep.instances[0] = { ...disabledDep.instances[0]!, command: ['redis-server'] };
  disabledDep.instances[1] = { ...disabledDep.instances[1]!, disabled: true };
  t.same(kinds(diff(fleet(), disabledDep, running('redis', 'worker'), NO_HASHES)), ['stop api', 'restart redis', 'unchanged worker']);
  const recovering = diff(fleet(), fleet(), [{ name: 'redis', state: 'failed' }, ...running('api', 'worker')], NO_HASHES);
  t.same(kinds(recovering), ['recover redis', 'unchanged api', 'unchanged worker']);
});

t.test('cascade names every restarting dependency once, across replicas', async (t) => {
  const build = (cmd: string) =>
    plan([
      ...replicas('redis', 2, { command: [cmd] }),
      spec('cache', { command: [cmd] }),
      spec('api', {
        dependsOn: [
          { agent: 'redis', condition: 'ready', restart: true },
          { agent: 'cache', condition: 'started', restart: true },
        ],
      }),
    ]);
  const cs = diff(build('a'), build('b'), running('redis-0', 'redis-1', 'cache', 'api'), NO_HASHES);
  t.equal(find(cs, 'api').reason, 'dependencies redis, cache restart');
  t.same(find(cs, 'api').triggeredBy, ['redis', 'cache']);
});

t.test('execution order: stops in reverse dependency order, then the rest in dependency order', async (t) => {
  const applied = plan([
    spec('db', { priority: 10 }),
    spec('api', { dependsOn: [{ agent: 'db', condition: 'ready', restart: false }] }),
    spec('web', { dependsOn: [{ agent: 'api', condition: 'ready', restart: false }] }),
    spec('old-cache'),
  ]);
  const desired = plan([
    spec('web', { dependsOn: [{ agent: 'api', condition: 'ready', restart: false }], command: ['node', 'web2.js'] }),
    spec('api', { dependsOn: [{ agent: 'db', condition: 'ready', restart: false }], command: ['node', 'api2.js'] }),
    spec('db', { priority: 10, command: ['db2'] }),
    spec('queue'),
  ]);
  const cs = diff(applied, desired, [...running('db', 'api', 'web', 'old-cache'), { name: 'ghost', state: 'running' }], NO_HASHES);
  t.same(kinds(cs), ['stop ghost', 'stop old-cache', 'restart db', 'start queue', 'restart api', 'restart web']);
  t.equal(find(cs, 'ghost').reason, 'not in the manifest');

  const teardown = diff(applied, plan([]), running('db', 'api', 'web', 'old-cache'), NO_HASHES);
  t.same(kinds(teardown), ['stop web', 'stop api', 'stop old-cache', 'stop db'], 'dependents stop before what they depend on');
});

t.test('an instance running without a recorded spec is restarted to match', async (t) => {
  const cs = diff(undefined, fleet(), running('redis'), NO_HASHES);
  t.equal(find(cs, 'redis').kind, 'restart');
  t.equal(find(cs, 'redis').reason, 'running without a recorded spec');
  t.equal(find(cs, 'api').kind, 'start');
});

t.test('project settings changes are one update in place', async (t) => {
  const desired = plan(fleet().instances, { monitor: { intervalMs: 5000 }, notify: { command: ['notify-send'], events: ['agent-failed'], timeoutMs: 5000, retries: 3 } });
  const cs = diff(fleet(), desired, running('redis', 'api', 'worker'), NO_HASHES);
  t.same(cs.project, [
    { path: 'monitor.interval', old: '2s', new: '5s' },
    { path: 'notify.command', new: ['notify-send'] },
    { path: 'notify.events', new: ['agent-failed'] },
    { path: 'notify.timeout', new: '5s' },
    { path: 'notify.retries', new: 3 },
  ]);
  t.equal(cs.counts.update, 1);
  t.equal(cs.changes, true);
  const hooked = plan([spec('api', { env: { HOOK_TOKEN: 'abcd1234' } })], { notify: { webhook: 'http://127.0.0.1:9/hook?t=abcd1234', events: [], timeoutMs: 5000, retries: 3 } });
  const masked = diff(plan([spec('api', { env: { HOOK_TOKEN: 'abcd1234' } })]), hooked, running('api'), NO_HASHES);
  t.same(masked.project.find((f) => f.path === 'notify.webhook')?.new, 'http://127.0.0.1:9/hook?t=***', 'secret values are masked in project settings too');
});

t.test('diff does not mutate its inputs', async (t) => {
  const applied = fleet();
  const desired = fleet();
  desired.instances[0] = { ...desired.instances[0]!, command: ['x'] };
  const before = JSON.stringify([applied, desired]);
  diff(applied, desired, running('redis', 'api', 'worker'), NO_HASHES);
  t.equal(JSON.stringify([applied, desired]), before);
});
