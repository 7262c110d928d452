/**
 * The status page's view model: a StatusSnapshot turned into display-ready
 * strings and numbers (relative times, units, sparklines, graph layout).
 * Pure: "now" is the snapshot's own `generatedAt`, so the same snapshot
 * always renders the same page. Never builds markup; escaping belongs to
 * the templates.
 */

import { boundaryDetail, type AgentSnapshot, type EventSnapshot, type HealthLevel, type StatusSnapshot } from './status-snapshot.js';
import { formatDuration, formatSize } from '../util/units.js';
import { layoutGraph, type GraphLayout } from './graph-svg.js';
import { sparkline, type Sparkline } from './sparkline.js';

const SPARK_WIDTH = 132;
const SPARK_HEIGHT = 30;
/** The page shows this many events; the snapshot may carry more. */
export const MAX_EVENTS = 50;

const HEALTH_WORD: Record<HealthLevel, string> = { green: 'healthy', yellow: 'degraded', red: 'unhealthy' };

/** States with a live process, where Start makes no sense. */
const STARTED_STATES = new Set(['running', 'starting', 'waiting', 'stopping']);
/** States without a process or a pending restart, where Stop makes no sense. */
const STOPPED_STATES = new Set(['stopped', 'exited']);

export interface AgentView {
  name: string;
  agent: string;
  oneshot: boolean;
  description?: string;
  state: string;
  stateSince: string;
  /** How long it has been in this state: `for 3m`. */
  stateFor: string;
  reason?: string;
  pid?: number;
  uptime?: string;
  cpu?: string;
  memory?: string;
  restarts: number;
  health: number;
  healthLevel: HealthLevel;
  healthWord: string;
  lastExit?: { status: string; reason: string; at: string; age: string };
  alerts: { kind: string; level: string; message: string; since: string; age: string }[];
  cpuSpark?: Sparkline;
  memorySpark?: Sparkline;
  cpuRange?: string;
  memoryRange?: string;
  historySpan: string;
  command: string;
  dependsOn: string;
  canStart: boolean;
  canStop: boolean;
  /** Shown only for agents with a `reload`; enabled while running. */
  reloadable: boolean;
  canReload: boolean;
}

export interface EventView extends EventSnapshot {
  age: string;
}

export interface StatusView {
  project: string;
  generatedAt: string;
  generatedAtText: string;
  daemon?: { pid: number; startedAt: string; age: string };
  /** `cgroup v2` or `process tree`, and the path or the reason as its detail. */
  boundary?: { label: string; detail?: string; fallback: boolean };
  revision?: {
    number: number;
    appliedAt: string;
    age: string;
    environment?: string;
    gitCommit?: string;
    gitShort?: string;
    gitDirty: boolean;
    summary?: string;
  };
  counts: { level: HealthLevel; word: string; count: number }[];
  total: number;
  agents: AgentView[];
  graph: GraphLayout;
  hasGraph: boolean;
  events: EventView[];
  hiddenEvents: number;
}

/** `3m ago`, `in 5s`, or `just now`, from two ISO times; the largest two units only. */
export function relativeTime(iso: string, nowIso: string): string {
  const delta = Date.parse(nowIso) - Date.parse(iso);
  if (!Number.isFinite(delta)) return 'unknown time';
  if (Math.abs(delta) < 1000) return 'just now';
  const text = coarseDuration(Math.abs(delta));
  return delta > 0 ? `${text} ago` : `in ${text}`;
}

/** `for 3m` from an ISO start to now; `just now` under a second, `since …` when the start is unknown. */
export function durationSince(iso: string, nowIso: string): string {
  const delta = Date.parse(nowIso) - Date.parse(iso);
  if (!Number.isFinite(delta)) return `since ${iso}`;
  return delta < 1000 ? 'just now' : `for ${coarseDuration(delta)}`;
}

/** A duration with its two largest units, e.g. `1h58m` rather than `1h58m20s`. */
export function coarseDuration(ms: number): string {
  if (ms < 1000) return formatDuration(ms);
  const days = Math.floor(ms / 86_400_000);
  if (days > 0) {
    const hours = Math.floor((ms % 86_400_000) / 3_600_000);
    return hours > 0 ? `${days}d${hours}h` : `${days}d`;
  }
  const parts = formatDuration(Math.floor(ms / 1000) * 1000).match(/[0-9]+[hms]/g) ?? [];
  return parts.slice(0, 2).join('');
}

/** An ISO time as `2026-11-23 12:00:00 UTC`; the input unchanged when it is not a time. */
export function formatUtc(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC` : iso;
}

/** Percent with one decimal under 10, none above. */
export function formatPercent(value: number): string {
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)}%`;
}

/** argv as one line a user could paste into a shell: words with spaces or quotes are single-quoted. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((word) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}

function exitStatus(exit: NonNullable<AgentSnapshot['lastExit']>): string {
  if (exit.signal) return `signal ${exit.signal}`;
  if (exit.code !== null) return `exit ${exit.code}`;
  return 'exit unknown';
}

function agentView(a: AgentSnapshot, now: string): AgentView {
  const cpuSpark = sparkline(a.history.cpuPercent, { width: SPARK_WIDTH, height: SPARK_HEIGHT, ceiling: 100 });
  const memorySpark = sparkline(a.history.rssBytes, { width: SPARK_WIDTH, height: SPARK_HEIGHT });
  const samples = Math.max(a.history.cpuPercent.length, a.history.rssBytes.length);
  const view: AgentView = {
    name: a.name,
    agent: a.agent,
    oneshot: a.type === 'oneshot',
    state: a.state,
    stateSince: a.stateSince,
    stateFor: durationSince(a.stateSince, now),
    restarts: a.restarts,
    health: Math.round(a.health),
    healthLevel: a.healthLevel,
    healthWord: HEALTH_WORD[a.healthLevel],
    alerts: a.alerts.map((x) => ({ ...x, age: relativeTime(x.since, now) })),
    historySpan: samples > 1 ? coarseDuration((samples - 1) * a.history.intervalMs) : '',
    command: formatCommand(a.command),
    dependsOn: a.dependsOn.map((d) => `${d.agent} ${d.condition}${d.restart ? ' (restarts with it)' : ''}`).join(', '),
    canStart: !STARTED_STATES.has(a.state),
    canStop: !STOPPED_STATES.has(a.state),
    reloadable: a.reloadable === true,
    canReload: a.reloadable === true && (a.state === 'running' || a.state === 'starting'),
  };
  if (a.description !== undefined) view.description = a.description;
  if (a.reason !== undefined) view.reason = a.reason;
  if (a.pid !== undefined) view.pid = a.pid;
  if (a.uptimeMs !== undefined) view.uptime = coarseDuration(a.uptimeMs);
  if (a.cpuPercent !== undefined) view.cpu = formatPercent(a.cpuPercent);
  if (a.rssBytes !== undefined) view.memory = formatSize(a.rssBytes);
  if (a.lastExit) {
    view.lastExit = { status: exitStatus(a.lastExit), reason: a.lastExit.reason, at: a.lastExit.at, age: relativeTime(a.lastExit.at, now) };
  }
  if (cpuSpark) {
    view.cpuSpark = cpuSpark;
    view.cpuRange = `${formatPercent(cpuSpark.min)}–${formatPercent(cpuSpark.max)}`;
  }
  if (memorySpark) {
    view.memorySpark = memorySpark;
    view.memoryRange = `${formatSize(memorySpark.min)}–${formatSize(memorySpark.max)}`;
  }
  return view;
}

const NO_GRAPH: GraphLayout = { width: 0, height: 0, nodes: [], edges: [] };

/** Builds the view model of the whole page. */
export function statusView(snapshot: StatusSnapshot): StatusView {
  const now = snapshot.generatedAt;
  const agents = snapshot.agents.map((a) => agentView(a, now));
  const counts = (['green', 'yellow', 'red'] as const).map((level) => ({
    level,
    word: HEALTH_WORD[level],
    count: agents.filter((a) => a.healthLevel === level).length,
  }));
  const newestFirst = [...snapshot.events].reverse();
  // Without a dependency the graph is a column of every agent, which the cards already show: a sentence says so instead.
  const graph = snapshot.graph.edges.length > 0 ? layoutGraph(snapshot) : NO_GRAPH;
  const view: StatusView = {
    project: snapshot.project,
    generatedAt: now,
    generatedAtText: formatUtc(now),
    counts,
    total: agents.length,
    agents,
    graph,
    hasGraph: graph.nodes.length > 0,
    events: newestFirst.slice(0, MAX_EVENTS).map((e) => ({ ...e, age: relativeTime(e.time, now) })),
    hiddenEvents: Math.max(0, newestFirst.length - MAX_EVENTS),
  };
  if (snapshot.daemon) view.daemon = { ...snapshot.daemon, age: relativeTime(snapshot.daemon.startedAt, now) };
  const b = snapshot.boundary;
  if (b) {
    view.boundary = { label: b.kind === 'cgroup' ? 'cgroup v2' : 'process tree', fallback: b.kind === 'tree' };
    const detail = boundaryDetail(b);
    if (detail !== undefined) view.boundary.detail = detail;
  }
  const r = snapshot.revision;
  if (r) {
    view.revision = { number: r.number, appliedAt: r.appliedAt, age: relativeTime(r.appliedAt, now), gitDirty: r.gitDirty === true };
    if (r.environment !== undefined) view.revision.environment = r.environment;
    if (r.gitCommit !== undefined) {
      view.revision.gitCommit = r.gitCommit;
      view.revision.gitShort = r.gitCommit.slice(0, 10);
    }
    if (r.summary !== undefined) view.revision.summary = r.summary;
  }
  return view;
}
