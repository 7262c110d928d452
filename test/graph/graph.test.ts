import t from 'tap';
import { buildGraph, findCycles, restartDependents, startOrder, stopLevels } from '../../src/graph/graph.js';
import type { DependencySpec } from '../../src/plan/spec.js';

const dep = (agent: string, condition: DependencySpec['condition'] = 'ready', restart = false): DependencySpec => ({
  agent,
  condition,
  restart,
});
const node = (name: string, dependsOn: DependencySpec[] = [], priority = 0, agent = name) => ({
  name,
  agent,
  priority,
  dependsOn,
});

t.test('a diamond starts level by level', async (t) => {
  const g = buildGraph([node('top', [dep('left'), dep('right')]), node('left', [dep('base')]), node('right', [dep('base')]), node('base')]);
  t.same(g.levels, [['base'], ['left', 'right'], ['top']]);
  t.same(startOrder(g), ['base', 'left', 'right', 'top']);
  t.same(stopLevels(g), [['top'], ['right', 'left'], ['base']]);
  t.same(
    g.dependents.get('base')!.map((e) => e.from),
    ['left', 'right'],
  );
});

t.test('priority orders a level, higher first, manifest order breaks ties', async (t) => {
  const g = buildGraph([node('a'), node('b', [], 10), node('c'), node('d', [], 10)]);
  t.same(g.levels, [['b', 'd', 'a', 'c']]);
  t.same(stopLevels(g), [['c', 'a', 'd', 'b']]);
});

t.test('a dependency on a replicated agent waits for every instance', async (t) => {
  const g = buildGraph([
    node('api-0', [], 0, 'api'),
    node('api-1', [], 0, 'api'),
    node('worker', [dep('api', 'started', true)]),
  ]);
  t.same(g.levels, [['api-0', 'api-1'], ['worker']]);
  t.same(
    g.dependencies.get('worker')!.map((e) => [e.to, e.condition, e.restart]),
    [
      ['api-0', 'started', true],
      ['api-1', 'started', true],
    ],
  );
});

t.test('a chain takes one level per link', async (t) => {
  const g = buildGraph([node('c', [dep('b')]), node('b', [dep('a')]), node('a')]);
  t.same(g.levels, [['a'], ['b'], ['c']]);
});

t.test('buildGraph refuses a cycle the loader should have caught', async (t) => {
  t.throws(() => buildGraph([node('a', [dep('b')]), node('b', [dep('a')])]), /Internal error: dependency cycle/);
});

t.test('findCycles reports each loop once, closed', async (t) => {
  const deps = new Map<string, string[]>([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['d']],
    ['e', ['a', 'missing']],
  ]);
  t.same(findCycles(deps), [
    ['a', 'b', 'c', 'a'],
    ['d', 'd'],
  ]);
  t.same(findCycles(new Map([['x', ['y']], ['y', []]])), []);
});

t.test('restart: true dependents, transitively, without the restarted ones', async (t) => {
  const g = buildGraph([
    node('db'),
    node('api', [dep('db', 'ready', true)]),
    node('web', [dep('api', 'ready', true)]),
    node('report', [dep('db', 'ready', false)]),
    node('cache', [dep('report', 'ready', true)]),
  ]);
  t.same([...restartDependents(g, ['db'])].sort(), ['api', 'web'], 'report has no restart: true, so cache does not follow either');
  t.same([...restartDependents(g, ['db', 'api'])], ['web']);
  t.same([...restartDependents(g, ['web'])], []);
});
