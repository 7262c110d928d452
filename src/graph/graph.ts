/**
 * Dependency graph of agent instances: levels for startup, the reverse for
 * shutdown, cycle detection. Pure; knows nothing of processes or files.
 */

/** What a dependent waits for: its dependency spawned, ready, or (a oneshot) exited 0. */
export type DependencyCondition = 'started' | 'ready' | 'completed';

/** One edge: `from` waits for `to` to meet `condition`. */
export interface Edge {
  from: string;
  to: string;
  condition: DependencyCondition;
  restart: boolean;
}

export interface DependencyGraph {
  /** Instance names by level: level 0 depends on nothing. Within a level, higher priority first. */
  levels: string[][];
  edges: Edge[];
  /** Instance name → the instances it depends on. */
  dependencies: Map<string, Edge[]>;
  /** Instance name → the instances that depend on it. */
  dependents: Map<string, Edge[]>;
}

/** What the graph needs of an instance; an AgentSpec is one. */
export interface GraphNode {
  /** Instance name. */
  name: string;
  /** Manifest agent name; dependencies name agents, and reach every instance of one. */
  agent: string;
  priority: number;
  dependsOn: readonly { agent: string; condition: DependencyCondition; restart: boolean }[];
}

/** Builds the instance graph; assumes the loader already rejected cycles and unknown names. */
export function buildGraph(instances: readonly GraphNode[]): DependencyGraph {
  const byAgent = new Map<string, string[]>();
  for (const i of instances) {
    const list = byAgent.get(i.agent) ?? [];
    list.push(i.name);
    byAgent.set(i.agent, list);
  }
  const edges: Edge[] = [];
  const dependencies = new Map<string, Edge[]>();
  const dependents = new Map<string, Edge[]>();
  for (const i of instances) {
    dependencies.set(i.name, []);
    dependents.set(i.name, dependents.get(i.name) ?? []);
  }
  for (const i of instances) {
    for (const dep of i.dependsOn) {
      for (const target of byAgent.get(dep.agent) ?? []) {
        const edge: Edge = { from: i.name, to: target, condition: dep.condition, restart: dep.restart };
        edges.push(edge);
        dependencies.get(i.name)!.push(edge);
        const back = dependents.get(target) ?? [];
        back.push(edge);
        dependents.set(target, back);
      }
    }
  }

  const priority = new Map(instances.map((i) => [i.name, i.priority]));
  const order = new Map(instances.map((i, n) => [i.name, n]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new Error(`Internal error: dependency cycle through ${name}`);
    visiting.add(name);
    let l = 0;
    for (const e of dependencies.get(name) ?? []) l = Math.max(l, levelOf(e.to) + 1);
    visiting.delete(name);
    level.set(name, l);
    return l;
  };
  const levels: string[][] = [];
  for (const i of instances) {
    const l = levelOf(i.name);
    (levels[l] ??= []).push(i.name);
  }
  for (const names of levels) {
    names.sort((a, b) => priority.get(b)! - priority.get(a)! || order.get(a)! - order.get(b)!);
  }
  return { levels: levels.filter((l) => l !== undefined), edges, dependencies, dependents };
}

/** Start order: level by level, higher priority first within a level. */
export function startOrder(graph: DependencyGraph): string[] {
  return graph.levels.flat();
}

/**
 * The instances that follow `names` when they restart or stop: dependents
 * whose edge says `restart: true`, transitively, without `names` themselves.
 */
export function restartDependents(graph: DependencyGraph, names: readonly string[]): Set<string> {
  const out = new Set<string>();
  const start = new Set(names);
  const queue = [...names];
  while (queue.length > 0) {
    for (const edge of graph.dependents.get(queue.shift()!) ?? []) {
      if (!edge.restart || out.has(edge.from) || start.has(edge.from)) continue;
      out.add(edge.from);
      queue.push(edge.from);
    }
  }
  return out;
}

/** Stop order: reverse levels; within a level, lower priority first. */
export function stopLevels(graph: DependencyGraph): string[][] {
  return [...graph.levels].reverse().map((l) => [...l].reverse());
}

/**
 * Finds every elementary dependency cycle reachable in a name → names map,
 * each reported once as the path `[a, b, ..., a]`.
 */
export function findCycles(deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of deps.get(node) ?? []) {
      if (!deps.has(next)) continue;
      const s = state.get(next);
      if (s === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        const key = canonical(loop);
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...loop, next]);
        }
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of deps.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

function canonical(loop: string[]): string {
  const min = loop.reduce((a, b) => (b < a ? b : a));
  const i = loop.indexOf(min);
  return [...loop.slice(i), ...loop.slice(0, i)].join('\u0000');
}
