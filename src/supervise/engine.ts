/**
 * The supervision engine: owns every instance of a Plan and is the one
 * entry point to them: start, stop, restart, reload, kill, plan updates,
 * adoption, status. The order of it all (who may launch, whom a change
 * wakes, stop and restart levels) is dependency-order.ts's; the periodic
 * side is the monitor's. Emits events and never prints. Hosted by the
 * daemon's runtime (also under `orchestra up` and the library's Fleet), so it
 * holds no global state and `dispose()` leaves processes running.
 */

import { mkdirSync } from 'node:fs';
import { makeEvent, type EventInput, type OrchestraEvent } from '../events/event.js';
import { maskDeep, secretValues } from '../plan/secrets.js';
import type { AgentSpec, Plan } from '../plan/spec.js';
import { systemClock, type Clock } from './clock.js';
import { DependencyOrder } from './dependency-order.js';
import { Instance, type InstanceHost } from './instance.js';
import { Monitor } from './monitor.js';
import { unwatchedTiming, type UnwatchedTiming } from './usage-cadence.js';
import { canReload } from './reload.js';
import { procSampler, type Sampler, type Usage } from './sampler.js';
import { statusOf, type AgentStatus } from './status.js';
import { clearBoundary, killBoundaries } from './stop.js';
import type { SupervisionPaths } from './supervision-paths.js';
import { chooseBoundary, type BoundaryInfo, type ProjectBoundary } from './boundary.js';

export type { AgentStatus } from './status.js';

export interface EngineOptions {
  /** The places under the state directory it uses, from their owner (src/daemon/paths.ts `statePaths`). */
  paths: SupervisionPaths;
  clock?: Clock;
  sampler?: Sampler;
  /** What agents inherit (default: a copy of process.env taken now; a plain object is much cheaper to read per spawn). */
  baseEnv?: Record<string, string | undefined>;
  random?: () => number;
  /** How often log sizes are checked for rotation (default 1000 ms). */
  logCheckMs?: number;
  /** The project's boundary (default: cgroup v2 where it can be created, else the process tree; see boundary.ts). */
  boundary?: ProjectBoundary;
  /** CPU from the boundary's counter where it has one (default: only without an injected sampler; tests wrapping the real one say true). */
  cpuFromBoundary?: boolean;
  /** How long a look keeps usage watched and how often full rounds come unwatched (default: usage-cadence.ts, or its variable). */
  unwatched?: UnwatchedTiming;
}

const SETTLED = new Set(['running', 'exited', 'failed', 'blocked', 'stopped']);

export class Engine {
  #plan: Plan;
  readonly #order: DependencyOrder;
  readonly #instances = new Map<string, Instance>();
  readonly #listeners = new Set<(e: OrchestraEvent) => void>();
  readonly #waiters = new Set<() => void>();
  readonly #clock: Clock;
  readonly #host: InstanceHost;
  readonly #monitor: Monitor;
  readonly #sampler: Sampler;
  readonly #boundary: ProjectBoundary;
  #secrets: string[];

  constructor(plan: Plan, options: EngineOptions) {
    this.#plan = plan;
    this.#clock = options.clock ?? systemClock;
    this.#sampler = options.sampler ?? procSampler();
    this.#order = new DependencyOrder(plan.instances, { get: (n) => this.#get(n), find: (n) => this.#instances.get(n), survey: () => this.#boundary.survey() });
    this.#secrets = secretValues(plan.instances);
    this.#boundary = options.boundary ?? chooseBoundary(options.paths);
    // Agents' output may hold anything they print, secrets included: owner only.
    mkdirSync(options.paths.logs, { recursive: true, mode: 0o700 });
    this.#host = {
      clock: this.#clock,
      random: options.random ?? Math.random,
      paths: options.paths,
      baseEnv: options.baseEnv ?? { ...process.env },
      boundary: this.#boundary,
      emit: (e) => this.#emit(e),
      changed: (i) => this.#changed(i),
      restarting: (i, reason) => this.#order.restartDependents(i, reason),
      relaunch: (i) => this.#order.launch(i),
      treeLastSeen: (i) => this.#monitor.treeLastSeen(i),
    };
    for (const spec of plan.instances) this.#instances.set(spec.name, new Instance(spec, this.#host));
    this.#monitor = new Monitor(
      { clock: this.#clock, sampler: this.#sampler, emit: (e) => this.#emit(e), instances: () => this.#instances.values() },
      // A sampler handed in (tests) is the only source of figures; the default one leaves CPU to the cgroup's counter where there is one.
      { intervalMs: plan.monitor.intervalMs, logCheckMs: options.logCheckMs ?? 1000, cpuFromBoundary: options.cpuFromBoundary ?? options.sampler === undefined, unwatched: options.unwatched ?? unwatchedTiming() },
    );
    this.#monitor.start();
  }

  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (e: OrchestraEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: EventInput): void {
    const full = maskDeep(makeEvent(this.#clock.now(), event), this.#secrets);
    for (const l of this.#listeners) l(full);
  }

  #get(name: string): Instance {
    const i = this.#instances.get(name);
    if (!i) throw new Error(`Internal error: unknown instance ${name}`);
    return i;
  }

  /** Starts every instance in dependency order; resolves when all have settled. */
  startAll(): Promise<void> {
    return this.start(this.#plan.instances.map((i) => i.name));
  }

  /** Starts these instances; their dependencies must run or be started too. Resolves when they have settled. */
  async start(names: string[]): Promise<void> {
    for (const n of this.#order.ordered(names)) {
      const i = this.#get(n);
      if (i.pid === undefined && i.state.name !== 'backoff') this.#order.launch(i);
    }
    await this.#settled(names);
  }

  #settled(names: readonly string[]): Promise<void> {
    const done = (): boolean => names.every((n) => SETTLED.has(this.#get(n).state.name));
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (done()) (this.#waiters.delete(check), resolve());
      };
      this.#waiters.add(check);
    });
  }

  /** After any state change: wake dependents whose conditions may now hold (or now never will), and settle waiters. */
  #changed(i: Instance): void {
    this.#monitor.changed(i);
    this.#order.wake(i);
    for (const w of [...this.#waiters]) w();
  }

  /**
   * Stops these instances for good, in reverse dependency order. Each level
   * shares one /proc read and is signalled in one tick; the next level starts
   * once every tree of this one is gone.
   */
  stop(names: string[], reason = 'manual stop'): Promise<void> {
    return this.#order.stop(names, reason);
  }

  /** Stops every instance in reverse dependency order. */
  stopAll(reason = 'manual stop'): Promise<void> {
    return this.stop([...this.#instances.keys()], reason);
  }

  /** Restarts these instances (stop, then start once dependencies hold); resolves when they have settled. */
  async restart(names: string[], reason: string): Promise<void> {
    await this.#settled(await this.#order.restart(names, reason));
  }

  /** Reloads these instances in place (pid kept), all at once; the outcome of each, in the order given. */
  async reload(names: string[]): Promise<{ name: string; ok: boolean; reason?: string }[]> {
    return Promise.all(
      names.map(async (name) => {
        const outcome = await this.#get(name).reload();
        return outcome.ok ? { name, ok: true } : { name, ok: false, reason: outcome.reason };
      }),
    );
  }

  /** The instances that can be reloaded (they have `reload.signal` or `reload.command`). */
  reloadable(): string[] {
    return [...this.#instances.values()].filter((i) => canReload(i.spec)).map((i) => i.name);
  }

  /** Emergency stop: SIGKILL every boundary at once, also of instances whose main process is gone but left something behind. */
  async kill(): Promise<void> {
    const targets = [];
    const agents: string[] = [];
    const rest: Instance[] = [];
    for (const i of this.#instances.values()) {
      const t = i.beginKill('emergency stop');
      if (t) (targets.push(t), agents.push(i.name));
      else rest.push(i);
    }
    const survey = this.#boundary.survey();
    const [killed, ...cleared] = await Promise.all([killBoundaries(targets, survey), ...rest.map((i) => clearBoundary(i.boundary, survey))]);
    const survivors = [...killed!, ...cleared.flat()];
    await Promise.all(targets.map((t) => t.exited));
    for (const i of this.#instances.values()) i.boundary.release();
    this.#emit({ type: 'emergency-stop', agents, survivors, message: `emergency stop: killed ${agents.length} agent(s)` });
  }

  /** Replaces the specs; supervision fields apply in place. New instances stay pending; removed ones are kept until stopped. */
  updatePlan(plan: Plan): void {
    this.#plan = plan;
    const specs = new Map<string, AgentSpec>(plan.instances.map((s) => [s.name, s]));
    for (const spec of plan.instances) {
      const existing = this.#instances.get(spec.name);
      if (existing) (existing.replaceSpec(spec), this.#monitor.renice(existing));
      else this.#instances.set(spec.name, new Instance(spec, this.#host));
    }
    for (const [name, i] of this.#instances) {
      if (!specs.has(name) && i.pid === undefined && i.state.name !== 'backoff') (i.dispose(), this.#instances.delete(name));
    }
    this.#order.replan([...this.#instances.values()].map((i) => i.spec));
    this.#secrets = secretValues([...this.#instances.values()].map((i) => i.spec));
    this.#emit({ type: 'plan-updated', instances: plan.instances.length, message: `plan updated (${plan.instances.length} instances)` });
  }

  /**
   * Watches an already-running process as this instance (after a daemon
   * restart); its exit code will be unknown. `startedAt` (ms since epoch, see
   * `processStartedAt`) makes its uptime count from the real start.
   */
  adopt(name: string, pid: number, startedAt?: number, restarts?: number): void {
    this.#get(name).adopt(pid, startedAt, restarts);
  }

  /**
   * Records that a oneshot completed under an earlier engine (a daemon
   * restart): the instance goes from `pending` straight to `exited` with
   * `completed: true`, without a process or an event of its own, so
   * dependents waiting on `completed` see the condition met.
   */
  markCompleted(name: string, at: number): void {
    this.#get(name).markCompleted(at);
  }

  /** Which boundary holds the agents, and for the fallback why. */
  boundaryInfo(): BoundaryInfo {
    return this.#boundary.info;
  }

  /** Live instances of this project found without any record (the cgroup tree or the spawn ledger), for recovery after state.json was lost. */
  findLive(): ReturnType<ProjectBoundary['find']> {
    return this.#boundary.find();
  }

  /** A snapshot of every instance, in manifest order. */
  status(): AgentStatus[] {
    const now = this.#clock.now();
    return [...this.#instances.values()].map((i) => statusOf(i, now, this.#monitor.observed(i)));
  }

  /** How often one instance was restarted, without building every status (the reconciler asks on each start). */
  restartsOf(name: string): number | undefined {
    return this.#instances.get(name)?.restarts.count;
  }

  /** Each instance's latest monitor figures (undefined before its first round, or without a process); far cheaper than status(). */
  usages(): { name: string; usage: Usage | undefined }[] {
    const out: { name: string; usage: Usage | undefined }[] = [];
    for (const i of this.#instances.values()) out.push({ name: i.name, usage: this.#monitor.usage(i) });
    return out;
  }

  /** The instance names in start order. */
  startOrder(): string[] {
    return this.#order.startOrder();
  }

  /** How often every instance's usage is refreshed while someone watches: the step of the sparklines' history. */
  usageIntervalMs(): number {
    return this.#monitor.usageEveryMs;
  }

  /** Runs `listener` after every full monitor round (every instance's usage fresh) with the clock ms it began and whether someone watches usage; returns the unsubscribe function. */
  onUsageRound(listener: (at: number, watched: boolean) => void): () => void {
    return this.#monitor.onFullRound(listener);
  }

  /** Someone is looking at usage (status, dashboard): resolves once figures are at most one usage step old; older than the monitor interval, they are refreshed for the next look. */
  lookedAtUsage(): Promise<void> {
    return this.#monitor.looked();
  }

  /** Someone watches usage until the returned function is called (an open dashboard stream). */
  watchUsage(): () => void {
    return this.#monitor.watch();
  }

  /** Runs one full monitor round now (tests). */
  sampleNow(): Promise<void> {
    return this.#monitor.sampleOnce();
  }

  /** Checks log sizes now. */
  rotateLogsNow(): Promise<void> {
    return this.#monitor.checkLogs();
  }

  /** Stops timers and probes; processes are left running (a daemon handing over, or a test cleaning up). */
  async dispose(): Promise<void> {
    this.#monitor.dispose();
    for (const i of this.#instances.values()) i.dispose();
    this.#sampler.close?.();
    this.#listeners.clear();
    // Removes only empty cgroups: a daemon handing over leaves running agents where they are.
    this.#boundary.cleanup();
  }
}
