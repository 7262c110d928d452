/**
 * Stopping an instance's boundary. Graceful: list the boundary's members,
 * send the stop signal to whom `stop.mode` names (the process group, the main
 * process, or every member), wait up to the timeout for those to be gone,
 * then SIGKILL everything still in the boundary (escapes included, re-listed
 * so children forked meanwhile die too). Emergency: SIGKILL every boundary at
 * once. Never hangs: every wait is bounded. Knows nothing of agent states or
 * restarts; `stop.command` (run instead of the signal) plugs in at `sendStop`.
 *
 * Cost: a batch of stops shares one survey (the caller passes it), and a main
 * process we spawned is waited for through its exit event; /proc is polled
 * only for the other members.
 */

import type { StopMode } from '../plan/spec.js';
import type { InstanceBoundary, MainProcess, Survey } from './boundary.js';
import { isGone, type ProcInfo } from './procfs.js';

export interface StopTarget extends MainProcess {
  /** The boundary holding every process of the instance. */
  boundary: InstanceBoundary;
  /** Settles once the main process has exited and been reaped (our own child); without it the main process is polled in /proc. */
  leaderExited?: Promise<unknown>;
}

export interface StopResult {
  /** True when the timeout passed and SIGKILL was needed. */
  killed: boolean;
  /** Pids signalled. */
  pids: number[];
  /** Pids killed after the signalled processes were gone (escapes the signal did not reach, under `group` or `main`). */
  swept: number[];
  /** Pids still alive after SIGKILL and the final wait (should be empty). */
  survivors: number[];
}

/** Poll step for members we cannot wait on by event (descendants, adopted leaders). */
const POLL_MS = 10;
/** After SIGKILL the kernel needs a moment; bounded so a D-state process cannot hang us. */
const KILL_WAIT_MS = 2000;

function signal(pid: number, sig: NodeJS.Signals | number): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone. EPERM: not ours any more (pid reused); leave it.
  }
}

/**
 * Sends the stop signal as `mode` says and returns the members it was meant
 * for (those the stop waits on before the final SIGKILL): `group` the
 * process group (pgid = main pid, as spawned with setsid), `main` the main
 * process only, `all` every member of the boundary.
 */
export function sendStop(main: number, members: readonly ProcInfo[], mode: StopMode, sig: NodeJS.Signals): ProcInfo[] {
  switch (mode) {
    case 'main':
      signal(main, sig);
      break;
    case 'group':
      signal(-main, sig);
      // A forked service's main process need not lead a group; then the group signal misses it.
      if (!members.some((p) => p.pid === main && p.pgid === main)) signal(main, sig);
      break;
    case 'all':
      signal(-main, sig);
      for (const p of members) if (p.pgid !== main) signal(p.pid, sig);
      break;
  }
  return named(main, members, mode);
}

/** The members `mode` names (whom the stop waits for before the final SIGKILL). */
function named(main: number, members: readonly ProcInfo[], mode: StopMode): ProcInfo[] {
  switch (mode) {
    case 'main':
      return members.filter((p) => p.pid === main);
    case 'group':
      return members.filter((p) => p.pgid === main || p.pid === main);
    case 'all':
      return [...members];
  }
}

/**
 * Waits until every member is gone or `ms` passes; returns the live ones.
 * The main process, when its exit promise is given, is waited for by event;
 * the rest is polled, and with nothing left to poll the wait is one timer.
 */
async function waitGone(target: StopTarget, members: readonly ProcInfo[], ms: number): Promise<ProcInfo[]> {
  const deadline = Date.now() + ms;
  const byEvent = target.leaderExited;
  let leaderDone = byEvent === undefined;
  let wake: (() => void) | undefined;
  void byEvent?.then(() => {
    leaderDone = true;
    wake?.();
  });
  let polled = byEvent ? members.filter((p) => p.pid !== target.pid) : [...members];
  for (;;) {
    polled = polled.filter((p) => !isGone(p.pid, p.startTime));
    if (polled.length === 0 && leaderDone) return [];
    const left = deadline - Date.now();
    if (left <= 0) return leaderDone ? polled : [...polled, ...members.filter((p) => p.pid === target.pid)];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, polled.length > 0 ? Math.min(POLL_MS, left) : left);
      wake = () => (clearTimeout(timer), resolve());
    });
    wake = undefined;
  }
}

/**
 * A signal decided later: a `stop.command` runs instead of the signal, and
 * only when it fails is the signal sent (resolves to it; to undefined when
 * the command did its job). The timeout runs from stop begin either way.
 */
export type DeferredSignal = Promise<NodeJS.Signals | undefined>;

/** SIGKILLs whatever is left in the boundary (re-listed now) and waits, bounded, for it to be gone; returns killed and surviving pids. */
async function sweep(target: StopTarget, earlier: readonly ProcInfo[], survey: () => Survey): Promise<{ killed: number[]; survivors: number[] }> {
  const main = { pid: target.pid, known: [...(target.known ?? []), ...earlier] };
  const left = target.boundary.killAll(main, survey());
  if (left.length === 0 && target.boundary.empty(main, left)) return { killed: [], survivors: [] };
  const deadline = Date.now() + KILL_WAIT_MS;
  while (!target.boundary.empty(main, left) && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  // Anything born between the listing and cgroup.kill is still inside and was killed with it; list once more to report.
  const survivors = left.filter((p) => !isGone(p.pid, p.startTime)).map((p) => p.pid);
  return { killed: left.map((p) => p.pid), survivors };
}

/**
 * Gracefully stops a boundary: signal as `mode` says, wait `timeoutMs` for
 * the signalled processes, then SIGKILL everything left in the boundary. The
 * signal is sent before the first await, so callers that start several stops
 * in one tick signal them all at once. `survey` is shared by such a batch;
 * `fresh` gives a new one for the final sweep.
 */
export async function stopBoundary(target: StopTarget, sig: NodeJS.Signals | DeferredSignal, mode: StopMode, timeoutMs: number, survey: Survey, fresh: () => Survey): Promise<StopResult> {
  const members = target.boundary.members(target, survey);
  let signalled: ProcInfo[];
  if (typeof sig === 'string') signalled = sendStop(target.pid, members, mode, sig);
  else {
    // The stop command runs first; the signal follows only if it failed, to the boundary as it is then.
    signalled = named(target.pid, members, mode);
    void sig.then((later) => later && sendStop(target.pid, target.boundary.members({ pid: target.pid, known: members }, fresh()), mode, later));
  }
  const alive = await waitGone(target, signalled, timeoutMs);
  const killed = alive.length > 0;
  const swept = await sweep(target, members, fresh);
  const before = new Set(alive.map((p) => p.pid));
  return { killed, pids: signalled.map((p) => p.pid), swept: swept.killed.filter((p) => !before.has(p)), survivors: swept.survivors };
}

/** SIGKILLs whatever an instance without a main process left in its boundary; resolves once it is empty (bounded). */
export async function clearBoundary(boundary: InstanceBoundary, survey: Survey): Promise<number[]> {
  const left = boundary.killAll(undefined, survey);
  const deadline = Date.now() + KILL_WAIT_MS;
  while (!boundary.empty(undefined, left) && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  return left.filter((p) => !isGone(p.pid, p.startTime)).map((p) => p.pid);
}

/**
 * After a main process ended by itself: SIGKILLs what it left in the
 * boundary (re-listed now), synchronously, and returns those pids with a
 * promise that settles once they are gone (bounded). `main` is the ended
 * process; its group and the members last seen find a tree boundary's
 * leftovers, `survey` the rest.
 */
export function killLeftovers(boundary: InstanceBoundary, main: MainProcess, survey: Survey): { killed: number[]; gone: Promise<void> } {
  const left = boundary.killAll(main, survey).filter((p) => p.pid !== main.pid);
  if (left.length === 0) return { killed: [], gone: Promise.resolve() };
  const gone = (async () => {
    const deadline = Date.now() + KILL_WAIT_MS;
    // A restart waits on this: SIGKILLed processes are usually gone within a millisecond or two, so look soon.
    for (let step = 1; !boundary.empty(main, left) && Date.now() < deadline; step = Math.min(2 * step, POLL_MS)) await new Promise((r) => setTimeout(r, step));
  })();
  return { killed: left.map((p) => p.pid), gone };
}

/** Emergency stop: SIGKILL every boundary at once (one survey), then wait (bounded) for them to vanish; returns survivors. */
export async function killBoundaries(targets: readonly StopTarget[], survey: Survey): Promise<number[]> {
  const killed = targets.map((t) => ({ t, members: t.boundary.killAll(t, survey) }));
  const left = await Promise.all(killed.map(({ t, members }) => waitGone(t, members, KILL_WAIT_MS)));
  return left.flat().map((p) => p.pid);
}
