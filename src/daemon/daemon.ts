/**
 * The daemon's core: wires the Reconciler (src/reconcile) to the real
 * engine, stores and /proc, runs every state-changing call through one
 * serial queue, and keeps what only a long-lived process has: recent events,
 * the event log, usage history (a point per full monitor round, recorded
 * by the round itself: no timer of its own) and notifications. HTTP lives in routes.ts;
 * this module never touches a socket.
 */

import { readRecentEvents } from './event-history.js';
import { EventLog } from '../events/event-log.js';
import { makeEvent, type OrchestraEvent } from '../events/event.js';
import type { ApplyOutcome, ApplyRequest, ControlOutcome, PlanState, ReloadOutcome } from '../reconcile/outcomes.js';
import { Reconciler } from '../reconcile/reconciler.js';
import type { ReconcilerPorts } from '../reconcile/ports.js';
import type { Plan } from '../plan/spec.js';
import { notificationFor, notify, type Notification } from './notifier.js';
import { Engine } from '../supervise/engine.js';
import { processStartedAt } from '../supervise/procfs.js';
import { SerialQueue } from '../util/serial-queue.js';
import type { StatePaths } from './paths.js';
import { findAgentProcesses } from './marker-scan.js';
import { currentBootId, isSameProcess, procStartTime } from './proc-start-time.js';
import { getRevision, latestRevision, writeRevision } from './revisions.js';
import { buildSnapshot } from './snapshot-builder.js';
import { recordUsages, type UsageHistory } from './usage-history.js';
import type { StatusSnapshot } from '../report/status-snapshot.js';
import { loadState, rebuildState, saveState } from './state-store.js';

export type { ApplyRequest } from '../reconcile/outcomes.js';

const RECENT_EVENTS = 200;
const HISTORY_SAMPLES = 90;

/** The real ports of a Reconciler working on one state directory. */
export function reconcilerPorts(paths: StatePaths, onEngine: (engine: Engine, plan: Plan) => void = () => undefined): ReconcilerPorts<Engine> {
  const dir = paths.dir;
  return {
    engine: (plan) => {
      const engine = new Engine(plan, { paths });
      onEngine(engine, plan);
      return engine;
    },
    revisions: {
      get: (n) => getRevision(dir, n),
      latest: () => latestRevision(dir),
      write: (input, options) => writeRevision(dir, input, options),
    },
    state: {
      load: async () => {
        const loaded = await loadState(dir);
        return loaded.ok ? { ok: true, value: loaded.value.state } : loaded;
      },
      save: (state, options) => saveState(dir, state, { createDir: false, ...options }),
      rebuild: (seed) => rebuildState(dir, seed),
    },
    processes: {
      bootId: currentBootId,
      marked: () => findAgentProcesses(paths),
      isSameProcess,
      startTimeOf: procStartTime,
      startedAt: processStartedAt,
    },
    clock: () => new Date(),
    pid: process.pid,
  };
}

export class Daemon {
  readonly startedAt = new Date();
  readonly queue = new SerialQueue();
  readonly reconciler: Reconciler<Engine>;
  readonly #events: OrchestraEvent[] = [];
  readonly #listeners = new Set<(e: OrchestraEvent) => void>();
  readonly #eventLog: EventLog;
  readonly #history: UsageHistory = { intervalMs: 10_000, byInstance: new Map() };
  readonly #roundListeners = new Set<(watched: boolean) => void>();
  readonly #operationEndListeners = new Set<() => Promise<void>>();
  /** Notes for the daemon log: recovery decisions a human may want to read. */
  readonly notes: string[];

  constructor(
    readonly paths: StatePaths,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.#eventLog = new EventLog(paths.events);
    this.reconciler = new Reconciler(reconcilerPorts(paths, (engine) => this.#followRounds(engine)));
    this.notes = this.reconciler.notes;
    this.reconciler.onEvent((event) => this.#onEvent(event));
  }

  /** Loads state and the applied revision, adopts the agents that still run, restarts those that died unwatched. */
  async init(): Promise<void> {
    // What happened before this daemon started, shown as such (snapshot-builder marks events older than the daemon).
    this.#events.push(...(await readRecentEvents(this.paths.events, RECENT_EVENTS)));
    const restart = await this.reconciler.init();
    // Nobody awaits this restart: a failure goes to the daemon log rather than an unhandled rejection.
    if (restart.length > 0) this.queue.run(() => this.reconciler.engine!.start(restart)).catch((e: unknown) => this.log(`restart after recovery failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Each full round of a new engine records the sparklines' points, then tells the daemon's own listeners (the page writer). */
  #followRounds(engine: Engine): void {
    this.#history.intervalMs = engine.usageIntervalMs();
    delete this.#history.lastAt;
    engine.onUsageRound((at, watched) => {
      recordUsages(this.#history, engine.usages(), HISTORY_SAMPLES, at);
      // A listener's failure goes to the daemon log: it must not become the monitor's (an unhandled rejection).
      for (const listener of this.#roundListeners) {
        try {
          listener(watched);
        } catch (e) {
          this.log(`after a monitor round: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    });
  }

  #onEvent(event: OrchestraEvent): void {
    this.#eventLog.append(event);
    this.#events.push(event);
    if (this.#events.length > RECENT_EVENTS) this.#events.splice(0, this.#events.length - RECENT_EVENTS);
    for (const listener of this.#listeners) listener(event);
    const plan = this.reconciler.applied?.plan;
    const notification = plan ? notificationFor(event, plan.name) : undefined;
    if (notification) this.#send(notification);
  }


  #send(notification: Notification): void {
    void notify(this.reconciler.applied?.plan, notification).then((error) => {
      if (!error) return;
      this.log(`notify (${notification.kind}) failed: ${error.message}`);
      // Shown where people look (events, dashboard), never fatal.
      this.#onEvent(makeEvent(Date.now(), { type: 'notify-failed', kind: notification.kind, reason: error.message, message: `notify (${notification.kind}) failed: ${error.message}` }));
    });
  }

  /** Reports a manifest change that was refused (an invalid edit seen by `apply --watch`). */
  rejected(message: string, diagnostics: unknown[]): void {
    const plan = this.reconciler.applied?.plan;
    this.#send({
      kind: 'rejected',
      project: plan?.name ?? 'orchestra',
      time: new Date().toISOString(),
      message,
      details: { diagnostics },
    });
  }

  /** Runs `listener` after each full monitor round, once its sparkline points are recorded, with whether someone watches usage; returns the unsubscribe function. */
  onUsageRound(listener: (watched: boolean) => void): () => void {
    this.#roundListeners.add(listener);
    return () => this.#roundListeners.delete(listener);
  }

  /**
   * Runs `listener` after each operation (apply, start, stop, restart, reload, kill) and before its caller
   * hears the outcome, so what the listener writes (the status page) is current when the command returns;
   * returns the unsubscribe function.
   */
  onOperationEnd(listener: () => Promise<void>): () => void {
    this.#operationEndListeners.add(listener);
    return () => this.#operationEndListeners.delete(listener);
  }

  /** Runs `task`, then the operation-end listeners, whether it succeeded or not (a failed operation has events too). */
  async #operation<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      const after = [...this.#operationEndListeners].map((listener) =>
        listener().catch((e: unknown) => this.log(`after an operation: ${e instanceof Error ? e.message : String(e)}`)),
      );
      await Promise.all(after);
    }
  }

  /** An operation that waits its turn in the serial queue. */
  #queuedOperation<T>(task: () => Promise<T>): Promise<T> {
    return this.#operation(() => this.queue.run(task));
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (e: OrchestraEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** What `plan` needs to compute a diff against this daemon. */
  planState(): PlanState {
    return this.reconciler.planState();
  }

  /** Converges to the requested plan through the queue, then tells `notify:` about a new revision. */
  apply(request: ApplyRequest): Promise<ApplyOutcome> {
    return this.#queuedOperation(async () => {
      const outcome = await this.reconciler.apply(request);
      if (outcome.kind === 'applied') {
        const { revision, execution } = outcome;
        this.#send({
          kind: 'applied',
          project: request.plan.name,
          time: revision.time,
          message: `revision ${revision.number} applied: ${revision.summary.text}`,
          details: { revision: revision.number, counts: revision.summary.counts, failed: execution.failed },
        });
      }
      return outcome;
    });
  }

  /** start | stop | restart through the queue (see Reconciler.control). */
  control(action: 'start' | 'stop' | 'restart', names: string[] | 'all', timeoutMs?: number): Promise<ControlOutcome> {
    return this.#queuedOperation(() => this.reconciler.control(action, names, timeoutMs));
  }

  /**
   * Reloads these instances in place (pid kept), or with 'all' every instance
   * that has a `reload`. A reload that fails is reported, the others still happen.
   */
  reload(names: string[] | 'all'): Promise<ReloadOutcome> {
    return this.#queuedOperation(() => this.reconciler.reload(names));
  }

  /** Emergency stop: SIGKILL every process tree at once, ahead of anything queued. */
  kill(): Promise<void> {
    return this.#operation(() => this.reconciler.kill());
  }

  /** Stops everything in reverse dependency order and forgets the engine (the caller then exits). */
  down(): Promise<void> {
    return this.queue.run(() => this.reconciler.down());
  }

  /** The whole fleet now. */
  snapshot(): StatusSnapshot {
    const revision = this.reconciler.applied;
    const input: Parameters<typeof buildSnapshot>[0] = {
      now: new Date(),
      project: revision?.plan.name ?? 'orchestra',
      status: this.reconciler.engine?.status() ?? [],
      events: this.#events.slice(-50),
      history: this.#history,
      daemon: { pid: process.pid, startedAt: this.startedAt.toISOString() },
    };
    if (revision) (input.plan = revision.plan), (input.revision = revision);
    const boundary = this.reconciler.engine?.boundaryInfo();
    if (boundary) input.boundary = boundary;
    return buildSnapshot(input);
  }

  /**
   * The whole fleet now, for someone looking at it (`status`, the dashboard):
   * the fleet counts as watched; usage older than one usage step (after a
   * stretch nobody watched) is refreshed before the answer, usage older than
   * the monitor interval for the next look.
   */
  async snapshotForViewer(): Promise<StatusSnapshot> {
    await this.reconciler.engine?.lookedAtUsage();
    return this.snapshot();
  }

  /** Someone watches usage until the returned function is called (an open dashboard stream): rounds come at the watched step meanwhile. */
  watchUsage(): () => void {
    return this.reconciler.engine?.watchUsage() ?? (() => undefined);
  }

  /** Whether anything has been applied (so there is something to show). */
  hasPlan(): boolean {
    return this.reconciler.applied !== undefined;
  }

  /** Recent events, oldest first. */
  recentEvents(): readonly OrchestraEvent[] {
    return this.#events;
  }

  /** Stops timers and closes files; agents keep running. */
  async close(): Promise<void> {
    await this.reconciler.close();
    this.#eventLog.close();
  }
}
