/**
 * Stopping process trees. Graceful: snapshot the tree at stop begin (process
 * group plus every descendant by /proc parent links, so `setsid` grandchildren
 * are included), send the stop signal to the group and to snapshot members
 * outside it, wait up to the timeout for all of them to be gone, then SIGKILL
 * the group and every remaining member. Emergency: SIGKILL at once. Never
 * hangs: every wait is bounded. Knows nothing of agent states or restarts.
 *
 * Cost: a batch of stops shares one /proc read (the caller passes it), and a
 * leader we spawned is waited for through its exit event; /proc is polled only
 * for the other members (descendants, or an adopted leader).
 */

import { isGone, readAllProcs, treeOf, type ProcInfo } from './procfs.js';

export interface StopTarget {
  /** The group leader's pid (pgid = pid, as spawned with setsid). */
  pid: number;
  /** Tree members seen earlier (e.g. by the sampler), kept in case their parent died and unlinked them. */
  known?: readonly ProcInfo[];
  /** Settles once the leader has exited and been reaped (our own child); without it the leader is polled in /proc. */
  leaderExited?: Promise<unknown>;
}

export interface StopResult {
  /** True when the timeout passed and SIGKILL was needed. */
  killed: boolean;
  /** Pids signalled. */
  pids: number[];
  /** Pids still alive after SIGKILL and the final wait (should be empty). */
  survivors: number[];
}

/** Poll step for members we cannot wait on by event (descendants, adopted leaders). */
const POLL_MS = 10;
/** After SIGKILL the kernel needs a moment; bounded so a D-state process cannot hang us. */
const KILL_WAIT_MS = 2000;

/** Snapshots every live member of the tree of `target` from one /proc read, including known members whose identity still matches. */
export function snapshotTree(target: StopTarget, procs: readonly ProcInfo[] = readAllProcs()): ProcInfo[] {
  const tree = treeOf(target.pid, procs);
  const seen = new Set(tree.map((p) => p.pid));
  let byPid: Map<number, ProcInfo> | undefined;
  for (const k of target.known ?? []) {
    if (seen.has(k.pid)) continue;
    byPid ??= new Map(procs.map((p) => [p.pid, p]));
    const now = byPid.get(k.pid);
    if (now && now.startTime === k.startTime && now.state !== 'Z') {
      // A known member found again: it and its descendants belong to the tree.
      for (const p of treeOf(k.pid, procs)) if (!seen.has(p.pid)) (seen.add(p.pid), tree.push(p));
    }
  }
  return tree;
}

function signal(pid: number, sig: NodeJS.Signals | number): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone. EPERM: not ours any more (pid reused); leave it.
  }
}

function signalTree(leader: number, members: readonly ProcInfo[], sig: NodeJS.Signals): void {
  signal(-leader, sig);
  for (const p of members) if (p.pgid !== leader) signal(p.pid, sig);
}

/**
 * Waits until every member is gone or `ms` passes; returns the live ones.
 * The leader, when its exit promise is given, is waited for by event; the
 * rest is polled, and with nothing left to poll the wait is one timer.
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

/**
 * Gracefully stops a tree: signal, wait `timeoutMs`, SIGKILL what remains
 * (re-reading the tree, so children forked during the grace period die too).
 * The signal is sent before the first await, so callers that start several
 * stops in one tick signal them all at once. `procs` is a /proc read shared
 * by such a batch.
 */
export async function stopTree(target: StopTarget, sig: NodeJS.Signals | DeferredSignal, timeoutMs: number, procs?: readonly ProcInfo[]): Promise<StopResult> {
  const members = snapshotTree(target, procs);
  if (typeof sig === 'string') signalTree(target.pid, members, sig);
  else void sig.then((later) => later && signalTree(target.pid, snapshotTree({ pid: target.pid, known: members }), later));
  const alive = await waitGone(target, members, timeoutMs);
  if (alive.length === 0) return { killed: false, pids: members.map((p) => p.pid), survivors: [] };
  const again = snapshotTree({ pid: target.pid, known: members });
  signalTree(target.pid, again, 'SIGKILL');
  const survivors = await waitGone(target, again, KILL_WAIT_MS);
  return { killed: true, pids: members.map((p) => p.pid), survivors: survivors.map((p) => p.pid) };
}

/** Emergency stop: SIGKILL every tree at once (one /proc read), then wait (bounded) for them to vanish. */
export async function killTrees(targets: readonly StopTarget[]): Promise<number[]> {
  const procs = readAllProcs();
  const trees = targets.map((t) => ({ t, members: snapshotTree(t, procs) }));
  for (const { t, members } of trees) signalTree(t.pid, members, 'SIGKILL');
  const left = await Promise.all(trees.map(({ t, members }) => waitGone(t, members, KILL_WAIT_MS)));
  return left.flat().map((p) => p.pid);
}
