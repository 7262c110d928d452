/**
 * Builds a StatusSnapshot from the engine's status, the applied Plan, the
 * applied revision and recent events. Pure: the daemon passes everything in,
 * including the time.
 */

import type { OrchestraEvent } from '../events/event.js';
import type { AgentSpec, Plan } from '../plan/spec.js';
import { maskDeep, secretValues } from '../plan/secrets.js';
import { agentGraph } from '../graph/agent-graph.js';
import type { AgentStatus } from '../supervise/status.js';
import type { RevisionSummary } from './revisions.js';
import type { UsageHistory } from './usage-history.js';
import type { AgentSnapshot, BoundarySnapshot, EventSnapshot, StatusSnapshot } from '../report/status-snapshot.js';

export interface SnapshotInput {
  now: Date;
  project: string;
  plan?: Plan;
  status: readonly AgentStatus[];
  revision?: RevisionSummary;
  events: readonly OrchestraEvent[];
  history: UsageHistory;
  daemon?: { pid: number; startedAt: string };
  boundary?: BoundarySnapshot;
}

const ERROR_EVENTS = new Set(['agent-failed', 'agent-blocked', 'emergency-stop']);
const WARNING_EVENTS = new Set(['restart-scheduled', 'probe-failed', 'threshold-breached', 'agent-exited', 'stop-command-failed', 'reload-failed', 'notify-failed']);

/** The severity a renderer shows for an event. */
export function eventSeverity(event: OrchestraEvent): EventSnapshot['severity'] {
  if (ERROR_EVENTS.has(event.type)) return 'error';
  if (event.type === 'threshold-breached' && event.level === 'critical') return 'error';
  if (event.type === 'agent-exited' && event.code === 0) return 'info';
  return WARNING_EVENTS.has(event.type) ? 'warning' : 'info';
}

function lastExitReason(exit: NonNullable<AgentStatus['lastExit']>): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null) return 'exit code unknown (adopted process)';
  return exit.code === 0 ? 'exited cleanly' : `exited with code ${exit.code}`;
}

function agentSnapshot(status: AgentStatus, spec: AgentSpec | undefined, history: UsageHistory): AgentSnapshot {
  const samples = history.byInstance.get(status.name) ?? { cpu: [], rss: [] };
  const out: AgentSnapshot = {
    name: status.name,
    agent: status.agent,
    type: spec?.type ?? 'service',
    state: status.state,
    stateSince: status.since,
    restarts: status.restarts,
    health: status.health,
    healthLevel: status.color,
    alerts: status.alerts.map((a) => ({
      kind: a.metric,
      level: a.level === 'critical' ? 'critical' : 'warn',
      message: `${a.metric} above its ${a.level} threshold`,
      since: status.since,
    })),
    history: { intervalMs: history.intervalMs, cpuPercent: [...samples.cpu], rssBytes: [...samples.rss] },
    command: spec ? maskDeep([...spec.command], secretValues([spec])) : [],
    dependsOn: spec ? spec.dependsOn.map((d) => ({ agent: d.agent, condition: d.condition, restart: d.restart })) : [],
    ...(spec && (spec.reload?.signal ?? spec.reload?.command) ? { reloadable: true as const } : {}),
  };
  if (spec?.description !== undefined) out.description = spec.description;
  if (status.detail !== undefined) out.reason = status.detail;
  if (status.pid !== undefined) out.pid = status.pid;
  if (status.pid !== undefined && status.uptimeMs > 0) out.uptimeMs = status.uptimeMs;
  if (status.cpu !== undefined) out.cpuPercent = status.cpu;
  if (status.rss !== undefined) out.rssBytes = status.rss;
  if (status.lastExit) out.lastExit = { ...status.lastExit, reason: lastExitReason(status.lastExit) };
  return out;
}

/** One event as renderers show it; `daemonStart` (ms) marks the ones from before the current daemon. */
export function eventSnapshot(e: OrchestraEvent, daemonStart: number | undefined): EventSnapshot {
  const out: EventSnapshot = { time: e.time, type: e.type, severity: eventSeverity(e), message: e.message };
  if ('agent' in e) out.agent = e.agent;
  if (daemonStart !== undefined && Date.parse(e.time) < daemonStart) out.earlier = true;
  return out;
}

/** The snapshot every renderer reads. */
export function buildSnapshot(input: SnapshotInput): StatusSnapshot {
  const daemonStart = input.daemon ? Date.parse(input.daemon.startedAt) : undefined;
  const specs = new Map(input.plan?.instances.map((i) => [i.name, i]));
  const snapshot: StatusSnapshot = {
    project: input.project,
    generatedAt: input.now.toISOString(),
    agents: input.status.map((s) => agentSnapshot(s, specs.get(s.name), input.history)),
    graph: { levels: [], edges: [] },
    events: input.events.map((e) => eventSnapshot(e, daemonStart)),
  };
  if (input.daemon) snapshot.daemon = input.daemon;
  if (input.boundary) snapshot.boundary = { ...input.boundary };
  if (input.plan) {
    const { graph } = agentGraph(input.plan);
    snapshot.graph = {
      levels: graph.levels,
      edges: graph.edges.map((e) => ({ from: e.from, to: e.to, condition: e.condition, restart: e.restart })),
    };
  }
  const rev = input.revision;
  if (rev) {
    snapshot.revision = { number: rev.number, appliedAt: rev.time, summary: rev.summary.text };
    if (rev.environment !== undefined) snapshot.revision.environment = rev.environment;
    if (rev.git) (snapshot.revision.gitCommit = rev.git.commit), (snapshot.revision.gitDirty = rev.git.dirty);
  }
  return snapshot;
}
