/**
 * AgentSpecs and Plans for tests that do not go through the loader: every
 * default of the schema filled in, and a Plan whose `agents` list is derived
 * from its instances in order, as the loader builds it. The planner, engine
 * and exporter helpers all start from here; test/plan/spec-defaults.test.ts
 * checks these defaults against what the loader produces.
 */

import type { AgentSpec, Plan } from '../../src/plan/spec.js';

/** Everything an AgentSpec must say that has no default: who it is, what it runs, where. */
export type SpecIdentity = Pick<AgentSpec, 'name' | 'command' | 'cwd'>;

/** One instance with the schema's defaults (one replica, `agent` = `name`), overridden by `fields`. */
export function specWithDefaults(fields: SpecIdentity & Partial<AgentSpec>): AgentSpec {
  return {
    agent: fields.name,
    replica: { index: 0, count: 1 },
    type: 'service',
    shell: false,
    env: {},
    envFiles: [],
    inheritEnv: true,
    disabled: false,
    priority: 0,
    dependsOn: [],
    restart: { when: 'on-failure', strategy: 'exponential', delayMs: 1000, maxDelayMs: 60_000, maxAttempts: 10, resetAfterMs: 300_000 },
    stop: { signal: 'SIGTERM', timeoutMs: 10_000, mode: 'group' },
    startup: { timeoutMs: 60_000, retries: 0 },
    logs: { maxSizeBytes: 10 * 1024 * 1024, keep: 3 },
    secretKeys: [],
    extensions: {},
    ...fields,
  };
}

/** A Plan around some instances: `agents` is derived in instance order; the rest comes from `base`. */
export function planAround(instances: AgentSpec[], base: Pick<Plan, 'name' | 'baseDir' | 'files'> & Partial<Plan>): Plan {
  const agents: Plan['agents'] = [];
  for (const s of instances) {
    const entry = agents.find((a) => a.name === s.agent);
    if (entry) entry.instances.push(s.name);
    else agents.push({ name: s.agent, instances: [s.name] });
  }
  return { version: 1, agents, instances, monitor: { intervalMs: 2000 }, origins: {}, ...base };
}
