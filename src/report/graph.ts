/**
 * Renders the dependency graph of a Plan at the level of manifest agents:
 * text by startup level, Graphviz dot, or Mermaid. Pure.
 */

import { agentGraph, type AgentNode } from '../graph/agent-graph.js';
import type { Plan } from '../plan/spec.js';

function label(node: AgentNode): string {
  const notes = [];
  if (node.replicas > 1) notes.push(`×${node.replicas}`);
  if (node.type === 'oneshot') notes.push('oneshot');
  if (node.disabled) notes.push('disabled');
  return notes.length > 0 ? `${node.name} (${notes.join(', ')})` : node.name;
}

/** Text: one block per startup level, each agent with what it waits for. */
export function renderGraphText(plan: Plan): string {
  const { graph, nodes } = agentGraph(plan);
  const lines: string[] = [];
  graph.levels.forEach((level, i) => {
    lines.push(`level ${i}`);
    const labels = level.map((name) => label(nodes.get(name)!));
    const width = Math.max(...labels.map((l) => l.length));
    level.forEach((name, j) => {
      const deps = graph.dependencies.get(name) ?? [];
      const waits = deps.map((e) => `${e.to} ${e.condition}${e.restart ? ', restarts with it' : ''}`);
      const text = waits.length > 0 ? `${labels[j]!.padEnd(width)}  <- ${waits.join('; ')}` : labels[j]!;
      lines.push(`  ${text}`);
    });
  });
  return lines.join('\n') + '\n';
}

function quoteDot(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Graphviz dot, left to right, edges from dependency to dependent labelled with the condition. */
export function renderGraphDot(plan: Plan): string {
  const { graph, nodes } = agentGraph(plan);
  const lines = [`digraph ${quoteDot(plan.name)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  graph.levels.forEach((level, i) => {
    lines.push(`  { rank=same; ${level.map(quoteDot).join('; ')}; }  // level ${i}`);
  });
  for (const [name, node] of nodes) lines.push(`  ${quoteDot(name)} [label=${quoteDot(label(node))}];`);
  for (const e of graph.edges) {
    const style = e.restart ? ', style=bold' : '';
    lines.push(`  ${quoteDot(e.to)} -> ${quoteDot(e.from)} [label=${quoteDot(e.condition)}${style}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Mermaid flowchart, left to right. */
export function renderGraphMermaid(plan: Plan): string {
  const { graph, nodes } = agentGraph(plan);
  // Mermaid ids cannot hold '-', and mapping it to '_' could collide, so number them.
  const ids = new Map([...nodes.keys()].map((name, i) => [name, `a${i}`]));
  const id = (name: string): string => ids.get(name)!;
  const lines = ['flowchart LR'];
  for (const [name, node] of nodes) lines.push(`  ${id(name)}["${label(node)}"]`);
  for (const e of graph.edges) {
    const arrow = e.restart ? '==>' : '-->';
    lines.push(`  ${id(e.to)} ${arrow}|${e.condition}| ${id(e.from)}`);
  }
  return lines.join('\n') + '\n';
}
