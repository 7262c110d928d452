/**
 * AgentDetailView: what the dashboard's agent detail shows for one instance,
 * already masked and reduced to text. The daemon builds it (agent-detail.ts);
 * the status page templates render it.
 */

import type { AlertSnapshot, EventSnapshot } from './status-snapshot.js';

export interface ProbeView {
  kind: 'readiness' | 'liveness';
  /** What is checked: `http http://…`, `tcp 127.0.0.1:6379`, `exec …`, `log /ready/`. */
  check: string;
  every: string;
  /** The last result, when the probe has run. */
  last?: { ok: boolean; message: string; at: string; failures: number };
}

export interface RestartView {
  at: string;
  reason: string;
  /** `exit 1`, `signal SIGKILL`, or absent when the restart was not caused by an exit. */
  exit?: string;
}

export interface AgentDetailView {
  name: string;
  agent: string;
  state: string;
  /** The resolved configuration of the instance as JSON, secret values masked. */
  config: string;
  probes: ProbeView[];
  /** Newest first, at most 20. */
  events: EventSnapshot[];
  /** Newest first. */
  restarts: RestartView[];
  alerts: AlertSnapshot[];
}
