/**
 * The status snapshot of one instance, as the CLI, the daemon API and the
 * status page read it. Pure projection of an instance's fields and of what
 * the monitor observed of it at `now`.
 */

import type { ExitInfo } from './agent-state.js';
import { healthColor, healthScore, type HealthColor } from './health.js';
import type { AgentStateName } from '../plan/state-name.js';
import type { ThresholdLevel } from './thresholds.js';
import type { Instance, ProbeStatus } from './instance.js';
import type { Observed } from './monitor.js';

export interface AgentStatus {
  name: string;
  agent: string;
  state: AgentStateName;
  /** State detail: the reason of failed/blocked/stopped/backoff, the dependencies waited on. */
  detail?: string;
  pid?: number;
  /** ISO time the current state began. */
  since: string;
  /** Ms since the current process started; 0 without a process. */
  uptimeMs: number;
  /** Restarts in this engine's lifetime. */
  restarts: number;
  recentRestarts: { at: string; reason: string }[];
  lastExit?: { code: number | null; signal: string | null; at: string };
  cpu?: number;
  rss?: number;
  health: number;
  color: HealthColor;
  alerts: { metric: 'cpu' | 'memory'; level: ThresholdLevel }[];
  probes: { readiness?: ProbeStatus; liveness?: ProbeStatus };
}

function detailOf(i: Instance): string | undefined {
  const s = i.state;
  switch (s.name) {
    case 'waiting':
      return s.on.length > 0 ? `waiting for ${s.on.join(', ')}` : undefined;
    case 'backoff':
      return `restart at ${new Date(s.until).toISOString()} (${s.reason})`;
    case 'failed':
    case 'blocked':
    case 'stopped':
    case 'stopping':
      return s.reason;
    case 'exited':
      return s.completed ? 'completed' : undefined;
    case 'running':
      return i.spec.type === 'oneshot' ? 'running to completion' : undefined;
    case 'pending':
    case 'starting':
      return undefined;
  }
}

function exitOf(e: ExitInfo): { code: number | null; signal: string | null; at: string } {
  return { code: e.code, signal: e.signal, at: new Date(e.at).toISOString() };
}

/** Projects an instance, with what the monitor observed of it, to its status at `now`. */
export function statusOf(i: Instance, now: number, seen: Observed): AgentStatus {
  const s = i.state;
  const startedAt = s.name === 'starting' || s.name === 'running' || s.name === 'stopping' ? s.startedAt : undefined;
  const alerts = (['cpu', 'memory'] as const)
    .filter((m) => seen.levels[m] !== 'ok')
    .map((m) => ({ metric: m, level: seen.levels[m] }));
  const probeFailures = (s.name === 'starting' ? i.readiness?.failures : i.liveness?.failures) ?? 0;
  const health = healthScore({
    state: s.name,
    ...(s.name === 'exited' ? { cleanExit: s.completed || s.exit.code === 0 } : {}),
    restartTimes: i.restarts.failureTimes,
    probeFailures,
    breaches: alerts.map((a) => a.level),
    now,
  });
  const out: AgentStatus = {
    name: i.name,
    agent: i.spec.agent,
    state: s.name,
    since: new Date(s.since).toISOString(),
    uptimeMs: startedAt !== undefined ? Math.max(0, now - startedAt) : 0,
    restarts: i.restarts.count,
    recentRestarts: i.restarts.log.map((r) => ({ at: new Date(r.at).toISOString(), reason: r.reason })),
    health,
    color: healthColor(health),
    alerts,
    probes: {},
  };
  const detail = detailOf(i);
  if (detail !== undefined) out.detail = detail;
  if (i.pid !== undefined) out.pid = i.pid;
  if (i.lastExit) out.lastExit = exitOf(i.lastExit);
  if (seen.usage) (out.cpu = seen.usage.cpu), (out.rss = seen.usage.rss);
  if (i.readiness) out.probes.readiness = i.readiness;
  if (i.liveness) out.probes.liveness = i.liveness;
  return out;
}
