/**
 * Renders a StatusSnapshot as the terminal table of `orchestra status`.
 * Pure: colour is a parameter, and time comes from the snapshot.
 */

import pc from 'picocolors';
import { describeBoundary, type AgentSnapshot, type HealthLevel, type StatusSnapshot } from './status-snapshot.js';
import type { AgentStateName } from '../plan/state-name.js';
import { formatSize } from '../util/units.js';

type Paint = (text: string) => string;

const STATE_TONE: Record<AgentStateName, 'good' | 'busy' | 'bad' | 'quiet'> = {
  running: 'good',
  exited: 'quiet',
  pending: 'busy',
  waiting: 'busy',
  starting: 'busy',
  stopping: 'busy',
  backoff: 'bad',
  stopped: 'quiet',
  failed: 'bad',
  blocked: 'bad',
};

/** Compact uptime: `45s`, `12m`, `3h05m`, `2d04h`. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

function painter(color: boolean) {
  const id: Paint = (t) => t;
  return {
    tone: (tone: 'good' | 'busy' | 'bad' | 'quiet'): Paint =>
      !color ? id : tone === 'good' ? pc.green : tone === 'busy' ? pc.yellow : tone === 'bad' ? pc.red : pc.dim,
    health: (level: HealthLevel): Paint => (!color ? id : level === 'green' ? pc.green : level === 'yellow' ? pc.yellow : pc.red),
    bold: color ? pc.bold : id,
    dim: color ? pc.dim : id,
  };
}

function row(agent: AgentSnapshot): string[] {
  const exit = agent.lastExit ? (agent.lastExit.signal ?? `exit ${agent.lastExit.code}`) : '';
  return [
    agent.name,
    agent.state,
    agent.pid !== undefined ? String(agent.pid) : '-',
    agent.uptimeMs !== undefined ? formatUptime(agent.uptimeMs) : '-',
    agent.cpuPercent !== undefined ? `${agent.cpuPercent.toFixed(1)}%` : '-',
    agent.rssBytes !== undefined ? formatSize(agent.rssBytes) : '-',
    String(agent.restarts),
    `${agent.health} ${agent.healthLevel}`,
    [agent.reason ?? '', exit && agent.state !== 'running' ? `(last: ${exit})` : ''].filter(Boolean).join(' '),
  ];
}

/** How many of the newest events follow the table. */
const RECENT_EVENT_LINES = 5;

/** The status table with a header line naming the project and revision. */
export function renderStatusTable(snapshot: StatusSnapshot, options: { color: boolean }): string {
  const p = painter(options.color);
  const header = ['NAME', 'STATE', 'PID', 'UPTIME', 'CPU', 'MEMORY', 'RESTARTS', 'HEALTH', 'REASON'];
  const rows = snapshot.agents.map(row);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const pad = (cells: string[], paint: (cell: string, i: number) => string): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? paint(cell, i) : paint(cell.padEnd(widths[i]!), i)))
      .join('  ')
      .trimEnd();
  const rev = snapshot.revision;
  const title = rev
    ? `${snapshot.project}  revision ${rev.number}${rev.environment ? ` (${rev.environment})` : ''}, applied ${rev.appliedAt}` +
      (rev.gitCommit ? `, git ${rev.gitCommit.slice(0, 8)}${rev.gitDirty ? '+dirty' : ''}` : '')
    : `${snapshot.project}  nothing applied yet`;
  const lines = [p.bold(title)];
  if (snapshot.boundary) lines.push(p.dim(`boundary: ${describeBoundary(snapshot.boundary)}`));
  lines.push(p.dim(pad(header, (c) => c)));
  snapshot.agents.forEach((agent, n) => {
    lines.push(
      pad(rows[n]!, (cell, i) =>
        i === 1 ? p.tone(STATE_TONE[agent.state])(cell) : i === 7 ? p.health(agent.healthLevel)(cell) : cell,
      ),
    );
  });
  if (snapshot.agents.length === 0) lines.push(p.dim('(no agents)'));
  const recent = snapshot.events.slice(-RECENT_EVENT_LINES);
  if (recent.length > 0) {
    lines.push('', p.bold('Recent events'));
    for (const e of recent) {
      const earlier = e.earlier ? ` ${p.dim('[before daemon restart]')}` : '';
      lines.push(`  ${e.time}${earlier}  ${e.agent ? `${e.agent}: ` : ''}${e.message}`);
    }
  }
  return lines.join('\n') + '\n';
}
