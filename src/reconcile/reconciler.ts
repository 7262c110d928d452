/**
 * The Reconciler: owns what is applied (the state and the applied revision)
 * and converges the engine to it. Apply is stale check, diff, execute,
 * revision, state; recovery adopts what a previous supervisor left running.
 * Returns typed outcomes and throws ReconcileError for refused requests. It
 * neither queues nor speaks HTTP: the daemon serializes calls and maps
 * errors to status codes; `up` and the library reach it through the same
 * daemon runtime. Its requests and outcomes are typed in outcomes.ts; the
 * recovery decisions it carries out are made in recovery.ts.
 */

import type { OrchestraEvent } from '../events/event.js';
import { didYouMean } from '../manifest/suggest.js';
import { diff } from '../plan/diff.js';
import type { ObservedAgent } from '../plan/observed.js';
import { checkSavedPlan } from '../plan/saved-plan.js';
import type { Plan } from '../plan/spec.js';
import { AgentRecords } from './agent-records.js';
import { executeChanges } from './execute-changes.js';
import type { ApplyOutcome, ApplyRequest, ControlOutcome, PlanState, ReloadOutcome } from './outcomes.js';
import type { ReconcileEngine, ReconcilerPorts } from './ports.js';
import { ReconcileError } from './reconcile-error.js';
import { decideRecovery } from './recovery.js';
import type { Revision } from './revision.js';
import { markApplied, type State } from './state.js';

const FOUND_BY = { record: '', marker: ' found by its environment marker', cgroup: ' found in its cgroup', ledger: ' found by the spawn ledger' } as const;

export class Reconciler<E extends ReconcileEngine = ReconcileEngine> {
  #state!: State;
  #revision: Revision | undefined;
  #engine: E | undefined;
  readonly #records: AgentRecords;
  readonly #listeners = new Set<(e: OrchestraEvent) => void>();
  /** Recovery decisions a human may want to read (the daemon logs them). */
  readonly notes: string[] = [];

  constructor(private readonly ports: ReconcilerPorts<E>) {
    this.#records = new AgentRecords({ startTimeOf: (pid) => ports.processes.startTimeOf(pid), save: (s, options) => ports.state.save(s, options) }, () => this.#state);
  }

  /**
   * Loads the state and the applied revision, records this supervisor's pid,
   * and adopts what still runs. Returns the names recovery wants restarted
   * (they died unwatched); the caller starts them through its queue.
   */
  async init(): Promise<string[]> {
    const { state, revisions, processes } = this.ports;
    const loaded = await state.load();
    if (loaded.ok) {
      this.#state = loaded.value;
    } else {
      // Keep history continuous: the newest revision is what was applied last.
      const newest = await revisions.latest();
      const rebuilt = await state.rebuild(newest ? { serial: newest.number, appliedRevision: newest.number } : {});
      this.#state = rebuilt.state;
      this.notes.push(`${loaded.error.message}; started a new state (old file kept as ${rebuilt.preservedAs ?? 'nothing'})`);
    }
    if (this.#state.appliedRevision === undefined) await this.#reclaimLost();
    if (this.#state.appliedRevision !== undefined) {
      const rev = await revisions.get(this.#state.appliedRevision);
      if (rev.ok) this.#revision = rev.value;
      else this.notes.push(`applied revision ${this.#state.appliedRevision} is unreadable: ${rev.error}`);
    }
    const bootId = await processes.bootId();
    // Start times from another boot mean nothing: every record is stale after a reboot.
    const sameBoot = this.#state.bootId === undefined || this.#state.bootId === bootId;
    if (!sameBoot) this.notes.push('the machine rebooted since the last daemon: no recorded process is adopted');
    if (bootId !== undefined) this.#state.bootId = bootId;
    this.#state.daemonPid = this.ports.pid;
    await state.save(this.#state);
    return this.#revision ? this.#recover(this.#revision.plan, sameBoot) : [];
  }

  /**
   * state.json says nothing is applied (deleted, or never written) while
   * agents of this state directory still run: it was lost, not emptied by
   * `down`. Start a new state from the newest revision, as for a corrupt
   * file, so recovery adopts them instead of the next apply starting copies.
   */
  async #reclaimLost(): Promise<void> {
    const { state, revisions, processes } = this.ports;
    const newest = await revisions.latest();
    if (!newest || (await processes.marked()).size === 0) return;
    const rebuilt = await state.rebuild({ serial: Math.max(newest.number, this.#state.serial), appliedRevision: newest.number });
    this.#state = rebuilt.state;
    this.notes.push(`state.json named no applied revision but agents of this state directory still run; recovering revision ${newest.number}`);
  }

  async #recover(plan: Plan, sameBoot: boolean): Promise<string[]> {
    const engine = this.#ensureEngine(plan);
    const { processes } = this.ports;
    const decisions = await decideRecovery({
      plan,
      state: this.#state,
      sameBoot,
      marked: await processes.marked(),
      isSameProcess: (pid, start) => processes.isSameProcess(pid, start),
    });
    const restart: string[] = [];
    const idle: string[] = [];
    for (const [name, d] of decisions) {
      if (d.kind !== 'adopt') delete this.#state.agents[name];
      if (d.kind === 'adopt') {
        const startedAt = await processes.startedAt(d.pid);
        engine.adopt(name, d.pid, startedAt, d.restarts);
        this.#state.agents[name] ??= {
          pid: d.pid,
          startTime: d.startTime,
          spawnedAt: new Date(startedAt ?? this.ports.clock().getTime()).toISOString(),
          ...(d.restarts ? { restarts: d.restarts } : {}),
        };
        this.notes.push(`adopted ${name} (pid ${d.pid})${FOUND_BY[d.foundBy]}`);
      } else if (d.kind === 'completed') engine.markCompleted(name, d.at);
      else if (d.kind === 'restart') restart.push(name);
      else idle.push(name);
    }
    await this.#records.flush();
    // Not running and not to be restarted: say so, rather than leave them pending.
    if (idle.length > 0) await engine.stop(idle, 'not running when this daemon started');
    if (restart.length > 0) this.notes.push(`restarting ${restart.join(', ')}: they exited while no daemon was watching`);
    return restart;
  }

  #ensureEngine(plan: Plan): E {
    if (this.#engine) return this.#engine;
    const engine = this.ports.engine(plan);
    engine.onEvent((event) => {
      const spawned = event.type === 'agent-started' || event.type === 'agent-adopted';
      // Not status(): building every instance's status on each of n starts made a cold apply O(n²).
      const restarts = spawned ? engine.restartsOf(event.agent) : undefined;
      void this.#records.observe(event, restarts);
      for (const listener of this.#listeners) listener(event);
    });
    this.#engine = engine;
    return engine;
  }

  /** Subscribes to the engine's events (also those of an engine made later); returns unsubscribe. */
  onEvent(listener: (e: OrchestraEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The engine, once something was applied or recovered. */
  get engine(): E | undefined {
    return this.#engine;
  }

  /** The revision applied now. */
  get applied(): Revision | undefined {
    return this.#revision;
  }

  /** What `plan` needs to compute a diff against what is applied. */
  planState(): PlanState {
    const out: PlanState = { lineage: this.#state.lineage, serial: this.#state.serial, observed: this.observed() };
    if (this.#revision) out.applied = this.#revision;
    return out;
  }

  /** The engine's view of every instance, as the planner reads it. */
  observed(): ObservedAgent[] {
    return (this.#engine?.status() ?? []).map((s) => {
      const o: ObservedAgent = { name: s.name, state: s.state };
      if (s.pid !== undefined) o.pid = s.pid;
      return o;
    });
  }

  /** Converges to the requested plan; stores a revision when anything changed. Throws `stale-plan`. */
  async apply(request: ApplyRequest): Promise<ApplyOutcome> {
    if (request.expected) {
      const stale = checkSavedPlan(request.expected, this.#state);
      if (!stale.ok) throw new ReconcileError('stale-plan', stale.error.message, stale.error.hint);
    }
    const applied = this.#revision;
    const changes = diff(applied?.plan, request.plan, this.observed(), {
      applied: new Map(Object.entries(applied?.envFileHashes ?? {})),
      desired: new Map(Object.entries(request.envFileHashes)),
    });
    if (!changes.changes) return { kind: 'unchanged', changes, serial: this.#state.serial };
    const engine = this.#ensureEngine(request.plan);
    const execution = await executeChanges(engine, request.plan, changes);
    const revision = await this.ports.revisions.write(
      {
        plan: request.plan,
        changeSet: changes,
        envFileHashes: new Map(Object.entries(request.envFileHashes)),
        time: this.ports.clock(),
        ...(request.rollbackOf !== undefined ? { rollbackOf: request.rollbackOf } : {}),
      },
      { atLeast: (this.#state.appliedRevision ?? 0) + 1 },
    );
    this.#revision = revision;
    this.#state = { ...markApplied(this.#state, revision.number), agents: this.#state.agents };
    await this.#records.settle();
    return { kind: 'applied', changes, serial: this.#state.serial, revision, execution };
  }

  /** Agent or instance names to instance names; throws `unknown-agent` with a suggestion. */
  resolveNames(names: readonly string[]): string[] {
    const instances = this.#revision?.plan.instances ?? [];
    const out: string[] = [];
    for (const name of names) {
      const matches = instances.filter((i) => i.name === name || i.agent === name).map((i) => i.name);
      if (matches.length === 0) {
        const candidates = [...new Set(instances.flatMap((i) => [i.name, i.agent]))];
        const suggestion = didYouMean(name, candidates);
        throw new ReconcileError('unknown-agent', `unknown agent "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
      }
      out.push(...matches.filter((m) => !out.includes(m)));
    }
    return out;
  }

  #engineOrFail(): E {
    if (!this.#engine) throw new ReconcileError('nothing-applied', 'nothing has been applied yet; run orchestra apply first');
    return this.#engine;
  }

  /**
   * start | stop | restart of some instances, or of all in (reverse)
   * dependency order. Resolves when they settle, or after `timeoutMs` with
   * `settled: false` (an agent may wait on a dependency for a long time).
   */
  async control(action: 'start' | 'stop' | 'restart', names: readonly string[] | 'all', timeoutMs = 60_000): Promise<ControlOutcome> {
    const engine = this.#engineOrFail();
    const targets = names === 'all' ? engine.startOrder() : this.resolveNames(names);
    const work =
      action === 'start'
        ? engine.start(targets)
        : action === 'stop'
          ? engine.stop(targets, 'manual stop')
          : engine.restart(targets, 'requested');
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      work.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    // Callers read state.json next (tests, scripts): make it match what just happened.
    await this.#records.settle();
    return { agents: targets, settled };
  }

  /**
   * Reloads these instances in place (pid kept), or with 'all' every instance
   * that has a `reload`. A reload that fails is reported, the others still happen.
   */
  async reload(names: readonly string[] | 'all'): Promise<ReloadOutcome> {
    const engine = this.#engineOrFail();
    const targets = names === 'all' ? engine.reloadable() : this.resolveNames(names);
    const outcomes = await engine.reload(targets);
    return {
      agents: targets,
      reloaded: outcomes.filter((o) => o.ok).map((o) => o.name),
      failed: outcomes.flatMap((o) => (o.ok ? [] : [{ name: o.name, reason: o.reason ?? 'failed' }])),
    };
  }

  /** Emergency stop: SIGKILL every process tree at once. */
  async kill(): Promise<void> {
    await this.#engineOrFail().kill();
  }

  /** Stops everything in reverse dependency order and forgets what was applied (revisions stay as history). */
  async down(): Promise<void> {
    if (this.#engine) {
      await this.#engine.stopAll('orchestra down');
      await this.#engine.dispose();
    }
    this.#engine = undefined;
    delete this.#state.daemonPid;
    // Nothing is applied any more: the next apply starts everything again.
    delete this.#state.appliedRevision;
    this.#revision = undefined;
    await this.#records.settle();
  }

  /** Lets go of the engine; agents keep running. */
  async close(): Promise<void> {
    await this.#engine?.dispose();
    await this.#records.settle();
  }
}
