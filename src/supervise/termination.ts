/**
 * Ending an instance's run from outside the process: a stop for good, a stop
 * the supervisor decides (a probe, a threshold) or one before a restart, the
 * `stop.command` in place of the signal, the sweep of what an earlier run
 * left, and the emergency kill's first half. The signalling itself is
 * stop.ts's; what the exit means is run-end.ts's. Works on the instance's
 * core (instance-core.ts).
 */

import type { Survey } from './boundary.js';
import { runAgentCommand } from './agent-command.js';
import type { KillIntent } from './exit-decision.js';
import type { InstanceCore } from './instance-core.js';
import { endRun } from './run-end.js';
import { clearBoundary, stopBoundary, type DeferredSignal, type StopTarget } from './stop.js';

/** Ends the current run for a supervisor reason; the exit handler reads the intent. */
export async function supervisorStop(c: InstanceCore, intent: KillIntent): Promise<void> {
  if (c.state.name !== 'starting' && c.state.name !== 'running') return;
  c.run.intent = intent;
  await terminate(c, intent.reason, 'restart');
}

/** Signals the boundary (before the first await) and resolves once the exit is processed. `survey` is shared by a batch of stops. */
export async function terminate(c: InstanceCore, reason: string, then: 'stopped' | 'restart', survey?: Survey): Promise<void> {
  const { host, run } = c;
  const pid = c.pid!;
  c.probes.clear();
  c.move({ type: 'stop', at: host.clock.now(), reason, then }, { type: 'agent-stopping', pid, reason, message: `stopping (${reason})` });
  // Captured now: a restart may spawn a new process (and a new exit promise) before this stop returns.
  const exitSeen = run.exitSeen;
  const target: StopTarget = { pid, known: c.treeLastSeen(), boundary: c.boundary, ...(run.process && exitSeen ? { leaderExited: exitSeen } : {}) };
  const project = host.boundary;
  const { mode = 'group', timeoutMs } = c.spec.stop;
  const stopping = stopBoundary(target, stopSignal(c), mode, timeoutMs, survey ?? project.survey(), () => project.survey());
  // The exit may schedule the next run before the final sweep is over; that run waits for it, or the sweep's cgroup.kill would end it.
  run.sweeping = stopping.then(
    () => undefined,
    () => undefined,
  );
  const result = await stopping;
  if (run.adoptedPid !== undefined) {
    host.clock.clearTimeout(run.adoptTimer);
    await endRun(c, { code: null, signal: null, at: host.clock.now() });
  } else {
    await exitSeen;
  }
  if (c.state.name === 'stopped') {
    c.emit({
      type: 'agent-stopped',
      reason,
      killed: result.killed,
      swept: result.swept,
      survivors: result.survivors,
      message: result.killed ? `stopped (killed after ${c.spec.stop.timeoutMs}ms)` : 'stopped',
    });
  }
}

/**
 * The stop signal, or with `stop.command` the command's verdict: nothing
 * more when it succeeds, the signal when it fails (reported, never fatal).
 */
function stopSignal(c: InstanceCore): NodeJS.Signals | DeferredSignal {
  const { command, signal, timeoutMs } = c.spec.stop;
  if (!command) return signal;
  return runAgentCommand(c.spec, command, c.logFile, c.host.baseEnv, timeoutMs).then((outcome) => {
    if (outcome.ok) return undefined;
    c.emit({ type: 'stop-command-failed', reason: outcome.reason, message: `stop command failed: ${outcome.reason}; sending ${signal}` });
    return signal;
  });
}

/** Stops for good (no restart follows); resolves once nothing of the instance is left. `survey` is shared by a batch of stops. */
export function stopForGood(c: InstanceCore, reason: string, survey?: Survey): Promise<void> {
  const { host, run } = c;
  host.clock.clearTimeout(run.backoffTimer);
  switch (c.state.name) {
    case 'starting':
    case 'running':
      run.stopping = terminate(c, reason, 'stopped', survey).finally(() => {
        run.stopping = undefined;
        c.boundary.release();
      });
      return run.stopping;
    case 'stopping':
      c.move({ type: 'stop', at: host.clock.now(), reason, then: 'stopped' });
      return run.stopping ?? run.exitSeen ?? Promise.resolve();
    case 'pending':
    case 'waiting':
    case 'backoff':
    case 'blocked':
    case 'failed':
    case 'exited':
      c.move({ type: 'cancel', at: host.clock.now(), reason }, { type: 'agent-stopped', reason, killed: false, survivors: [], message: `stopped (${reason})` });
      // No main process, but what an earlier run left (an escape of a crashed run) goes too.
      return sweepLeftovers(c, survey);
    case 'stopped':
      return Promise.resolve();
  }
}

async function sweepLeftovers(c: InstanceCore, survey?: Survey): Promise<void> {
  await clearBoundary(c.boundary, survey ?? c.host.boundary.survey());
  c.boundary.release();
}

/** Marks the instance stopping for an emergency kill, and returns once its exit is processed. */
export function beginKill(c: InstanceCore, reason: string): (StopTarget & { exited: Promise<void> }) | undefined {
  const { host, run } = c;
  host.clock.clearTimeout(run.backoffTimer);
  const pid = c.pid;
  if (pid === undefined) {
    if (c.state.name !== 'stopped') c.move({ type: 'cancel', at: host.clock.now(), reason });
    return undefined;
  }
  c.probes.clear();
  c.move({ type: 'stop', at: host.clock.now(), reason, then: 'stopped' });
  if (run.adoptedPid !== undefined) {
    const exited = Promise.resolve().then(() => {
      host.clock.clearTimeout(run.adoptTimer);
      return endRun(c, { code: null, signal: 'SIGKILL', at: host.clock.now() });
    });
    return { pid, known: c.treeLastSeen(), boundary: c.boundary, exited };
  }
  const exited = run.exitSeen ?? Promise.resolve();
  return { pid, known: c.treeLastSeen(), boundary: c.boundary, exited, ...(run.process ? { leaderExited: exited } : {}) };
}
