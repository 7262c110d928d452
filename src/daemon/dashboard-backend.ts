/**
 * DashboardBackend: what the dashboard server needs from whoever runs the
 * fleet (the daemon, or a test). The server only validates, serializes and
 * reports; every action and every snapshot comes from here.
 */

import type { AgentDetailView } from '../report/agent-detail-view.js';
import type { HistoryView } from '../report/history-view.js';
import type { StatusSnapshot } from '../report/status-snapshot.js';

/** Where an instance's output is, and what must be masked in it. */
export interface LogSource {
  file: string;
  /** Secret values to replace with `***` in every line. */
  secrets: readonly string[];
}

export interface DashboardBackend {
  /** The fleet as it is now. */
  snapshot(): StatusSnapshot | Promise<StatusSnapshot>;
  /** Calls `listener` whenever something changed (an event, fresh usage figures); returns unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Someone keeps the dashboard open (an event stream): usage counts as watched until the returned function is called. */
  watch?(): () => void;
  /** Starts these instances or manifest agents; resolves to a human result message, rejects with a user-facing Error. */
  start(names: string[]): Promise<string>;
  /** Stops these instances or manifest agents gracefully. */
  stop(names: string[]): Promise<string>;
  /** Restarts these instances or manifest agents. */
  restart(names: string[]): Promise<string>;
  /** Reloads these instances or manifest agents in place; rejects with the reasons when any reload failed. */
  reload(names: string[]): Promise<string>;
  /** Starts everything in dependency order. */
  startAll(): Promise<string>;
  /** Stops everything in reverse dependency order. */
  stopAll(): Promise<string>;
  /** Stops everything, then starts everything. */
  restartAll(): Promise<string>;
  /** The log file of one instance (which may not exist yet). */
  logSource(instance: string): LogSource | Promise<LogSource>;
  /** Emergency stop: SIGKILL every process group at once. */
  kill(): Promise<string>;
  /** The detail of one instance (config masked, probes, events, restarts, alerts). */
  detail(instance: string): Promise<AgentDetailView>;
  /** The applied revisions, newest first. */
  history(): Promise<HistoryView>;
  /** What changed from revision `n` to the applied one, in the words of `orchestra diff`; rejects with a `status` (404, 409) for a bad number. */
  diffRevision(n: number): Promise<string>;
  /** The plan of rolling back to revision `n`, before anything happens. */
  rollbackPlan(n: number): Promise<{ text: string; changes: boolean }>;
  /** Rolls back to revision `n` through the fleet's serial queue; resolves to a human result. */
  rollback(n: number): Promise<string>;
}
