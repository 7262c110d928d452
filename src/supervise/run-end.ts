/**
 * What follows the end of an instance's run: the exit is reported, the pure
 * exit decision (exit-decision.ts) is taken and applied (stopped, exited,
 * failed, or a backoff), and after a backoff the restart is counted and the
 * engine asked to relaunch once dependents and the last sweep are out of the
 * way. Works on the instance's core (instance-core.ts).
 */

import { describeExit, type ExitInfo } from './agent-state.js';
import { decideExit } from './exit-decision.js';
import type { InstanceCore } from './instance-core.js';
import { isGone } from './procfs.js';
import { killLeftovers } from './stop.js';

/** Processes the end of the current run; does nothing unless the instance is in a run (starting, running or stopping). */
export async function endRun(c: InstanceCore, exit: ExitInfo): Promise<void> {
  const st = c.state;
  if (st.name !== 'starting' && st.name !== 'running' && st.name !== 'stopping') return;
  const { run } = c;
  const pid = st.pid;
  const runMs = exit.at - st.startedAt;
  c.probes.clear();
  run.process = undefined;
  run.adoptedPid = undefined;
  c.setLastExit(exit);
  // It ended by itself (a stop sweeps on its own): what it left goes now, before a next run or a final state, as
  // systemd ends a service's control group when its main process exits and a container ends with its PID 1.
  const leftovers = st.name === 'stopping' ? [] : killLeftoversOf(c, pid);
  const also = leftovers.length > 0 ? `; killed ${leftovers.length} process${leftovers.length > 1 ? 'es' : ''} it left (${leftovers.join(', ')})` : '';
  c.emit({ type: 'agent-exited', pid, code: exit.code, signal: exit.signal, runMs, ...(leftovers.length > 0 ? { leftovers } : {}), message: `${describeExit(exit)} after ${runMs}ms${also}` });
  const d = decideExit({
    spec: c.spec,
    exit,
    runMs,
    stoppingFor: st.name === 'stopping' && st.then === 'stopped' ? st.reason : undefined,
    intent: run.intent,
    history: c.restarts.history,
    startupRetries: c.restarts.startupRetries,
    random: c.host.random,
  });
  // A restart orchestra asked for (apply, restart, rollback, a dependency) is not a failure of the agent.
  const forced = run.intent?.kind === 'forced';
  run.intent = undefined;
  c.restarts.exitDecided(d);
  // The run is over for good unless it backs off: an empty cgroup goes now (a populated one stays, harmlessly).
  if (d.kind !== 'backoff') c.boundary.release();
  switch (d.kind) {
    case 'stopped':
      return c.move({ type: 'exit', exit, outcome: { kind: 'stopped', reason: d.reason } });
    case 'backoff':
      return backoff(c, exit, d.delayMs, d.reason, forced);
    case 'failed':
      return c.move({ type: 'exit', exit, outcome: { kind: 'failed', reason: d.reason } }, { type: 'agent-failed', reason: d.reason, message: `failed: ${d.reason}` });
    case 'exited':
      return c.move(
        { type: 'exit', exit, outcome: { kind: 'exited', completed: d.completed } },
        d.completed ? { type: 'agent-completed', runMs, message: `completed in ${runMs}ms` } : undefined,
      );
  }
}

/** SIGKILLs what the ended run `pid` left in the boundary; the next run waits for them to be gone (`run.sweeping`). */
function killLeftoversOf(c: InstanceCore, pid: number): number[] {
  const members = c.boundary.pids();
  // A cgroup says at once whether anything is left (and its survey reads nothing). The tree boundary takes the
  // ended process's group and the members last seen that still run: its marker survey reads every process's
  // environment (~13 ms of each restart in bench/compare's W3), so an escape that left both waits for a stop.
  if (members?.length === 0) return [];
  const known = c.treeLastSeen();
  const survey = members ? c.host.boundary.survey() : { procs: known.filter((p) => p.pid !== pid && !isGone(p.pid, p.startTime)) };
  const { killed, gone } = killLeftovers(c.boundary, { pid, known }, survey);
  if (killed.length > 0) c.run.sweeping = gone;
  return killed;
}

function backoff(c: InstanceCore, exit: ExitInfo, delayMs: number, reason: string, forced: boolean): void {
  const until = exit.at + delayMs;
  const attempt = c.restarts.attempt + 1;
  c.move({ type: 'exit', exit, outcome: { kind: 'backoff', attempt, until, reason } }, {
    type: 'restart-scheduled',
    reason,
    delayMs,
    attempt,
    failures: c.restarts.history.failures,
    message: `restarting in ${delayMs}ms (${reason})`,
  });
  // Dependents that restart with this one stop now, during the delay, and before it runs again.
  const dependentsGone = c.host.restarting(c.self, reason);
  c.run.backoffTimer = c.host.clock.setTimeout(() => restartNow(c, reason, forced, dependentsGone), delayMs);
}

/** Counts a restart; only a failure's restart (not one orchestra caused) lowers the health score. */
export function recordRestart(c: InstanceCore, reason: string, at: number, forced: boolean): void {
  c.restarts.restarted(reason, at, forced);
  c.emit({ type: 'agent-restarting', reason, attempt: c.restarts.attempt + 1, message: `restarting (${reason})` });
}

function restartNow(c: InstanceCore, reason: string, forced: boolean, dependentsGone: Promise<void>): void {
  if (c.state.name !== 'backoff') return;
  recordRestart(c, reason, c.host.clock.now(), forced);
  void Promise.all([dependentsGone, c.run.sweeping]).then(() => {
    if (c.state.name === 'backoff') c.host.relaunch(c.self);
  });
}
