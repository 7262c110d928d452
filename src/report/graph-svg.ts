/**
 * Lays out the agent-level dependency graph for the status page: startup
 * levels become columns left to right, each edge a curve from the dependency
 * to its dependent with the condition as its label. Pure geometry; the
 * template draws the SVG and escapes every name, so this module never builds
 * markup.
 */

import type { AgentSnapshot, HealthLevel, StatusSnapshot } from './status-snapshot.js';

export interface GraphNodeLayout {
  name: string;
  /** The name as drawn, shortened so it fits the box. */
  label: string;
  /** The instances' states in words, e.g. `running` or `1 running, 1 failed`. */
  summary: string;
  healthLevel: HealthLevel | 'unknown';
  x: number;
  y: number;
  width: number;
  height: number;
  textX: number;
  nameY: number;
  summaryY: number;
}

export interface GraphEdgeLayout {
  from: string;
  to: string;
  condition: string;
  restart: boolean;
  /** SVG path data. */
  d: string;
  label: string;
  labelX: number;
  labelY: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNodeLayout[];
  edges: GraphEdgeLayout[];
}

const NODE_WIDTH = 168;
const NODE_HEIGHT = 46;
const COLUMN_GAP = 112;
const ROW_GAP = 26;
const PAD = 16;
const LABEL_CHARS = 20;
/** Vertical distance between the lanes of edges that skip columns. */
const LANE_GAP = 20;

const SEVERITY: Record<HealthLevel, number> = { green: 0, yellow: 1, red: 2 };

/** Shortens `text` to at most `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** Counts instance states in words: `running` for one, `2 running` or `1 running, 1 failed` for several. */
export function stateSummary(instances: readonly AgentSnapshot[]): string {
  if (instances.length === 0) return 'no instances';
  if (instances.length === 1) return instances[0]!.state;
  const counts = new Map<string, number>();
  for (const i of instances) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}

/** The worst health level of an agent's instances. */
export function worstHealth(instances: readonly AgentSnapshot[]): HealthLevel | 'unknown' {
  let worst: HealthLevel | 'unknown' = 'unknown';
  for (const i of instances) {
    if (worst === 'unknown' || SEVERITY[i.healthLevel] > SEVERITY[worst]) worst = i.healthLevel;
  }
  return worst;
}

/** Positions every node of `snapshot.graph` and routes every edge. */
export function layoutGraph(snapshot: Pick<StatusSnapshot, 'graph' | 'agents'>): GraphLayout {
  const { levels, edges } = snapshot.graph;
  const nodes: GraphNodeLayout[] = [];
  const byName = new Map<string, GraphNodeLayout>();
  // Instances by agent once: filtering every agent's list for each node was quadratic in the fleet.
  const byAgent = new Map<string, AgentSnapshot[]>();
  for (const a of snapshot.agents) {
    const list = byAgent.get(a.agent);
    if (list) list.push(a);
    else byAgent.set(a.agent, [a]);
  }
  let rows = 0;
  levels.forEach((level, column) => {
    rows = Math.max(rows, level.length);
    level.forEach((name, row) => {
      const instances = byAgent.get(name) ?? [];
      const x = PAD + column * (NODE_WIDTH + COLUMN_GAP);
      const y = PAD + row * (NODE_HEIGHT + ROW_GAP);
      const node: GraphNodeLayout = {
        name,
        label: truncate(name, LABEL_CHARS),
        summary: truncate(stateSummary(instances), LABEL_CHARS + 4),
        healthLevel: worstHealth(instances),
        x,
        y,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        textX: x + 22,
        nameY: y + 19,
        summaryY: y + 36,
      };
      nodes.push(node);
      byName.set(name, node);
    });
  });
  const column = new Map<string, number>();
  levels.forEach((level, i) => level.forEach((name) => column.set(name, i)));
  const rowsBottom = PAD + rows * (NODE_HEIGHT + ROW_GAP) - ROW_GAP;
  let lanes = 0;
  const routed: GraphEdgeLayout[] = [];
  for (const edge of edges) {
    const dependency = byName.get(edge.to);
    const dependent = byName.get(edge.from);
    // An edge to a node outside the levels cannot be placed; the levels are the daemon's word.
    if (!dependency || !dependent) continue;
    const x1 = dependency.x + dependency.width;
    const y1 = dependency.y + dependency.height / 2;
    const x2 = dependent.x - 4;
    const y2 = dependent.y + dependent.height / 2;
    const span = (column.get(edge.from) ?? 0) - (column.get(edge.to) ?? 0);
    const label = edge.restart ? `${edge.condition} ↻` : edge.condition;
    const base = { from: edge.from, to: edge.to, condition: edge.condition, restart: edge.restart, label };
    if (span > 1) {
      // An edge that skips a column would cross the nodes in it, so it runs in its own lane under the rows.
      const laneY = rowsBottom + LANE_GAP * (lanes + 1);
      lanes++;
      const r = 40;
      routed.push({
        ...base,
        d: `M${x1},${y1} C${x1 + r},${y1} ${x1 + r},${laneY} ${x1 + 2 * r},${laneY} L${x2 - 2 * r},${laneY} C${x2 - r},${laneY} ${x2 - r},${y2} ${x2},${y2}`,
        labelX: (x1 + x2) / 2,
        labelY: laneY - 4,
      });
      continue;
    }
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    routed.push({
      ...base,
      d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
      // The midpoint of a symmetric cubic Bézier is the midpoint of its ends.
      labelX: (x1 + x2) / 2,
      labelY: (y1 + y2) / 2 - 4,
    });
  }
  const columns = levels.length;
  return {
    width: columns === 0 ? 0 : PAD * 2 + columns * NODE_WIDTH + (columns - 1) * COLUMN_GAP,
    height: rows === 0 ? 0 : rowsBottom + lanes * LANE_GAP + PAD,
    nodes,
    edges: routed,
  };
}
