/**
 * The dependency order of an engine's instances: whether an instance may
 * launch now (its dependencies' conditions, and no dependency about to
 * restart), whom a state change wakes, and the order of stops and restarts
 * (reverse dependency levels; `restart: true` dependents go with their
 * dependency, and before it). Owns the dependency graph of the current plan;
 * the instances are the engine's, reached through `OrderHost`.
 */

import { buildGraph, restartDependents, stopLevels, type DependencyGraph } from '../graph/graph.js';
import type { AgentSpec } from '../plan/spec.js';
import type { Survey } from './boundary.js';
import { conditionStatus } from './conditions.js';
import type { Instance } from './instance.js';

export interface OrderHost {
  /** The instance of this name; throws an internal error for an unknown one. */
  get(name: string): Instance;
  /** The instance of this name, if the engine has it. */
  find(name: string): Instance | undefined;
  /** One look at the project's processes, shared by a batch of stops. */
  survey(): Survey;
}

export class DependencyOrder {
  #graph: DependencyGraph;
  #ranks: Map<string, number> | undefined;
  /** Instances whose restart has begun but who have not been relaunched yet: dependents wait for them. */
  readonly #restartPending = new Set<string>();

  constructor(
    specs: readonly AgentSpec[],
    private readonly host: OrderHost,
  ) {
    this.#graph = buildGraph(specs);
  }

  /** Takes the graph of a new plan's specs. */
  replan(specs: readonly AgentSpec[]): void {
    this.#graph = buildGraph(specs);
    this.#ranks = undefined;
  }

  /** Every instance name in start order (levels, higher priority first). */
  startOrder(): string[] {
    return this.#graph.levels.flat();
  }

  /** Names in start order, restricted to `names`. */
  ordered(names: readonly string[]): string[] {
    const wanted = new Set(names);
    return this.startOrder().filter((n) => wanted.has(n));
  }

  #rank(name: string): number {
    this.#ranks ??= new Map(this.startOrder().map((n, k) => [n, k]));
    return this.#ranks.get(name) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Decides, now, whether an instance spawns, waits, is blocked or stays stopped (disabled). */
  launch(i: Instance): void {
    this.#restartPending.delete(i.name);
    if (i.spec.disabled) return i.disable();
    const unmet: string[] = [];
    for (const edge of this.#graph.dependencies.get(i.name) ?? []) {
      const dep = this.host.get(edge.to);
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

  /** After a state change of `i`: launches the dependents whose conditions may now hold (or now never will). */
  wake(i: Instance): void {
    // In start order, so higher priority dependents of one level spawn first.
    const edges = [...(this.#graph.dependents.get(i.name) ?? [])].sort((a, b) => this.#rank(a.from) - this.#rank(b.from));
    // Pending and waiting meet no condition, so a move into them cannot help a waiting dependent; re-launching
    // it anyway would recurse through every path of the graph (10 levels of 10 is 10^9 calls).
    const mayHelpWaiting = i.state.name !== 'pending' && i.state.name !== 'waiting';
    for (const edge of edges) {
      const d = this.host.find(edge.from);
      if (!d) continue;
      const s = d.state;
      if ((s.name === 'waiting' && s.on.length > 0 && mayHelpWaiting) || (s.name === 'blocked' && s.dependency === i.name && i.state.name !== 'failed' && i.state.name !== 'blocked')) {
        this.launch(d);
      }
    }
  }

  /**
   * Before `i` runs again (a restart by policy): its `restart: true`
   * dependents, transitively, are restarted first, deepest first, and wait
   * for `i` to meet their conditions again before they spawn.
   */
  async restartDependents(i: Instance, reason: string): Promise<void> {
    const followers = [...restartDependents(this.#graph, [i.name])].filter((n) => this.#active(n));
    if (followers.length === 0) return;
    this.#restartPending.add(i.name);
    await this.#restartInOrder(new Map(followers.map((n) => [n, `dependency ${i.name} restarted (${reason})`])));
  }

  #active(name: string): boolean {
    const s = this.host.get(name).state.name;
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
      const instances = level.filter((n) => reasons.has(n)).map((n) => this.host.get(n));
      const survey = this.#surveyFor(instances);
      await Promise.all(instances.map((i) => i.forceRestart(reasons.get(i.name)!, survey)));
    }
  }

  /** One survey for a batch of stops, taken only when one of them has a process to stop. */
  #surveyFor(instances: readonly Instance[]): Survey | undefined {
    return instances.some((i) => i.pid !== undefined && i.state.name !== 'stopping') ? this.host.survey() : undefined;
  }

  /**
   * Stops these instances for good, in reverse dependency order. Each level
   * shares one /proc read and is signalled in one tick; the next level starts
   * once every tree of this one is gone.
   */
  async stop(names: string[], reason: string): Promise<void> {
    // `restart: true` dependents go with their dependency, and before it.
    const followers = new Set([...restartDependents(this.#graph, names)].filter((n) => this.#active(n)));
    const wanted = new Set([...names, ...followers]);
    for (const level of stopLevels(this.#graph)) {
      const instances = level.filter((n) => wanted.has(n)).map((n) => this.host.get(n));
      const survey = this.#surveyFor(instances);
      await Promise.all(instances.map((i) => i.stop(followers.has(i.name) ? `${reason} of a dependency (restart: true)` : reason, survey)));
    }
  }

  /** Restarts these instances and their active `restart: true` dependents in order; returns every name restarted. */
  async restart(names: string[], reason: string): Promise<string[]> {
    const ordered = this.ordered(names);
    const reasons = new Map(ordered.map((n) => [n, `manual: ${reason}`]));
    for (const target of ordered) {
      for (const n of restartDependents(this.#graph, [target])) {
        if (!reasons.has(n) && this.#active(n)) reasons.set(n, `dependency ${target} restarted (manual: ${reason})`);
      }
    }
    await this.#restartInOrder(reasons);
    return [...reasons.keys()];
  }
}
