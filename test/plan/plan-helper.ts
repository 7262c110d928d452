/**
 * Builds AgentSpecs and Plans for planner tests (defaults from
 * test/helpers/agent-spec.ts), so they do not depend on src/manifest. Instance naming follows the loader: one replica is named like
 * the agent, N > 1 replicas are `agent-0 … agent-{N-1}`.
 */

import type { AgentSpec, Origins, Plan } from '../../src/plan/spec.js';
import { planAround, specWithDefaults } from '../helpers/agent-spec.js';

export const BASE_DIR = '/srv/fleet';

/** One instance with the loader's defaults; `agent` defaults to `name`. */
export function spec(name: string, overrides: Partial<AgentSpec> = {}): AgentSpec {
  const agent = overrides.agent ?? name;
  return specWithDefaults({ name, agent, command: ['node', `${agent}.js`], cwd: BASE_DIR, ...overrides });
}

/** The instances of an agent with `count` replicas, each built by `spec` with the same overrides. */
export function replicas(agent: string, count: number, overrides: Partial<AgentSpec> = {}): AgentSpec[] {
  return Array.from({ length: count }, (_, index) =>
    spec(count === 1 ? agent : `${agent}-${index}`, { ...overrides, agent, replica: { index, count } }),
  );
}

/** A Plan around some instances; `agents` is derived in instance order. */
export function plan(instances: AgentSpec[], overrides: Partial<Plan> = {}): Plan {
  return planAround(instances, { name: 'fleet', files: [`${BASE_DIR}/orchestra.yaml`], baseDir: BASE_DIR, ...overrides });
}

/** An origin at a line and column of the main manifest. */
export function at(line: number, column: number, file = `${BASE_DIR}/orchestra.yaml`): Origins[string] {
  return { file, range: { start: { line, column }, end: { line, column: column + 1 }, offset: 0, length: 1 } };
}

/** No env files anywhere. */
export const NO_HASHES = { applied: new Map<string, string>(), desired: new Map<string, string>() };
