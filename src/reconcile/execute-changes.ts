/**
 * Carries out a ChangeSet on a running engine, in the order the planner
 * chose: stops (reverse dependency order) first, then the new specs, then
 * restarts and starts in dependency order. It decides nothing; diff() did.
 */

import type { ChangeSet } from '../plan/change-set.js';
import type { Plan } from '../plan/spec.js';
import type { Engine } from '../supervise/engine.js';

/** The engine operations this module needs (the Engine class provides them). */
export type ChangeTarget = Pick<Engine, 'stop' | 'updatePlan' | 'restart' | 'start' | 'status' | 'reload'>;

export interface ExecutionOutcome {
  stopped: string[];
  restarted: string[];
  started: string[];
  updated: string[];
  reloaded: string[];
  /** Instances that should run but ended failed or blocked, with the reason. */
  failed: { name: string; state: string; reason?: string }[];
}

const BAD_STATES = new Set(['failed', 'blocked']);

/**
 * Applies the changes. Dependents that restart only because a dependency with
 * `restart: true` restarts are left to the engine, which restarts them itself
 * when the dependency comes back; restarting them here too would do it twice.
 */
export async function executeChanges(engine: ChangeTarget, desired: Plan, changes: ChangeSet): Promise<ExecutionOutcome> {
  const of = (kind: string): string[] => changes.actions.filter((a) => a.kind === kind).map((a) => a.instance);
  const stopped = of('stop');
  const restarted = changes.actions
    .filter((a) => a.kind === 'restart' && !(a.triggeredBy && a.triggeredBy.length > 0 && (a.fields ?? []).length === 0))
    .map((a) => a.instance);
  const started = [...of('start'), ...of('recover')];
  const updated = of('update');
  const reloads = of('reload');

  if (stopped.length > 0) await engine.stop(stopped, 'removed from the manifest or disabled');
  engine.updatePlan(desired);
  if (restarted.length > 0) await engine.restart(restarted, 'configuration changed');
  if (started.length > 0) await engine.start(started);
  // After the new specs, so a reload that changed with the files uses its new signal or command.
  const reloadOutcomes = reloads.length > 0 ? await engine.reload(reloads) : [];
  const reloaded = reloadOutcomes.filter((o) => o.ok).map((o) => o.name);

  const touched = new Set([...restarted, ...started, ...of('restart')]);
  const failed = engine
    .status()
    .filter((s) => touched.has(s.name) && BAD_STATES.has(s.state))
    .map((s) => {
      const f: ExecutionOutcome['failed'][number] = { name: s.name, state: s.state };
      if (s.detail !== undefined) f.reason = s.detail;
      return f;
    });
  for (const o of reloadOutcomes) if (!o.ok) failed.push({ name: o.name, state: 'reload-failed', ...(o.reason !== undefined ? { reason: o.reason } : {}) });
  return { stopped, restarted, started, updated, reloaded, failed };
}
