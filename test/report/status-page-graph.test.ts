import t from 'tap';
import type { AgentSnapshot } from '../../src/report/status-snapshot.js';
import { layoutGraph, stateSummary, truncate, worstHealth } from '../../src/report/graph-svg.js';

const agent = (name: string, agentName: string, state: AgentSnapshot['state'], healthLevel: AgentSnapshot['healthLevel']): AgentSnapshot => ({
  name,
  agent: agentName,
  type: 'service',
  state,
  stateSince: '2026-01-01T00:00:00Z',
  restarts: 0,
  health: 100,
  healthLevel,
  alerts: [],
  history: { intervalMs: 1000, cpuPercent: [], rssBytes: [] },
  command: ['x'],
  dependsOn: [],
});

const snapshot = {
  agents: [agent('db', 'db', 'running', 'green'), agent('api-0', 'api', 'running', 'green'), agent('api-1', 'api', 'failed', 'red'), agent('web', 'web', 'waiting', 'yellow')],
  graph: {
    levels: [['db'], ['api'], ['web']],
    edges: [
      { from: 'api', to: 'db', condition: 'ready' as const, restart: true },
      { from: 'web', to: 'api', condition: 'started' as const, restart: false },
      { from: 'web', to: 'db', condition: 'ready' as const, restart: false },
    ],
  },
};

t.test('levels become columns, left to right', async (t) => {
  const layout = layoutGraph(snapshot);
  const x = (name: string): number => layout.nodes.find((n) => n.name === name)!.x;
  t.ok(x('db') < x('api') && x('api') < x('web'));
  t.equal(layout.nodes.length, 3);
  t.ok(layout.nodes.every((n) => n.x + n.width <= layout.width && n.y + n.height <= layout.height), 'every node inside the box');
});

t.test('nodes fold replicas: worst health, states counted', async (t) => {
  const api = layoutGraph(snapshot).nodes.find((n) => n.name === 'api')!;
  t.equal(api.healthLevel, 'red');
  t.equal(api.summary, '1 running, 1 failed');
  t.equal(stateSummary([]), 'no instances');
  t.equal(worstHealth([]), 'unknown');
});

t.test('edges run from the dependency to the dependent, skipping edges in a lane below', async (t) => {
  const layout = layoutGraph(snapshot);
  t.equal(layout.edges.length, 3);
  const adjacent = layout.edges.find((e) => e.from === 'api')!;
  t.match(adjacent.d, /^M[0-9.]+,[0-9.]+ C/);
  t.equal(adjacent.label, 'ready ↻', 'restart edges say so in their label');
  const skip = layout.edges.find((e) => e.from === 'web' && e.to === 'db')!;
  const rowsBottom = Math.max(...layout.nodes.map((n) => n.y + n.height));
  t.ok(skip.labelY > rowsBottom, 'a column-skipping edge runs under the nodes');
  t.ok(layout.height > skip.labelY, 'and the box grows to hold it');
  t.equal(skip.label, 'ready');
});

t.test('edges to unknown nodes are left out; empty graphs are empty', async (t) => {
  const layout = layoutGraph({ ...snapshot, graph: { levels: [['db']], edges: [{ from: 'ghost', to: 'db', condition: 'ready', restart: false }] } });
  t.equal(layout.edges.length, 0);
  t.same(layoutGraph({ agents: [], graph: { levels: [], edges: [] } }), { width: 0, height: 0, nodes: [], edges: [] });
});

t.test('truncate keeps short names and counts characters, not code units', async (t) => {
  t.equal(truncate('redis', 20), 'redis');
  t.equal(truncate('abcdefghij', 5), 'abcd…');
  t.equal(truncate('😀😀😀😀😀😀', 4), '😀😀😀…');
});
