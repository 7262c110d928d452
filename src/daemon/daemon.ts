/**
 * The daemon's core: owns the engine, the state file, the revisions and the
 * recent events of one project, and performs every state-changing operation
 * through one serial queue. It adopts the agents a previous daemon left
 * running. HTTP lives in routes.ts; this module never touches a socket.
 */

import { EventLog } from '../events/event-log.js';
import { makeEvent, type OrchestraEvent } from '../events/event.js';
import { didYouMean } from '../manifest/suggest.js';
import type { ChangeSet } from '../plan/change-set.js';
import { diff } from '../plan/diff.js';
import { checkStale } from '../plan/saved-plan.js';
import type { ObservedAgent } from '../plan/observed.js';
import type { Plan } from '../plan/spec.js';
import { executeChanges, type ExecutionOutcome } from '../reconcile/execute-changes.js';
import { notificationFor, notify, type Notification } from './notifier.js';
import { Engine } from '../supervise/engine.js';
import { processStartedAt } from '../supervise/procfs.js';
import { SerialQueue } from '../util/serial-queue.js';
import { ApiError } from './api-router.js';
import type { StatePaths } from './paths.js';
import { findMarkedProcesses } from './marker-scan.js';
import { decideRecovery } from './recovery.js';
import { PidRecords } from './pid-records.js';
import { currentBootId, isSameProcess } from './proc-start-time.js';
import { getRevision, latestRevision, writeRevision, type Revision } from './revisions.js';
import { buildSnapshot, type UsageHistory } from './snapshot-builder.js';
import type { StatusSnapshot } from '../report/status-snapshot.js';
import { loadState, markApplied, rebuildState, saveState, type State } from './state-store.js';

const RECENT_EVENTS = 200;
const HISTORY_SAMPLES = 90;

/** What an apply request carries. */
export interface ApplyRequest {
  plan: Plan;
  /** Desired env file hashes (absolute path → sha256), computed by the CLI from disk. */
  envFileHashes: Record<string, string>;
  /** A saved plan's stamp: refused when anything was applied since. */
  expected?: { lineage: string; serial: number };
  rollbackOf?: number;
}

export interface ApplyResult {
  changes: ChangeSet;
  revision?: number;
  serial: number;
  outcome?: ExecutionOutcome;
}

export class Daemon {
  readonly startedAt = new Date();
  readonly queue = new SerialQueue();
  #state!: State;
  #revision: Revision | undefined;
  #engine: Engine | undefined;
  readonly #events: OrchestraEvent[] = [];
  readonly #listeners = new Set<(e: OrchestraEvent) => void>();
  readonly #eventLog: EventLog;
  readonly #records: PidRecords;
  readonly #history: UsageHistory = { intervalMs: 2000, byInstance: new Map() };
  #historyTimer: NodeJS.Timeout | undefined;
  /** Notes for the daemon log: recovery decisions a human may want to read. */
  readonly notes: string[] = [];

  constructor(
    readonly paths: StatePaths,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.#eventLog = new EventLog(paths.events);
    this.#records = new PidRecords(paths.dir, () => this.#state);
  }

  /** Loads state and the applied revision, and adopts the agents that still run. */
  async init(): Promise<void> {
    const loaded = await loadState(this.paths.dir);
    if (loaded.ok) {
      this.#state = loaded.value.state;
    } else {
      // Keep history continuous: the newest revision is what was applied last.
      const newest = await latestRevision(this.paths.dir);
      const seed = newest ? { serial: newest.number, appliedRevision: newest.number } : {};
      const rebuilt = await rebuildState(this.paths.dir, seed);
      this.#state = rebuilt.state;
      this.notes.push(`${loaded.error.message}; started a new state (old file kept as ${rebuilt.preservedAs ?? 'nothing'})`);
    }
    if (this.#state.appliedRevision !== undefined) {
      const rev = await getRevision(this.paths.dir, this.#state.appliedRevision);
      if (rev.ok) this.#revision = rev.value;
      else this.notes.push(`applied revision ${this.#state.appliedRevision} is unreadable: ${rev.error}`);
    }
    const bootId = await currentBootId();
    // Start times from another boot mean nothing: every record is stale after a reboot.
    const sameBoot = this.#state.bootId === undefined || this.#state.bootId === bootId;
    if (!sameBoot) this.notes.push('the machine rebooted since the last daemon: no recorded process is adopted');
    if (bootId !== undefined) this.#state.bootId = bootId;
    this.#state.daemonPid = process.pid;
    await saveState(this.paths.dir, this.#state);
    if (this.#revision) await this.#recover(this.#revision.plan, sameBoot);
  }

  /** Adopts what still runs, marks completed oneshots, restarts what died unwatched (see recovery.ts). */
  async #recover(plan: Plan, sameBoot: boolean): Promise<void> {
    const engine = this.#ensureEngine(plan);
    const decisions = await decideRecovery({
      plan,
      state: this.#state,
      sameBoot,
      marked: await findMarkedProcesses(this.paths.dir),
      isSameProcess,
    });
    const restart: string[] = [];
    const idle: string[] = [];
    for (const [name, d] of decisions) {
      if (d.kind !== 'adopt') delete this.#state.agents[name];
      switch (d.kind) {
        case 'adopt': {
          const startedAt = await processStartedAt(d.pid);
          engine.adopt(name, d.pid, startedAt, d.restarts);
          this.#state.agents[name] ??= {
            pid: d.pid,
            startTime: d.startTime,
            spawnedAt: new Date(startedAt ?? Date.now()).toISOString(),
            ...(d.restarts ? { restarts: d.restarts } : {}),
          };
          this.notes.push(`adopted ${name} (pid ${d.pid})${d.foundBy === 'marker' ? ' found by its environment marker' : ''}`);
          break;
        }
        case 'completed':
          engine.markCompleted(name, d.at);
          break;
        case 'restart':
          restart.push(name);
          break;
        case 'idle':
          idle.push(name);
          break;
      }
    }
    await this.#records.flush();
    // Not running and not to be restarted: say so, rather than leave them pending.
    if (idle.length > 0) await engine.stop(idle, 'not running when this daemon started');
    if (restart.length > 0) {
      this.notes.push(`restarting ${restart.join(', ')}: they exited while no daemon was watching`);
      void this.queue.run(() => engine.start(restart));
    }
  }

  #ensureEngine(plan: Plan): Engine {
    if (this.#engine) return this.#engine;
    const engine = new Engine(plan, { stateDir: this.paths.dir });
    engine.onEvent((event) => this.#onEvent(event));
    this.#engine = engine;
    this.#history.intervalMs = plan.monitor.intervalMs;
    this.#historyTimer = setInterval(() => this.#sampleHistory(), plan.monitor.intervalMs);
    this.#historyTimer.unref();
    return engine;
  }

  #onEvent(event: OrchestraEvent): void {
    this.#eventLog.append(event);
    this.#events.push(event);
    if (this.#events.length > RECENT_EVENTS) this.#events.splice(0, this.#events.length - RECENT_EVENTS);
    const spawned = event.type === 'agent-started' || event.type === 'agent-adopted';
    const restarts = spawned ? this.#engine?.status().find((st) => st.name === event.agent)?.restarts : undefined;
    void this.#records.observe(event, restarts);
    for (const listener of this.#listeners) listener(event);
    const plan = this.#revision?.plan;
    const notification = plan ? notificationFor(event, plan.name) : undefined;
    if (notification) this.#send(notification);
  }

  #send(notification: Notification): void {
    void notify(this.#revision?.plan, notification).then((error) => {
      if (!error) return;
      this.log(`notify (${notification.kind}) failed: ${error.message}`);
      // Shown where people look (events, dashboard), never fatal.
      this.#onEvent(makeEvent(Date.now(), { type: 'notify-failed', kind: notification.kind, reason: error.message, message: `notify (${notification.kind}) failed: ${error.message}` }));
    });
  }

  /** Reports a manifest change that was refused (an invalid edit seen by `apply --watch`). */
  rejected(message: string, diagnostics: unknown[]): void {
    const plan = this.#revision?.plan;
    this.#send({
      kind: 'rejected',
      project: plan?.name ?? 'orchestra',
      time: new Date().toISOString(),
      message,
      details: { diagnostics },
    });
  }

  #sampleHistory(): void {
    for (const { name, usage } of this.#engine?.usages() ?? []) {
      let h = this.#history.byInstance.get(name);
      if (!h) this.#history.byInstance.set(name, (h = { cpu: [], rss: [] }));
      h.cpu.push(usage?.cpu ?? 0);
      h.rss.push(usage?.rss ?? 0);
      if (h.cpu.length > HISTORY_SAMPLES) (h.cpu.shift(), h.rss.shift());
    }
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (e: OrchestraEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** What `plan` needs to compute a diff against this daemon. */
  planState(): { lineage: string; serial: number; applied?: Revision; observed: ObservedAgent[] } {
    const out: ReturnType<Daemon['planState']> = {
      lineage: this.#state.lineage,
      serial: this.#state.serial,
      observed: this.observed(),
    };
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

  /** Diffs and converges to the requested plan; stores a revision when anything changed. */
  apply(request: ApplyRequest): Promise<ApplyResult> {
    return this.queue.run(async () => {
      const expected = request.expected;
      // A plan saved before anything was applied stays valid until the first apply.
      const beforeFirstApply = expected?.serial === 0 && this.#state.serial === 0;
      if (expected && !beforeFirstApply) {
        const stale = checkStale(expected, this.#state);
        if (!stale.ok) throw new ApiError(409, stale.error.message, { hint: stale.error.hint });
      }
      const applied = this.#revision;
      const changes = diff(applied?.plan, request.plan, this.observed(), {
        applied: new Map(Object.entries(applied?.envFileHashes ?? {})),
        desired: new Map(Object.entries(request.envFileHashes)),
      });
      if (!changes.changes) return { changes, serial: this.#state.serial };
      const engine = this.#ensureEngine(request.plan);
      const outcome = await executeChanges(engine, request.plan, changes);
      const revisionInput: Parameters<typeof writeRevision>[1] = {
        plan: request.plan,
        changeSet: changes,
        envFileHashes: new Map(Object.entries(request.envFileHashes)),
        time: new Date(),
      };
      if (request.rollbackOf !== undefined) revisionInput.rollbackOf = request.rollbackOf;
      const revision = await writeRevision(this.paths.dir, revisionInput, {
        atLeast: (this.#state.appliedRevision ?? 0) + 1,
      });
      this.#revision = revision;
      this.#state = { ...markApplied(this.#state, revision.number), agents: this.#state.agents };
      await this.#records.settle();
      this.#send({
        kind: 'applied',
        project: request.plan.name,
        time: revision.time,
        message: `revision ${revision.number} applied: ${revision.summary.text}`,
        details: { revision: revision.number, counts: revision.summary.counts, failed: outcome.failed },
      });
      return { changes, revision: revision.number, serial: this.#state.serial, outcome };
    });
  }

  /** Resolves agent or instance names to instance names; unknown names are a 404 with a suggestion. */
  resolveNames(names: readonly string[]): string[] {
    const instances = this.#revision?.plan.instances ?? [];
    const out: string[] = [];
    for (const name of names) {
      const matches = instances.filter((i) => i.name === name || i.agent === name).map((i) => i.name);
      if (matches.length === 0) {
        const candidates = [...new Set(instances.flatMap((i) => [i.name, i.agent]))];
        const suggestion = didYouMean(name, candidates);
        throw new ApiError(404, `unknown agent "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`);
      }
      out.push(...matches.filter((m) => !out.includes(m)));
    }
    return out;
  }

  #engineOrFail(): Engine {
    if (!this.#engine) throw new ApiError(409, 'nothing has been applied yet; run orchestra apply first');
    return this.#engine;
  }

  /**
   * start | stop | restart of some instances, or of all in (reverse)
   * dependency order. Resolves when they settle, or after `timeoutMs` with
   * `settled: false` (an agent may wait on a dependency for a long time), so
   * one slow operation never holds the queue for good.
   */
  control(
    action: 'start' | 'stop' | 'restart',
    names: string[] | 'all',
    timeoutMs = 60_000,
  ): Promise<{ agents: string[]; settled: boolean }> {
    return this.queue.run(async () => {
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
    });
  }

  /**
   * Reloads these instances in place (pid kept), or with 'all' every instance
   * that has a `reload`. A reload that fails is reported, the others still happen.
   */
  reload(names: string[] | 'all'): Promise<{ agents: string[]; reloaded: string[]; failed: { name: string; reason: string }[] }> {
    return this.queue.run(async () => {
      const engine = this.#engineOrFail();
      const targets = names === 'all' ? engine.reloadable() : this.resolveNames(names);
      const outcomes = await engine.reload(targets);
      return {
        agents: targets,
        reloaded: outcomes.filter((o) => o.ok).map((o) => o.name),
        failed: outcomes.flatMap((o) => (o.ok ? [] : [{ name: o.name, reason: o.reason ?? 'failed' }])),
      };
    });
  }

  /** Emergency stop: SIGKILL every process tree at once, ahead of anything queued. */
  async kill(): Promise<void> {
    await this.#engineOrFail().kill();
  }

  /** Stops everything in reverse dependency order and forgets the engine (the caller then exits). */
  down(): Promise<void> {
    return this.queue.run(async () => {
      if (this.#engine) {
        await this.#engine.stopAll('orchestra down');
        await this.#engine.dispose();
      }
      this.#engine = undefined;
      delete this.#state.daemonPid;
      // Nothing is applied any more: the next apply starts everything again (revisions stay as history).
      delete this.#state.appliedRevision;
      this.#revision = undefined;
      await this.#records.flush();
    });
  }

  /** The whole fleet now. */
  snapshot(): StatusSnapshot {
    const input: Parameters<typeof buildSnapshot>[0] = {
      now: new Date(),
      project: this.#revision?.plan.name ?? 'orchestra',
      status: this.#engine?.status() ?? [],
      events: this.#events.slice(-50),
      history: this.#history,
      daemon: { pid: process.pid, startedAt: this.startedAt.toISOString() },
    };
    if (this.#revision) (input.plan = this.#revision.plan), (input.revision = this.#revision);
    return buildSnapshot(input);
  }

  /** Whether anything has been applied (so there is something to show). */
  hasPlan(): boolean {
    return this.#revision !== undefined;
  }

  /** Recent events, oldest first. */
  recentEvents(): readonly OrchestraEvent[] {
    return this.#events;
  }

  /** Stops timers and closes files; agents keep running. */
  async close(): Promise<void> {
    if (this.#historyTimer) clearInterval(this.#historyTimer);
    await this.#engine?.dispose();
    this.#eventLog.close();
  }
}
