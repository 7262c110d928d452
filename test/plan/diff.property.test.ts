import t from 'tap';
import fc from 'fast-check';
import { diff } from '../../src/plan/diff.js';
import type { AgentSpec, Plan } from '../../src/plan/spec.js';
import type { ObservedAgent } from '../../src/plan/observed.js';
import { AGENT_STATES } from '../../src/plan/state-name.js';
import { NO_HASHES, plan, replicas } from './plan-helper.js';

const NAMES = ['redis', 'api', 'worker', 'cron', 'web'];

/** A random acyclic fleet: an agent may only depend on agents listed before it. */
const fleet: fc.Arbitrary<Plan> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 0, maxLength: NAMES.length })
  .chain((names) =>
    fc
      .tuple(
        ...names.map((name, i) =>
          fc.record({
            count: fc.integer({ min: 0, max: 3 }),
            cmd: fc.constantFrom('a', 'b'),
            delay: fc.constantFrom(1000, 2000),
            disabled: fc.boolean(),
            deps: fc.subarray(names.slice(0, i)),
            restart: fc.boolean(),
          }).map((r) =>
            replicas(name, r.count, {
              command: [r.cmd],
              disabled: r.disabled,
              restart: { when: 'on-failure', strategy: 'exponential', delayMs: r.delay, maxDelayMs: 60_000, maxAttempts: 10, resetAfterMs: 300_000 },
              dependsOn: r.deps.map((agent) => ({ agent, condition: 'started' as const, restart: r.restart })),
            }),
          ),
        ),
      )
      .map((groups) => plan((groups as AgentSpec[][]).flat())),
  );

const observedOf = (p: Plan): fc.Arbitrary<ObservedAgent[]> =>
  fc.tuple(...p.instances.map((s) => fc.constantFrom(...AGENT_STATES).map((state) => ({ name: s.name, state })))).map((o) => o as ObservedAgent[]);

t.test('planner invariants hold for random fleets', async (t) => {
  fc.assert(
    fc.property(fleet, fleet, (applied, desired) => {
      const cs = diff(applied, desired, [], NO_HASHES);
      const names = cs.actions.map((a) => a.instance);
      // One action per instance, no more.
      if (new Set(names).size !== names.length) return false;
      // Every desired instance is accounted for.
      if (!desired.instances.every((s) => names.includes(s.name))) return false;
      // Stops come first.
      const firstOther = cs.actions.findIndex((a) => a.kind !== 'stop');
      if (firstOther >= 0 && cs.actions.slice(firstOther).some((a) => a.kind === 'stop')) return false;
      // Disabled instances are never started or restarted.
      const disabled = new Set(desired.instances.filter((s) => s.disabled).map((s) => s.name));
      if (cs.actions.some((a) => disabled.has(a.instance) && a.kind !== 'stop' && a.kind !== 'unchanged')) return false;
      // Counts agree with the actions.
      return cs.actions.filter((a) => a.kind === 'restart').length === cs.counts.restart;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random pairs of fleets');
});

t.test('a plan against itself, everything running, has no changes', async (t) => {
  fc.assert(
    fc.property(fleet, (p) => {
      const running = p.instances.filter((s) => !s.disabled).map((s) => ({ name: s.name, state: 'running' as const }));
      return diff(p, p, running, NO_HASHES).changes === false;
    }),
    { numRuns: 200 },
  );
  t.pass('200 random fleets');
});

t.test('with nothing applied, every enabled instance starts whatever was observed at rest', async (t) => {
  fc.assert(
    fc.property(fleet.chain((p) => fc.tuple(fc.constant(p), observedOf(p))), ([p, observed]) => {
      const atRest = observed.filter((o) => ['stopped', 'exited', 'failed'].includes(o.state));
      const cs = diff(undefined, p, atRest, NO_HASHES);
      return p.instances.every((s) => cs.actions.find((a) => a.instance === s.name)?.kind === (s.disabled ? 'unchanged' : 'start'));
    }),
    { numRuns: 200 },
  );
  t.pass('200 random fleets');
});

t.test('dependency order: a started instance never precedes one it depends on', async (t) => {
  fc.assert(
    fc.property(fleet, (p) => {
      const cs = diff(undefined, p, [], NO_HASHES);
      const position = new Map(cs.actions.map((a, i) => [a.instance, i]));
      return p.instances.every((s) =>
        s.dependsOn.every((d) =>
          p.instances.filter((x) => x.agent === d.agent).every((dep) => position.get(dep.name)! < position.get(s.name)!),
        ),
      );
    }),
    { numRuns: 200 },
  );
  t.pass('200 random fleets');
});
