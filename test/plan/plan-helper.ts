/**
 * Builds AgentSpecs and Plans for tests with every default of the loader
 * filled in, so planner tests do not depend on src/manifest (written in
 * parallel). Instance naming follows the loader: one replica is named like
 * the agent, N > 1 replicas are `agent-0 … agent-{N-1}`.
 */

import type { AgentSpec, Origins, Plan } from '../../src/plan/spec.js';

export const BASE_DIR = '/srv/fleet';

/** One instance with the loader's defaults; `agent` defaults to `name`. */
export function spec(name: string, overrides: Partial<AgentSpec> = {}): AgentSpec {
  return {
    name,
    agent: overrides.agent ?? name,
    replica: { index: 0, count: 1 },
    type: 'service',
    command: ['node', `${overrides.agent ?? name}.js`],
    shell: false,
    cwd: BASE_DIR,
    env: {},
    envFiles: [],
    inheritEnv: true,
    disabled: false,
    priority: 0,
    dependsOn: [],
    restart: {
      when: 'on-failure',
      strategy: 'exponential',
      delayMs: 1000,
      maxDelayMs: 60_000,
      maxAttempts: 10,
      resetAfterMs: 300_000,
    },
    stop: { signal: 'SIGTERM', timeoutMs: 10_000 },
    startup: { timeoutMs: 60_000, retries: 0 },
    logs: { maxSizeBytes: 10 * 1024 * 1024, keep: 3 },
    secretKeys: [],
    extensions: {},
    ...overrides,
  };
}

/** The instances of an agent with `count` replicas, each built by `spec` with the same overrides. */
export function replicas(agent: string, count: number, overrides: Partial<AgentSpec> = {}): AgentSpec[] {
  return Array.from({ length: count }, (_, index) =>
    spec(count === 1 ? agent : `${agent}-${index}`, { ...overrides, agent, replica: { index, count } }),
  );
}

/** A Plan around some instances; `agents` is derived in instance order. */
export function plan(instances: AgentSpec[], overrides: Partial<Plan> = {}): Plan {
  const agents: Plan['agents'] = [];
  for (const s of instances) {
    const entry = agents.find((a) => a.name === s.agent);
    if (entry) entry.instances.push(s.name);
    else agents.push({ name: s.agent, instances: [s.name] });
  }
  return {
    version: 1,
    name: 'fleet',
    files: [`${BASE_DIR}/orchestra.yaml`],
    baseDir: BASE_DIR,
    agents,
    instances,
    monitor: { intervalMs: 2000 },
    origins: {},
    ...overrides,
  };
}

/** An origin at a line and column of the main manifest. */
export function at(line: number, column: number, file = `${BASE_DIR}/orchestra.yaml`): Origins[string] {
  return { file, range: { start: { line, column }, end: { line, column: column + 1 }, offset: 0, length: 1 } };
}

/** No env files anywhere. */
export const NO_HASHES = { applied: new Map<string, string>(), desired: new Map<string, string>() };
