/**
 * Observed status: what the supervisor reports about each running instance,
 * as the planner sees it. Owns only the shape and the state predicates the
 * planner needs; it must not know how status is gathered (that is the
 * daemon's job).
 */

import type { AgentType } from './spec.js';
import type { AgentStateName } from './state-name.js';

/** One instance as the supervisor sees it right now. */
export interface ObservedAgent {
  name: string;
  state: AgentStateName;
  pid?: number;
}

/**
 * True when the supervisor is still looking after the instance: it runs, is
 * on its way up, or is waiting to be restarted. `stopped`, `exited` and
 * `failed` are at rest, so there is nothing to stop.
 */
export function isActive(state: AgentStateName): boolean {
  switch (state) {
    case 'pending':
    case 'waiting':
    case 'starting':
    case 'running':
    case 'stopping':
    case 'backoff':
    case 'blocked':
      return true;
    case 'stopped':
    case 'exited':
    case 'failed':
      return false;
  }
}

/**
 * Why a wanted instance must be brought back, or undefined when its observed
 * state is fine. A oneshot that exited is done, not down; a service that
 * exited, stopped or failed is down.
 */
export function needsRecovery(state: AgentStateName, type: AgentType): string | undefined {
  switch (state) {
    case 'failed':
      return 'observed failed';
    case 'stopped':
      return 'observed stopped';
    case 'exited':
      return type === 'service' ? 'service exited' : undefined;
    default:
      return undefined;
  }
}

/** Indexes observations by instance name. */
export function observedByName(observed: readonly ObservedAgent[]): Map<string, ObservedAgent> {
  return new Map(observed.map((o) => [o.name, o]));
}
