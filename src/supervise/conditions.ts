/**
 * Dependency conditions: whether an instance's state satisfies `started`,
 * `ready` or `completed` for a dependent, cannot any more (the dependent is
 * then blocked), or may later. Pure.
 */

import type { DependencyCondition } from '../plan/spec.js';
import type { AgentState } from './agent-state.js';

export type ConditionStatus = { kind: 'met' } | { kind: 'unmet' } | { kind: 'broken'; reason: string };

/** Evaluates one condition on the depended-on instance `name` in `state`. */
export function conditionStatus(name: string, state: AgentState, condition: DependencyCondition): ConditionStatus {
  switch (state.name) {
    case 'failed':
      return { kind: 'broken', reason: `dependency ${name} failed: ${state.reason}` };
    case 'blocked':
      return { kind: 'broken', reason: `dependency ${name} is blocked: ${state.reason}` };
    case 'stopped':
      return { kind: 'broken', reason: `dependency ${name} is stopped (${state.reason})` };
    case 'pending':
    case 'waiting':
    case 'backoff':
    case 'stopping':
      return { kind: 'unmet' };
    case 'starting':
      return condition === 'started' ? { kind: 'met' } : { kind: 'unmet' };
    case 'running':
      return condition === 'completed' ? { kind: 'unmet' } : { kind: 'met' };
    case 'exited':
      if (state.completed) return { kind: 'met' };
      return condition === 'started' ? { kind: 'met' } : { kind: 'broken', reason: `dependency ${name} exited without completing` };
  }
}
