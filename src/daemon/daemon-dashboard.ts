/**
 * The daemon as a DashboardBackend (the status page writer is page-writer.ts).
 * Every dashboard action goes through the daemon's own serial queue, so the
 * dashboard and the CLI never interleave their changes.
 */

import { planSecretValues } from '../plan/secrets.js';
import { logSecrets } from './page-extras.js';
import { agentDetail, type DetailInput } from './agent-detail.js';
import { eventSnapshot } from './snapshot-builder.js';
import { loadHistory, olderRevision, revisionDiffText, rollbackPlanText } from './dashboard-history.js';
import type { Daemon } from './daemon.js';
import type { DashboardBackend } from './dashboard-backend.js';

function described(verb: string, result: { agents: string[]; settled: boolean }): string {
  const names = result.agents.join(', ') || 'nothing';
  return result.settled ? `${verb} ${names}` : `${verb} requested for ${names}; still in progress`;
}

/** Adapts a Daemon to what the dashboard server calls. */
export function daemonBackend(daemon: Daemon): DashboardBackend {
  return {
    snapshot: () => daemon.snapshotForViewer(),
    subscribe: (listener) => {
      // Fresh figures are a change too: an open dashboard's CPU and memory move without events.
      const offEvents = daemon.onEvent(() => listener());
      const offRounds = daemon.onUsageRound(() => listener());
      return () => (offEvents(), offRounds());
    },
    watch: () => daemon.watchUsage(),
    start: async (names) => described('started', await daemon.control('start', names)),
    stop: async (names) => described('stopped', await daemon.control('stop', names)),
    restart: async (names) => described('restarted', await daemon.control('restart', names)),
    reload: async (names) => {
      const r = await daemon.reload(names);
      if (r.failed.length > 0) throw new Error(r.failed.map((f) => `${f.name} not reloaded: ${f.reason}`).join('; '));
      return `reloaded ${r.reloaded.join(', ')}`;
    },
    startAll: async () => described('started', await daemon.control('start', 'all')),
    stopAll: async () => described('stopped', await daemon.control('stop', 'all')),
    restartAll: async () => {
      await daemon.control('stop', 'all');
      return described('restarted', await daemon.control('start', 'all'));
    },
    kill: async () => {
      await daemon.kill();
      return 'emergency stop: every agent was killed';
    },
    detail: async (instance) => {
      const applied = daemon.planState().applied;
      const spec = applied?.plan.instances.find((i) => i.name === instance);
      if (!applied || !spec) throw Object.assign(new Error(`unknown instance \`${instance}\``), { status: 404 });
      const start = daemon.startedAt.getTime();
      const input: DetailInput = {
        spec,
        alerts: daemon.snapshot().agents.find((a) => a.name === instance)?.alerts ?? [],
        events: daemon.recentEvents().map((e) => eventSnapshot(e, start)),
        raw: daemon.recentEvents(),
        secrets: planSecretValues(applied.plan),
      };
      const status = daemon.reconciler.engine?.status().find((s) => s.name === instance);
      if (status) input.status = status;
      return agentDetail(input);
    },
    history: () => loadHistory(daemon.paths.dir, daemon.planState().applied?.number),
    diffRevision: (n) => revisionDiffText(daemon.paths.dir, n, daemon.planState().applied),
    rollbackPlan: async (n) => {
      const state = daemon.planState();
      const { text, changes } = await rollbackPlanText(daemon.paths.dir, n, state.applied, state.observed);
      return { text, changes };
    },
    rollback: async (n) => {
      const revision = await olderRevision(daemon.paths.dir, n, daemon.planState().applied);
      const outcome = await daemon.apply({ plan: revision.plan, envFileHashes: revision.envFileHashes, rollbackOf: n });
      if (outcome.kind === 'unchanged') return `nothing to change: what runs already matches revision ${n}`;
      const failed = outcome.execution.failed.length > 0 ? `; failed: ${outcome.execution.failed.map((f) => `${f.name} (${f.state})`).join(', ')}` : '';
      return `rolled back to revision ${n} as revision ${outcome.revision.number}: ${outcome.revision.summary.text}${failed}`;
    },
    logSource: async (instance) => ({
      file: daemon.paths.logFile(instance),
      secrets: await logSecrets(daemon.paths.dir, daemon.planState().applied),
    }),
  };
}

/** One dashboard per daemon, started on demand. */
export class DashboardHost {
  #running: Promise<{ url: string; token: string; port: number; close(): Promise<void> }> | undefined;

  constructor(private readonly daemon: Daemon) {}

  /** Starts the dashboard (or returns the one already running). */
  async open(port: number | undefined): Promise<{ url: string; port: number }> {
    // Loaded on first use: most daemons never serve a dashboard, and loading it slowed every cold start.
    this.#running ??= import('./dashboard-server.js').then(({ startDashboardServer }) =>
      startDashboardServer(daemonBackend(this.daemon), port === undefined ? {} : { port }),
    );
    try {
      const server = await this.#running;
      return { url: server.url, port: server.port };
    } catch (error) {
      this.#running = undefined;
      throw error;
    }
  }

  /** Stops the dashboard if it runs. */
  async close(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    if (running) await (await running).close();
  }
}
