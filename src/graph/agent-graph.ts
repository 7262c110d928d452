/**
 * The agent-level dependency graph: one node per manifest agent, replicas
 * folded, as `orchestra graph` and the status page show it. Pure; takes the
 * parts of a Plan it needs, so graph/ stays below plan/.
 */

import { buildGraph, type DependencyGraph, type GraphNode } from './graph.js';

/** One manifest agent in the folded graph. */
export interface AgentNode {
  name: string;
  replicas: number;
  disabled: boolean;
  type: string;
}

/** What agentGraph reads of a Plan. */
export interface AgentGraphInput {
  agents: readonly { name: string; instances: readonly string[] }[];
  instances: readonly (GraphNode & { disabled: boolean; type: string })[];
}

/** The agent-level graph (one node per manifest agent, replicas folded). */
export function agentGraph(plan: AgentGraphInput): { graph: DependencyGraph; nodes: Map<string, AgentNode> } {
  const nodes = new Map<string, AgentNode>();
  const specs: GraphNode[] = [];
  for (const agent of plan.agents) {
    const first = plan.instances.find((i) => i.agent === agent.name);
    if (!first) continue;
    nodes.set(agent.name, {
      name: agent.name,
      replicas: agent.instances.length,
      disabled: first.disabled,
      type: first.type,
    });
    specs.push({ name: agent.name, agent: agent.name, priority: first.priority, dependsOn: first.dependsOn });
  }
  return { graph: buildGraph(specs), nodes };
}
