/**
 * Builds the agent detail of one instance for the dashboard: its resolved
 * configuration with secrets masked, its probes with their last results, its
 * last 20 events, its restart history (from the events, so restarts before a
 * daemon restart are there too) and its alerts. Pure: the daemon passes
 * everything in.
 */

import type { OrchestraEvent } from '../events/event.js';
import { maskDeep, maskedEnv } from '../plan/secrets.js';
import type { AgentSpec, ProbeSpec } from '../plan/spec.js';
import type { AgentDetailView, ProbeView, RestartView } from '../report/agent-detail-view.js';
import type { AlertSnapshot, EventSnapshot } from '../report/status-snapshot.js';
import type { AgentStatus } from '../supervise/status.js';

/** How many of the instance's events the detail lists. */
export const DETAIL_EVENTS = 20;

export interface DetailInput {
  spec: AgentSpec;
  status?: AgentStatus;
  alerts: AlertSnapshot[];
  /** Recent events of the whole fleet as the snapshot shows them (masked, marked earlier), oldest first. */
  events: readonly EventSnapshot[];
  /** The raw events, oldest first, for exit codes and restart reasons. */
  raw: readonly OrchestraEvent[];
  secrets: readonly string[];
}

function checkText(p: ProbeSpec): string {
  switch (p.kind) {
    case 'http':
      return `http ${p.url}`;
    case 'tcp':
      return `tcp ${p.host}:${p.port}`;
    case 'log':
      return `log line matching /${p.pattern}/`;
    case 'exec':
      return `exec ${p.command.join(' ')}`;
  }
}

function probeView(kind: ProbeView['kind'], spec: ProbeSpec | undefined, status: AgentStatus | undefined, secrets: readonly string[]): ProbeView[] {
  if (!spec) return [];
  const view: ProbeView = { kind, check: maskDeep(checkText(spec), secrets), every: `${spec.intervalMs / 1000}s` };
  const last = status?.probes[kind];
  if (last) view.last = { ok: last.ok, message: maskDeep(last.message, secrets), at: new Date(last.at).toISOString(), failures: last.failures };
  return [view];
}

function exitText(e: { code: number | null; signal: string | null }): string {
  return e.signal ? `signal ${e.signal}` : `exit ${e.code}`;
}

/** Every restart of the instance in the events: automatic ones with the exit that caused them. */
function restarts(name: string, raw: readonly OrchestraEvent[]): RestartView[] {
  const out: RestartView[] = [];
  let lastExit: string | undefined;
  for (const e of raw) {
    if (!('agent' in e) || e.agent !== name) continue;
    if (e.type === 'agent-exited') lastExit = exitText(e);
    if (e.type === 'restart-scheduled' || e.type === 'agent-restarting') {
      const row: RestartView = { at: e.time, reason: e.reason };
      if (e.type === 'restart-scheduled' && lastExit !== undefined) row.exit = lastExit;
      out.push(row);
      lastExit = undefined;
    }
  }
  return out.reverse();
}

/** The detail of one instance. */
export function agentDetail(input: DetailInput): AgentDetailView {
  const { spec, status, secrets } = input;
  const config = maskDeep({ ...spec, env: maskedEnv(spec) }, secrets);
  return {
    name: spec.name,
    agent: spec.agent,
    state: status?.state ?? 'not started',
    config: JSON.stringify(config, null, 2),
    probes: [...probeView('readiness', spec.readiness, status, secrets), ...probeView('liveness', spec.liveness, status, secrets)],
    events: input.events.filter((e) => e.agent === spec.name).slice(-DETAIL_EVENTS).reverse(),
    restarts: restarts(spec.name, input.raw),
    alerts: input.alerts,
  };
}
