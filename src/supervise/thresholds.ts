/**
 * Resource thresholds: turn a stream of samples into breach and clear
 * transitions. A level (warn or critical) fires only after the value has
 * stayed at or above it for `forMs`; it clears only after the value has
 * stayed below warn for `forMs` (hysteresis, so a value hovering at the line
 * does not flap). Once critical, a level stays critical until it clears. Pure: samples and `now` are inputs.
 */

import type { LevelThreshold } from '../plan/spec.js';

export type ThresholdLevel = 'ok' | 'warn' | 'critical';
export type Metric = 'cpu' | 'memory';

export interface ThresholdTracker {
  /** The level that has fired and not cleared. */
  active: ThresholdLevel;
  /** Since when the value has continuously been ≥ warn / ≥ critical / < warn; undefined when not. */
  aboveWarnSince?: number;
  aboveCriticalSince?: number;
  belowWarnSince?: number;
}

export type ThresholdChange =
  | { kind: 'breached'; level: 'warn' | 'critical'; value: number; limit: number; heldMs: number }
  | { kind: 'cleared'; from: 'warn' | 'critical'; value: number };

/** A tracker with nothing observed yet. */
export function initialTracker(): ThresholdTracker {
  return { active: 'ok' };
}

/** Folds one sample into the tracker; returns the new tracker and the change, if a level fired or cleared. */
export function observeThreshold(
  spec: LevelThreshold,
  tracker: ThresholdTracker,
  value: number,
  now: number,
): { tracker: ThresholdTracker; change?: ThresholdChange } {
  const warnLine = spec.warn ?? spec.critical;
  const critLine = spec.critical;
  const aboveWarn = warnLine !== undefined && value >= warnLine;
  const aboveCrit = critLine !== undefined && value >= critLine;
  const next: ThresholdTracker = { active: tracker.active };
  if (aboveWarn) next.aboveWarnSince = tracker.aboveWarnSince ?? now;
  if (aboveCrit) next.aboveCriticalSince = tracker.aboveCriticalSince ?? now;
  if (!aboveWarn) next.belowWarnSince = tracker.belowWarnSince ?? now;

  const held = (since: number | undefined): boolean => since !== undefined && now - since >= spec.forMs;
  let target: ThresholdLevel = tracker.active;
  if (held(next.aboveCriticalSince)) target = 'critical';
  else if (held(next.aboveWarnSince) && spec.warn !== undefined) target = tracker.active === 'critical' ? 'critical' : 'warn';
  else if (held(next.belowWarnSince)) target = 'ok';
  if (target === tracker.active) return { tracker: next };

  next.active = target;
  if (target === 'ok') {
    return { tracker: next, change: { kind: 'cleared', from: tracker.active as 'warn' | 'critical', value } };
  }
  const since = target === 'critical' ? next.aboveCriticalSince! : next.aboveWarnSince!;
  const limit = target === 'critical' ? critLine! : spec.warn!;
  return { tracker: next, change: { kind: 'breached', level: target, value, limit, heldMs: now - since } };
}
