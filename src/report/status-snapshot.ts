/**
 * StatusSnapshot: everything a renderer needs to show the fleet at one
 * moment. The daemon builds it from the engine's status and the event log;
 * the CLI `status`, the static page and the dashboard only render it.
 */

import type { AgentStateName } from '../plan/state-name.js';
import type { AgentType, DependencyCondition } from '../plan/spec.js';

export type HealthLevel = 'green' | 'yellow' | 'red';

/** One active alert on an agent. */
export interface AlertSnapshot {
  kind: 'cpu' | 'memory' | 'liveness' | 'readiness' | 'restarts';
  level: 'warn' | 'critical';
  message: string;
  since: string;
}

/** One agent instance as it is now. */
export interface AgentSnapshot {
  name: string;
  agent: string;
  type: AgentType;
  description?: string;
  state: AgentStateName;
  /** ISO time the current state was entered. */
  stateSince: string;
  /** Why it is in this state (blocked on X, failed after N attempts, …). */
  reason?: string;
  pid?: number;
  uptimeMs?: number;
  cpuPercent?: number;
  rssBytes?: number;
  restarts: number;
  health: number;
  healthLevel: HealthLevel;
  lastExit?: { code: number | null; signal: string | null; at: string; reason: string };
  alerts: AlertSnapshot[];
  /** Recent samples, oldest first, one per `intervalMs`, for sparklines. */
  history: { intervalMs: number; cpuPercent: number[]; rssBytes: number[] };
  /** argv as configured, secrets already masked. */
  command: string[];
  dependsOn: { agent: string; condition: DependencyCondition; restart: boolean }[];
  /** It has `reload.signal` or `reload.command`. */
  reloadable?: true;
}

/** One recent event, already rendered to a message. */
export interface EventSnapshot {
  time: string;
  type: string;
  agent?: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  /** Happened before the current daemon started (read back from events.jsonl). */
  earlier?: true;
}

/** The agent boundary in use (docs/supervision.md). */
export interface BoundarySnapshot {
  kind: 'cgroup' | 'tree';
  /** Why the cgroup boundary is not used. */
  reason?: string;
  /** The project's cgroup directory. */
  path?: string;
  /** The cgroup delegated to a non-root daemon that holds the project's. */
  delegated?: string;
}

/** One line for humans: `cgroup v2 (<path>)`, `cgroup v2 (delegated: <path>)` or `process tree (<reason>)`. */
export function describeBoundary(b: BoundarySnapshot): string {
  if (b.kind === 'tree') return `process tree${b.reason ? ` (${b.reason})` : ''}`;
  const detail = boundaryDetail(b);
  return `cgroup v2${detail ? ` (${detail})` : ''}`;
}

/** The part in parentheses: the project's cgroup (marked delegated when not as root), or the fallback's reason. */
export function boundaryDetail(b: BoundarySnapshot): string | undefined {
  if (b.kind === 'tree') return b.reason;
  return b.delegated !== undefined && b.path !== undefined ? `delegated: ${b.path}` : b.path;
}

/** The whole fleet at one moment. */
export interface StatusSnapshot {
  project: string;
  generatedAt: string;
  daemon?: { pid: number; startedAt: string };
  /** What holds each agent's processes: a cgroup v2 per instance, or the process tree (with why no cgroup). */
  boundary?: BoundarySnapshot;
  revision?: {
    number: number;
    appliedAt: string;
    environment?: string;
    gitCommit?: string;
    gitDirty?: boolean;
    summary?: string;
  };
  agents: AgentSnapshot[];
  /** Agent-level dependency graph: startup levels and edges (`from` waits for `to`). */
  graph: {
    levels: string[][];
    edges: { from: string; to: string; condition: DependencyCondition; restart: boolean }[];
  };
  /** Newest last. */
  events: EventSnapshot[];
}
