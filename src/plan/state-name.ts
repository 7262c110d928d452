/**
 * The names of an agent instance's lifecycle states, shared by the engine,
 * the planner (observed status) and every renderer. The transitions live in
 * src/supervise/agent-state.ts.
 */

export const AGENT_STATES = [
  'pending',
  'waiting',
  'starting',
  'running',
  'stopping',
  'stopped',
  'exited',
  'backoff',
  'failed',
  'blocked',
] as const;

export type AgentStateName = (typeof AGENT_STATES)[number];
