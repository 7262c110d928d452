/**
 * Stage 5, rendering and replica expansion: decides each agent's instances
 * (`replicas` absent or 1 → one instance named like the agent; N > 1 →
 * `api-0 … api-{N-1}`; 0 → none) and renders every string value of each
 * instance with Handlebars against `vars`, `env`, `agent` and `replica`.
 * `x-*` subtrees are left as written. Owns template errors and instance-name
 * collisions. Pure.
 */

import { error, type Diagnostic, type Location } from '../util/diagnostic.js';
import type { Merged } from './inherit.js';
import { child, toPlain, type MapEntry, type MapNode, type ValueNode } from './node.js';
import { hasTemplate, renderTemplate } from './template.js';

export interface Instance {
  name: string;
  index: number;
  count: number;
  node: MapNode;
  /** `node` as plain data, filled by the schema pass (after coercion) so the Plan stage need not convert again. */
  plain?: unknown;
}

export interface RenderedAgent {
  name: string;
  keyLoc: Location;
  broken: boolean;
  /** Its `extends` chain could not be fully resolved (already reported). */
  incomplete: boolean;
  /** The instances to run; empty with `replicas: 0`. */
  instances: Instance[];
  /** What the schema and semantic checks look at: the instances, or one rendered as replica 0 when there are none. */
  checked: Instance[];
}

export interface Rendered {
  mainFile: string;
  environment?: string;
  root: MapNode;
  agents: RenderedAgent[];
}

/** The largest replica count expanded; larger values are rejected by the schema. */
const MAX_REPLICAS = 1000;

/** Expands replicas and renders every agent and the top-level `notify`. */
export function renderManifest(merged: Merged, env: Readonly<Record<string, string | undefined>>): { rendered: Rendered; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const varsNode = child(merged.root, 'vars');
  const vars = varsNode?.kind === 'map' ? toPlain(varsNode) : {};
  const base = { vars, env };

  const notify = child(merged.root, 'notify');
  let root = merged.root;
  if (notify !== undefined) {
    const entries = new Map(root.entries);
    const e = entries.get('notify')!;
    entries.set('notify', { key: e.key, value: renderNode(notify, base, diagnostics) });
    root = { ...root, entries };
  }

  const agents: RenderedAgent[] = [];
  const names = new Set(merged.agents.map((a) => a.name));
  for (const agent of merged.agents) {
    const replicasEntry = agent.node.entries.get('replicas');
    const first = { ...base, agent: { name: agent.name, instance: agent.name }, replica: { index: 0, count: 1 } };
    const replicas = replicasEntry ? coerceCount(renderNode(replicasEntry.value, first, diagnostics)) : undefined;
    const count = replicaCount(replicas);
    const instanceNames = count === 1 ? [agent.name] : Array.from({ length: count }, (_, i) => `${agent.name}-${i}`);
    for (const instance of instanceNames) {
      if (instance !== agent.name && names.has(instance)) {
        diagnostics.push(
          error('instance-name-collision', `instance "${instance}" of agent "${agent.name}" has the same name as agent "${instance}"`, replicasEntry?.value.loc ?? agent.keyLoc, {
            hint: `rename agent "${instance}" or agent "${agent.name}"`,
          }),
        );
      }
    }
    const renderOne = (instance: string, index: number, n: number): Instance => {
      const context = { ...base, agent: { name: agent.name, instance }, replica: { index, count: n } };
      const node = renderNode(agent.node, context, diagnostics) as MapNode;
      return { name: instance, index, count: n, node: withReplicas(node, replicas) };
    };
    const instances = instanceNames.map((instance, i) => renderOne(instance, i, count));
    agents.push({
      name: agent.name,
      keyLoc: agent.keyLoc,
      broken: agent.broken,
      incomplete: agent.incomplete,
      instances,
      checked: instances.length > 0 ? instances : [renderOne(agent.name, 0, 0)],
    });
  }
  const rendered: Rendered = { mainFile: merged.mainFile, root, agents };
  if (merged.environment !== undefined) rendered.environment = merged.environment;
  return { rendered, diagnostics };
}

function replicaCount(node: ValueNode | undefined): number {
  if (node === undefined || node.kind !== 'scalar') return 1;
  const v = node.value;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_REPLICAS) return v;
  return 1;
}

/** `replicas: "${N}"` or `"{{vars.n}}"` is a number the user could not write unquoted. */
function coerceCount(node: ValueNode): ValueNode {
  if (node.kind === 'scalar' && node.substituted && typeof node.value === 'string' && /^\s*[0-9]+\s*$/.test(node.value)) {
    return { ...node, value: Number(node.value) };
  }
  return node;
}

function withReplicas(node: MapNode, replicas: ValueNode | undefined): MapNode {
  if (replicas === undefined) return node;
  const entries = new Map(node.entries);
  const e = entries.get('replicas')!;
  entries.set('replicas', { key: e.key, value: replicas });
  return { ...node, entries };
}

/** Renders every string below `node`, except under `x-*` keys. */
export function renderNode(node: ValueNode, context: Record<string, unknown>, diagnostics: Diagnostic[]): ValueNode {
  switch (node.kind) {
    case 'scalar': {
      if (typeof node.value !== 'string' || !hasTemplate(node.value)) return node;
      const out = renderTemplate(node.value, context);
      if (!out.ok) {
        diagnostics.push(error(out.code, out.message, node.loc, out.hint !== undefined ? { hint: out.hint } : {}));
        return node;
      }
      return { kind: 'scalar', value: out.value, loc: node.loc, substituted: true };
    }
    // Copy on write: most subtrees hold no template, and 1,000 instances of
    // fresh maps for unchanged subtrees were a large share of the GC time.
    case 'seq': {
      let items: ValueNode[] | undefined;
      for (let i = 0; i < node.items.length; i++) {
        const item = node.items[i]!;
        const next = renderNode(item, context, diagnostics);
        if (next !== item) (items ??= node.items.slice())[i] = next;
      }
      return items ? { ...node, items } : node;
    }
    case 'map': {
      let entries: Map<string, MapEntry> | undefined;
      for (const [k, e] of node.entries) {
        if (k.startsWith('x-')) continue;
        const value = renderNode(e.value, context, diagnostics);
        if (value !== e.value) (entries ??= new Map(node.entries)).set(k, { key: e.key, value });
      }
      return entries ? { ...node, entries } : node;
    }
  }
}
