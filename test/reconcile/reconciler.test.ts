import t from 'tap';
import type { OrchestraEvent } from '../../src/events/event.js';
import type { Plan } from '../../src/plan/spec.js';
import type { ProcessFacts, ReconcileEngine, RevisionStore, StateStore } from '../../src/reconcile/ports.js';
import { ReconcileError } from '../../src/reconcile/reconcile-error.js';
import { Reconciler } from '../../src/reconcile/reconciler.js';
import type { Revision } from '../../src/reconcile/revision.js';
import { newState, type State } from '../../src/reconcile/state.js';
import type { AgentStatus } from '../../src/supervise/status.js';
import { err, ok } from '../../src/util/result.js';
import { plan, spec } from '../plan/plan-helper.js';

/** An engine that records what it was asked and settles instances in the state `outcome` names (running by default). */
class FakeEngine implements ReconcileEngine {
  readonly calls: string[] = [];
  readonly states = new Map<string, AgentStatus['state']>();
  readonly listeners = new Set<(e: OrchestraEvent) => void>();
  constructor(
    public plan: Plan,
    readonly outcome: Record<string, AgentStatus['state']> = {},
  ) {}
  #set(names: string[], state: AgentStatus['state']): void {
    for (const n of names) this.states.set(n, this.outcome[n] ?? state);
  }
  onEvent(listener: (e: OrchestraEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async start(names: string[]): Promise<void> {
    this.calls.push(`start ${names.join(',')}`);
    this.#set(names, 'running');
  }
  async stop(names: string[], reason?: string): Promise<void> {
    this.calls.push(`stop ${names.join(',')} (${reason})`);
    for (const n of names) this.states.set(n, 'stopped');
  }
  async restart(names: string[]): Promise<void> {
    this.calls.push(`restart ${names.join(',')}`);
    this.#set(names, 'running');
  }
  updatePlan(plan: Plan): void {
    this.calls.push('updatePlan');
    this.plan = plan;
  }
  adopt(name: string, pid: number): void {
    this.calls.push(`adopt ${name} ${pid}`);
    this.states.set(name, 'running');
  }
  markCompleted(name: string): void {
    this.calls.push(`completed ${name}`);
    this.states.set(name, 'exited');
  }
  startOrder(): string[] {
    return this.plan.instances.map((i) => i.name);
  }
  reloadable(): string[] {
    return this.plan.instances.filter((i) => i.reload).map((i) => i.name);
  }
  async reload(names: string[]): Promise<{ name: string; ok: boolean; reason?: string }[]> {
    this.calls.push(`reload ${names.join(',')}`);
    return names.map((name) => (this.states.get(name) === 'running' ? { name, ok: true } : { name, ok: false, reason: 'not running' }));
  }
  async stopAll(): Promise<void> {
    this.calls.push('stopAll');
    for (const n of this.states.keys()) this.states.set(n, 'stopped');
  }
  async kill(): Promise<void> {
    this.calls.push('kill');
  }
  async dispose(): Promise<void> {
    this.calls.push('dispose');
  }
  restartsOf(name: string): number | undefined {
    return this.states.has(name) ? 0 : undefined;
  }
  status(): AgentStatus[] {
    return [...this.states].map(([name, state]) => ({ name, agent: name, state, restarts: 0 }) as unknown as AgentStatus);
  }
}

/** A reconciler over in-memory stores; `stored` seeds state.json (or a load error) and the revisions. */
function harness(options: { state?: State | 'corrupt'; revisions?: Revision[]; outcome?: Record<string, AgentStatus['state']>; facts?: Partial<ProcessFacts> } = {}) {
  const revisions = [...(options.revisions ?? [])];
  let saved: State | undefined = options.state === 'corrupt' ? undefined : options.state;
  const engines: FakeEngine[] = [];
  const revisionStore: RevisionStore = {
    get: async (n) => {
      const r = revisions.find((x) => x.number === n);
      return r ? ok(r) : err(`no revision ${n}`);
    },
    latest: async () => revisions.at(-1),
    write: async (input, { atLeast }) => {
      const number = Math.max((revisions.at(-1)?.number ?? 0) + 1, atLeast);
      const r: Revision = {
        number,
        time: input.time.toISOString(),
        files: [],
        summary: { counts: { ...input.changeSet.counts }, text: 'x' },
        envFileHashes: Object.fromEntries(input.envFileHashes),
        plan: input.plan,
        ...(input.rollbackOf !== undefined ? { rollbackOf: input.rollbackOf } : {}),
      };
      revisions.push(r);
      return r;
    },
  };
  const stateStore: StateStore = {
    load: async () => (options.state === 'corrupt' && saved === undefined ? err({ message: 'state.json is corrupt' }) : ok(structuredClone(saved ?? newState()))),
    save: async (s) => void (saved = structuredClone(s)),
    rebuild: async (seed) => {
      const s: State = { ...newState(), serial: seed.serial ?? 0, ...(seed.appliedRevision !== undefined ? { appliedRevision: seed.appliedRevision } : {}) };
      saved = structuredClone(s);
      return { state: s, preservedAs: 'state.json.corrupt-1' };
    },
  };
  const processes: ProcessFacts = {
    bootId: async () => 'boot-1',
    marked: async () => new Map(),
    isSameProcess: async () => false,
    startTimeOf: async (pid) => pid * 10,
    startedAt: async () => 1_000,
    ...options.facts,
  };
  const reconciler = new Reconciler<FakeEngine>({
    engine: (p) => {
      const e = new FakeEngine(p, options.outcome);
      engines.push(e);
      return e;
    },
    revisions: revisionStore,
    state: stateStore,
    processes,
    clock: () => new Date('2026-01-01T00:00:00Z'),
    pid: 4242,
  });
  return { reconciler, engines, revisions, saved: () => saved! };
}

const fleet = plan([spec('db'), spec('api', { dependsOn: [{ agent: 'db', condition: 'ready', restart: false }] })]);
const noHashes = {};

t.test('the first apply starts everything, stores revision 1 and bumps the serial', async (t) => {
  const h = harness();
  await h.reconciler.init();
  const outcome = await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  t.equal(outcome.kind, 'applied');
  if (outcome.kind !== 'applied') return;
  t.equal(outcome.revision.number, 1);
  t.same(outcome.execution.started.sort(), ['api', 'db']);
  t.same(outcome.execution.failed, []);
  t.equal(h.saved().serial, 1);
  t.equal(h.saved().appliedRevision, 1);
  t.equal(h.saved().daemonPid, 4242);
  t.equal(h.revisions.length, 1);
});

t.test('applying the same plan again changes nothing and stores no revision', async (t) => {
  const h = harness();
  await h.reconciler.init();
  await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  const calls = h.engines[0]!.calls.length;
  const again = await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  t.equal(again.kind, 'unchanged');
  t.equal(h.revisions.length, 1);
  t.equal(h.engines[0]!.calls.length, calls, 'the engine was not asked anything');
});

t.test('a saved plan is refused once anything was applied after it, even when that apply made the same change', async (t) => {
  const h = harness();
  await h.reconciler.init();
  const { lineage, serial } = h.reconciler.planState();
  const changed = plan([spec('db'), spec('api', { command: ['node', 'api2.js'] })]);
  await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  const stamp = { lineage, serial: h.reconciler.planState().serial };
  await h.reconciler.apply({ plan: changed, envFileHashes: noHashes });
  const calls = [...h.engines[0]!.calls];
  const refused = h.reconciler.apply({ plan: changed, envFileHashes: noHashes, expected: stamp });
  await t.rejects(refused, { code: 'stale-plan', message: /stale/ });
  t.ok(((await refused.catch((e: unknown) => e)) as ReconcileError).hint, 'with a hint');
  t.same(h.engines[0]!.calls, calls, 'nothing was touched');
  t.equal(h.revisions.length, 2);
  t.equal(serial, 0);
});

t.test('a plan saved before the first apply is valid until something is applied', async (t) => {
  const h = harness();
  await h.reconciler.init();
  const outcome = await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes, expected: { lineage: 'unapplied', serial: 0 } });
  t.equal(outcome.kind, 'applied');
  await t.rejects(h.reconciler.apply({ plan: fleet, envFileHashes: noHashes, expected: { lineage: 'unapplied', serial: 0 } }), { code: 'stale-plan' });
});

t.test('agents that end failed or blocked are named in the outcome', async (t) => {
  const h = harness({ outcome: { db: 'failed', api: 'blocked' } });
  await h.reconciler.init();
  const outcome = await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  t.equal(outcome.kind, 'applied');
  if (outcome.kind === 'applied') t.same(outcome.execution.failed.map((f) => `${f.name}:${f.state}`).sort(), ['api:blocked', 'db:failed']);
});

t.test('control refuses before anything is applied and names unknown agents with a suggestion', async (t) => {
  const h = harness();
  await h.reconciler.init();
  await t.rejects(h.reconciler.control('stop', ['db']), { code: 'nothing-applied' });
  await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  await t.rejects(h.reconciler.control('stop', ['dbb']), { code: 'unknown-agent', message: /did you mean "db"/ });
  const stopped = await h.reconciler.control('stop', ['db']);
  t.same(stopped, { agents: ['db'], settled: true });
  t.match(h.engines[0]!.calls.at(-1), /^stop db/);
});

t.test('reload: by name, or every agent that has a reload; failures are per instance', async (t) => {
  const h = harness();
  await h.reconciler.init();
  await t.rejects(h.reconciler.reload(['db']), { code: 'nothing-applied' });
  const p = plan([spec('db'), spec('web', { reload: { signal: 'SIGHUP', onChange: [] } })]);
  await h.reconciler.apply({ plan: p, envFileHashes: noHashes });
  await t.rejects(h.reconciler.reload(['wbe']), { code: 'unknown-agent', message: /did you mean "web"/ });
  t.same(await h.reconciler.reload('all'), { agents: ['web'], reloaded: ['web'], failed: [] });
  h.engines[0]!.states.set('web', 'stopped');
  t.same(await h.reconciler.reload(['web']), { agents: ['web'], reloaded: [], failed: [{ name: 'web', reason: 'not running' }] });
});

t.test('recovery adopts live records, keeps completed oneshots and returns the services that died unwatched', async (t) => {
  const p = plan([spec('alive'), spec('dead'), spec('migrate', { type: 'oneshot' }), spec('idle')]);
  const revision: Revision = { number: 3, time: 'x', files: [], summary: { counts: {} as never, text: '' }, envFileHashes: {}, plan: p };
  const state: State = {
    ...newState(),
    serial: 3,
    appliedRevision: 3,
    bootId: 'boot-1',
    agents: { alive: { pid: 100, startTime: 1, spawnedAt: 'x' }, dead: { pid: 200, startTime: 2, spawnedAt: 'x' } },
    completed: { migrate: '2026-01-01T00:00:00.000Z' },
  };
  const h = harness({ state, revisions: [revision], facts: { isSameProcess: async (pid) => pid === 100 } });
  const restart = await h.reconciler.init();
  t.same(restart, ['dead']);
  const calls = h.engines[0]!.calls;
  t.ok(calls.includes('adopt alive 100'));
  t.ok(calls.includes('completed migrate'));
  t.match(calls.find((c) => c.startsWith('stop')), /^stop idle/);
  t.same(Object.keys(h.saved().agents), ['alive'], 'the dead record is dropped');
  t.match(h.reconciler.notes.join('\n'), /adopted alive \(pid 100\)/);
  t.equal(h.reconciler.applied?.number, 3);
});

t.test('after a reboot no record is adopted', async (t) => {
  const p = plan([spec('alive')]);
  const revision: Revision = { number: 1, time: 'x', files: [], summary: { counts: {} as never, text: '' }, envFileHashes: {}, plan: p };
  const state: State = { ...newState(), serial: 1, appliedRevision: 1, bootId: 'boot-0', agents: { alive: { pid: 100, startTime: 1, spawnedAt: 'x' } } };
  const h = harness({ state, revisions: [revision], facts: { isSameProcess: async () => true } });
  const restart = await h.reconciler.init();
  t.same(restart, ['alive']);
  t.notOk(h.engines[0]!.calls.some((c) => c.startsWith('adopt')));
  t.match(h.reconciler.notes.join('\n'), /rebooted/);
});

t.test('an unusable state is rebuilt from the newest revision and noted', async (t) => {
  const revision: Revision = { number: 7, time: 'x', files: [], summary: { counts: {} as never, text: '' }, envFileHashes: {}, plan: fleet };
  const h = harness({ state: 'corrupt', revisions: [revision] });
  await h.reconciler.init();
  t.equal(h.saved().serial, 7);
  t.equal(h.saved().appliedRevision, 7);
  t.match(h.reconciler.notes[0], /corrupt; started a new state \(old file kept as state.json.corrupt-1\)/);
  const next = await h.reconciler.apply({ plan: plan([spec('db')]), envFileHashes: noHashes });
  if (next.kind === 'applied') t.equal(next.revision.number, 8, 'numbers continue');
});

t.test('down stops everything and forgets what was applied', async (t) => {
  const h = harness();
  await h.reconciler.init();
  await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  await h.reconciler.down();
  t.same(h.engines[0]!.calls.slice(-2), ['stopAll', 'dispose']);
  t.equal(h.saved().appliedRevision, undefined);
  t.equal(h.saved().daemonPid, undefined);
  t.equal(h.reconciler.applied, undefined);
  t.equal(h.reconciler.engine, undefined);
  const again = await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  t.equal(again.kind, 'applied', 'the next apply starts everything again');
  t.equal(h.engines.length, 2);
});

t.test('engine events reach subscribers and keep the agent records', async (t) => {
  const h = harness();
  await h.reconciler.init();
  const seen: string[] = [];
  h.reconciler.onEvent((e) => seen.push(e.type));
  await h.reconciler.apply({ plan: fleet, envFileHashes: noHashes });
  const engine = h.engines[0]!;
  for (const l of engine.listeners) l({ type: 'agent-started', agent: 'db', pid: 55, time: '2026-01-01T00:00:00.000Z', message: 'started' } as OrchestraEvent);
  await h.reconciler.control('start', ['db']);
  t.same(seen, ['agent-started']);
  t.same(h.saved().agents.db, { pid: 55, startTime: 550, spawnedAt: '2026-01-01T00:00:00.000Z' });
});
