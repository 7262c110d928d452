/**
 * What a monitor round does with one sampled figure of an instance with
 * thresholds: feeds it to the instance's tracker (thresholds.ts decides),
 * and on a transition emits the breach or clear event and runs the
 * critical level's action (restart or stop). The monitor calls it; the
 * trackers live in the monitor's record (observations.ts).
 */

import type { EventInput } from '../events/event.js';
import type { Instance } from './instance.js';
import type { Watch } from './observations.js';
import { observeThreshold, type Metric } from './thresholds.js';

const UNITS: Record<Metric, (v: number) => string> = {
  cpu: (v) => `${v.toFixed(1)}%`,
  memory: (v) => `${(v / 1024 ** 2).toFixed(1)}MiB`,
};

/** Judges `value` of `metric` for `i` at clock ms `now`, emitting events and running the action of a critical breach. */
export function judgeThreshold(host: { emit: (event: EventInput) => void }, i: Instance, w: Watch, metric: Metric, value: number, now: number): void {
  const spec = i.spec.thresholds?.[metric];
  if (!spec) return;
  const { tracker, change } = observeThreshold(spec, w.trackers[metric], value, now);
  w.trackers[metric] = tracker;
  if (!change) return;
  const fmt = UNITS[metric];
  if (change.kind === 'cleared') {
    host.emit({ type: 'threshold-cleared', agent: i.name, metric, from: change.from, value, message: `${metric} back to ${fmt(value)} (was ${change.from})` });
    return;
  }
  const action = change.level === 'critical' ? (i.spec.thresholds?.onCritical ?? 'alert') : undefined;
  const reason = `${metric} ${fmt(value)} ≥ ${fmt(change.limit)} for ${change.heldMs}ms`;
  host.emit({
    type: 'threshold-breached',
    agent: i.name,
    metric,
    level: change.level,
    value,
    limit: change.limit,
    heldMs: change.heldMs,
    ...(action ? { action } : {}),
    message: `${change.level}: ${reason}${action && action !== 'alert' ? ` → ${action}` : ''}`,
  });
  if (action === 'restart') {
    w.trackers[metric] = { active: 'ok' };
    void i.failRun(`threshold: ${reason}`);
  } else if (action === 'stop') {
    w.trackers[metric] = { active: 'ok' };
    void i.stop(`threshold: ${reason}`);
  }
}
