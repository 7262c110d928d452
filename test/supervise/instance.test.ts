import t from 'tap';
import { Instance } from '../../src/supervise/instance.js';
import { specWithDefaults } from '../helpers/agent-spec.js';
import { fakeHost as host } from './fake-host.js';

const spec = specWithDefaults({ name: 'web', command: ['true'], cwd: '/' });

t.test('instance: waiting is reported once per list of dependencies; the host hears every move', async (t) => {
  const h = host();
  const i = new Instance(spec, h.host);
  i.awaitDependencies(['db (ready)']);
  h.clock.at = 2000;
  i.awaitDependencies(['db (ready)']);
  i.awaitDependencies(['db (ready)', 'cache (started)']);
  t.match(i.state, { name: 'waiting', since: 2000, on: ['db (ready)', 'cache (started)'] });
  t.same(
    h.events.map((e) => e.type),
    ['agent-waiting', 'agent-waiting'],
  );
  t.same(h.changes, ['waiting', 'waiting', 'waiting']);
});

t.test('instance: blocked names its dependency; disabled stops without an event; a completion is recorded without one', async (t) => {
  const h = host();
  const blocked = new Instance(spec, h.host);
  blocked.block('dependency db failed', 'db');
  t.match(blocked.state, { name: 'blocked', reason: 'dependency db failed', dependency: 'db' });
  t.match(h.events, [{ type: 'agent-blocked', agent: 'web', dependency: 'db' }]);
  const disabled = new Instance(spec, h.host);
  disabled.disable();
  disabled.disable();
  t.match(disabled.state, { name: 'stopped', reason: 'disabled' });
  const done = new Instance({ ...spec, type: 'oneshot' }, h.host);
  done.markCompleted(500);
  t.match(done.state, { name: 'exited', completed: true, since: 500 });
  t.equal(h.events.length, 1, 'only the block was reported');
});

t.test('instance: a new spec replaces the old; restarts start at zero', async (t) => {
  const h = host();
  const i = new Instance(spec, h.host);
  i.replaceSpec({ ...spec, priority: 5 });
  t.equal(i.spec.priority, 5);
  t.match(i.restarts, { count: 0, attempt: 0, log: [], failureTimes: [] });
  t.equal(i.lastExit, undefined);
});

t.test('instance: its fields move only through its transitions', async (t) => {
  const i = new Instance(spec, host().host);
  // Each line fails to compile (`npm run typecheck`) and, run anyway, fails at run time.
  // @ts-expect-error state is read-only
  t.throws(() => (i.state = { name: 'running', since: 0, pid: 1, attempt: 1, startedAt: 0 }));
  // @ts-expect-error spec is replaced through replaceSpec
  t.throws(() => (i.spec = spec));
  // @ts-expect-error lastExit is set by an exit only
  t.throws(() => (i.lastExit = { code: 0, signal: null, at: 0 }));
  // @ts-expect-error there is no way to move the state by hand
  t.equal(i.move, undefined);
  // Compile-time only (never called): the views hand out nothing to write through.
  const writes = (): void => {
    // @ts-expect-error a state is a value, not changed in place
    i.state.since = 5;
    // @ts-expect-error the restart record is read through a view
    i.restarts.restarted('x', 0, false);
    // @ts-expect-error nor its history
    i.restarts.history.failures = 0;
    // @ts-expect-error nor the spec
    i.spec.priority = 1;
  };
  t.type(writes, 'function');
});
