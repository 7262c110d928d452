/**
 * The typed events of orchestra: the engine's only output. Renderers (the
 * terminal, the JSONL log, the status page) turn them into text; nothing here
 * prints or writes. Every event has a kebab-case `type`, an ISO `time`, the
 * instance name (`agent`) when it is about one instance, and a human
 * `message`.
 */

import type { AgentStateName } from '../plan/state-name.js';

interface EventBase<T extends string> {
  type: T;
  /** ISO 8601. */
  time: string;
  message: string;
}

interface AgentEventBase<T extends string> extends EventBase<T> {
  /** Instance name, e.g. `api-0`. */
  agent: string;
}

export type OrchestraEvent =
  | (AgentEventBase<'agent-waiting'> & { on: string[] })
  | (AgentEventBase<'agent-starting'> & { attempt: number })
  | (AgentEventBase<'agent-started'> & { pid: number; attempt: number })
  | (AgentEventBase<'agent-ready'> & { pid: number; afterMs: number })
  | (AgentEventBase<'agent-exited'> & { pid: number; code: number | null; signal: string | null; runMs: number; /** Processes the run left in its boundary, SIGKILLed as it ended by itself. */ leftovers?: number[] })
  | (AgentEventBase<'agent-completed'> & { runMs: number })
  | (AgentEventBase<'restart-scheduled'> & { reason: string; delayMs: number; attempt: number; failures: number })
  | (AgentEventBase<'agent-restarting'> & { reason: string; attempt: number })
  | (AgentEventBase<'agent-failed'> & { reason: string })
  | (AgentEventBase<'agent-blocked'> & { reason: string; dependency: string })
  | (AgentEventBase<'agent-stopping'> & { reason: string; pid: number })
  | (AgentEventBase<'agent-stopped'> & { reason: string; killed: boolean; survivors: number[]; /** Killed after the stop signal's targets were gone (escapes it did not reach). */ swept?: number[] })
  | (AgentEventBase<'agent-adopted'> & { pid: number })
  | (AgentEventBase<'agent-forked'> & { pid: number; launcher: number })
  | (AgentEventBase<'stop-command-failed'> & { reason: string })
  | (AgentEventBase<'agent-reloaded'> & { pid: number; by: string })
  | (AgentEventBase<'reload-failed'> & { reason: string })
  | (AgentEventBase<'state-changed'> & { from: AgentStateName; to: AgentStateName })
  | (AgentEventBase<'probe-failed'> & { probe: 'readiness' | 'liveness'; failures: number; reason: string })
  | (AgentEventBase<'threshold-breached'> & { metric: 'cpu' | 'memory'; level: 'warn' | 'critical'; value: number; limit: number; heldMs: number; action?: 'alert' | 'restart' | 'stop' })
  | (AgentEventBase<'threshold-cleared'> & { metric: 'cpu' | 'memory'; from: 'warn' | 'critical'; value: number })
  | (AgentEventBase<'log-rotated'> & { file: string; bytes: number; frozenMs: number; lossless: boolean })
  | (EventBase<'emergency-stop'> & { agents: string[]; survivors: number[] })
  | (EventBase<'plan-updated'> & { instances: number })
  | (EventBase<'notify-failed'> & { kind: string; reason: string });

export type OrchestraEventType = OrchestraEvent['type'];

/** An event before the engine stamps its time. */
export type EventInput = OrchestraEvent extends infer E ? (E extends OrchestraEvent ? Omit<E, 'time'> : never) : never;

/** Builds an event with its time filled in; the message stays the caller's. */
export function makeEvent(now: number, event: EventInput): OrchestraEvent {
  return { ...event, time: new Date(now).toISOString() } as OrchestraEvent;
}
