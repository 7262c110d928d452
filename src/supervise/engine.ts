/**
 * The supervision engine: owns every instance of a Plan, starts them in
 * dependency order (event-driven: a dependent is launched from the state
 * change that satisfies it), stops them in reverse order, propagates
 * dependency restarts and blocks dependents of failures. Emits events and
 * never prints. Hosted by `orchestra up` now and by the daemon later, so it
 * holds no global state and `dispose()` leaves processes running.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeEvent, type EventInput, type OrchestraEvent } from '../events/event.js';
import { maskDeep, secretValues } from '../plan/secrets.js';
import { buildGraph, restartDependents, stopLevels, type DependencyGraph } from '../graph/graph.js';
import type { AgentSpec, Plan } from '../plan/spec.js';
import { systemClock, type Clock } from './clock.js';
import { conditionStatus } from './conditions.js';
import { Instance, type InstanceHost } from './instance.js';
import { Monitor } from './monitor.js';
import { canReload } from './reload.js';
import { procSampler, type Sampler, type Usage } from './sampler.js';
import { statusOf, type AgentStatus } from './status.js';
import { clearBoundary, killBoundaries } from './stop.js';
import type { SupervisionPaths } from './supervision-paths.js';
import { chooseBoundary, type BoundaryInfo, type ProjectBoundary, type Survey } from './boundary.js';

export type { AgentStatus } from './status.js';

export interface EngineOptions {
  /** The places under the state directory it uses, from their owner (src/daemon/paths.ts `statePaths`). */
  paths: SupervisionPaths;
  clock?: Clock;
  sampler?: Sampler;
  baseEnv?: Record<string, string | undefined>;
  random?: () => number;
  /** How often log sizes are checked for rotation (default 1000 ms). */
  logCheckMs?: number;
  /** The project's boundary (default: cgroup v2 where it can be created, else the process tree; see boundary.ts). */
  boundary?: ProjectBoundary;
}

const SETTLED = new Set(['running', 'exited', 'failed', 'blocked', 'stopped']);

export class Engine {
  #plan: Plan;
  #graph: DependencyGraph;
  readonly #instances = new Map<string, Instance>();
  readonly #listeners = new Set<(e: OrchestraEvent) => void>();
  readonly #waiters = new Set<() => void>();
  /** Instances whose restart has begun but who have not been relaunched yet: dependents wait for them. */
  readonly #restartPending = new Set<string>();
  readonly #clock: Clock;
  readonly #host: InstanceHost;
  readonly #monitor: Monitor;
  readonly #sampler: Sampler;
  readonly #boundary: ProjectBoundary;
  #secrets: string[];
  #ranks: Map<string, number> | undefined;

  constructor(plan: Plan, options: EngineOptions) {
    this.#plan = plan;
    this.#clock = options.clock ?? systemClock;
    this.#sampler = options.sampler ?? procSampler();
    this.#graph = buildGraph(plan.instances);
    this.#secrets = secretValues(plan.instances);
    this.#boundary = options.boundary ?? chooseBoundary(options.paths);
    // Agents' output may hold anything they print, secrets included: owner only.
    mkdirSync(options.paths.logs, { recursive: true, mode: 0o700 });
    this.#host = {
      clock: this.#clock,
      random: options.random ?? Math.random,
      paths: options.paths,
      baseEnv: options.baseEnv ?? process.env,
      boundary: this.#boundary,
      emit: (e) => this.#emit(e),
      changed: (i) => this.#changed(i),
      restarting: (i, reason) => this.#restartDependents(i, reason),
      relaunch: (i) => this.#launch(i),
      treeLastSeen: (i) => this.#monitor.treeLastSeen(i),
    };
    for (const spec of plan.instances) this.#instances.set(spec.name, new Instance(spec, this.#host));
    this.#monitor = new Monitor(
      { clock: this.#clock, sampler: this.#sampler, emit: (e) => this.#emit(e), instances: () => this.#instances.values() },
      // A sampler handed in (tests) is the only source of figures; the default one leaves CPU to the cgroup's counter where there is one.
      { intervalMs: plan.monitor.intervalMs, logCheckMs: options.logCheckMs ?? 1000, cpuFromBoundary: options.sampler === undefined },
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

  #rank(name: string): number {
    this.#ranks ??= new Map(this.#graph.levels.flat().map((n, k) => [n, k]));
    return this.#ranks.get(name) ?? Number.MAX_SAFE_INTEGER;
  }

  #get(name: string): Instance {
    const i = this.#instances.get(name);
    if (!i) throw new Error(`Internal error: unknown instance ${name}`);
    return i;
  }

  /** Names in start order (levels, higher priority first), restricted to `names`. */
  #ordered(names: readonly string[]): string[] {
    const wanted = new Set(names);
    return this.#graph.levels.flat().filter((n) => wanted.has(n));
  }

  /** Starts every instance in dependency order; resolves when all have settled. */
  startAll(): Promise<void> {
    return this.start(this.#plan.instances.map((i) => i.name));
  }

  /** Starts these instances; their dependencies must run or be started too. Resolves when they have settled. */
  async start(names: string[]): Promise<void> {
    for (const n of this.#ordered(names)) {
      const i = this.#get(n);
      if (i.pid === undefined && i.state.name !== 'backoff') this.#launch(i);
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

  /** Decides, now, whether an instance spawns, waits, is blocked or stays stopped (disabled). */
  #launch(i: Instance): void {
    this.#restartPending.delete(i.name);
    if (i.spec.disabled) return i.disable();
    const unmet: string[] = [];
    for (const edge of this.#graph.dependencies.get(i.name) ?? []) {
      const dep = this.#get(edge.to);
      const s = dep.spec.disabled ? ({ kind: 'broken', reason: `dependency ${edge.to} is disabled` } as const) : conditionStatus(edge.to, dep.state, edge.condition);
      if (s.kind === 'broken') {
        return i.block(s.reason, edge.to);
      }
      // A dependency about to restart is not to be relied on, whatever its state says now.
      if (s.kind === 'unmet' || this.#restartPending.has(edge.to)) unmet.push(`${edge.to} (${edge.condition})`);
    }
    i.awaitDependencies(unmet);
    if (unmet.length > 0) return;
    void i.spawn();
  }

  /** After any state change: wake dependents whose conditions may now hold (or now never will), and settle waiters. */
  #changed(i: Instance): void {
    // In start order, so higher priority dependents of one level spawn first.
    const edges = [...(this.#graph.dependents.get(i.name) ?? [])].sort((a, b) => this.#rank(a.from) - this.#rank(b.from));
    // Pending and waiting meet no condition, so a move into them cannot help a waiting dependent; re-launching
    // it anyway would recurse through every path of the graph (10 levels of 10 is 10^9 calls).
    const mayHelpWaiting = i.state.name !== 'pending' && i.state.name !== 'waiting';
    for (const edge of edges) {
      const d = this.#instances.get(edge.from);
      if (!d) continue;
      const s = d.state;
      if ((s.name === 'waiting' && s.on.length > 0 && mayHelpWaiting) || (s.name === 'blocked' && s.dependency === i.name && i.state.name !== 'failed' && i.state.name !== 'blocked')) {
        this.#launch(d);
      }
    }
    for (const w of [...this.#waiters]) w();
  }

  /**
   * Before `i` runs again (a restart by policy): its `restart: true`
   * dependents, transitively, are restarted first, deepest first, and wait
   * for `i` to meet their conditions again before they spawn.
   */
  async #restartDependents(i: Instance, reason: string): Promise<void> {
    const followers = [...restartDependents(this.#graph, [i.name])].filter((n) => this.#active(n));
    if (followers.length === 0) return;
    this.#restartPending.add(i.name);
    await this.#restartInOrder(new Map(followers.map((n) => [n, `dependency ${i.name} restarted (${reason})`])));
  }

  #active(name: string): boolean {
    const s = this.#get(name).state.name;
    return s === 'starting' || s === 'running';
  }

  /**
   * Restarts instances in reverse dependency order, level by level: each is
   * stopped only once everything depending on it in the set is gone, and
   * relaunches into `waiting` until its dependencies (held back by
   * `#restartPending` while they restart) meet its conditions again.
   */
  async #restartInOrder(reasons: ReadonlyMap<string, string>): Promise<void> {
    for (const name of reasons.keys()) this.#restartPending.add(name);
    for (const level of stopLevels(this.#graph)) {
      const instances = level.filter((n) => reasons.has(n)).map((n) => this.#get(n));
      const survey = this.#surveyFor(instances);
      await Promise.all(instances.map((i) => i.forceRestart(reasons.get(i.name)!, survey)));
    }
  }

  /** One survey for a batch of stops, taken only when one of them has a process to stop. */
  #surveyFor(instances: readonly Instance[]): Survey | undefined {
    return instances.some((i) => i.pid !== undefined && i.state.name !== 'stopping') ? this.#boundary.survey() : undefined;
  }

  /**
   * Stops these instances for good, in reverse dependency order. Each level
   * shares one /proc read and is signalled in one tick; the next level starts
   * once every tree of this one is gone.
   */
  async stop(names: string[], reason = 'manual stop'): Promise<void> {
    // `restart: true` dependents go with their dependency, and before it.
    const followers = new Set([...restartDependents(this.#graph, names)].filter((n) => this.#active(n)));
    const wanted = new Set([...names, ...followers]);
    for (const level of stopLevels(this.#graph)) {
      const instances = level.filter((n) => wanted.has(n)).map((n) => this.#get(n));
      const survey = this.#surveyFor(instances);
      await Promise.all(instances.map((i) => i.stop(followers.has(i.name) ? `${reason} of a dependency (restart: true)` : reason, survey)));
    }
  }

  /** Stops every instance in reverse dependency order. */
  stopAll(reason = 'manual stop'): Promise<void> {
    return this.stop([...this.#instances.keys()], reason);
  }

  /** Restarts these instances (stop, then start once dependencies hold); resolves when they have settled. */
  async restart(names: string[], reason: string): Promise<void> {
    const ordered = this.#ordered(names);
    const reasons = new Map(ordered.map((n) => [n, `manual: ${reason}`]));
    for (const target of ordered) {
      for (const n of restartDependents(this.#graph, [target])) {
        if (!reasons.has(n) && this.#active(n)) reasons.set(n, `dependency ${target} restarted (manual: ${reason})`);
      }
    }
    await this.#restartInOrder(reasons);
    await this.#settled([...reasons.keys()]);
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
    this.#graph = buildGraph([...this.#instances.values()].map((i) => i.spec));
    this.#ranks = undefined;
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
    return this.#graph.levels.flat();
  }

  /** How often every instance's usage is refreshed when nobody looks: the step of the sparklines' history. */
  usageIntervalMs(): number {
    return this.#monitor.usageEveryMs;
  }

  /** Someone is looking at usage (status, dashboard, page): figures older than the monitor interval are refreshed now, for the next look. */
  lookedAtUsage(): void {
    this.#monitor.looked();
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
