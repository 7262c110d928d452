/**
 * Stopping process trees. Graceful: snapshot the tree at stop begin (process
 * group plus every descendant by /proc parent links, so `setsid` grandchildren
 * are included), send the stop signal to the group and to snapshot members
 * outside it, wait up to the timeout for all of them to be gone, then SIGKILL
 * the group and every remaining member. Emergency: SIGKILL at once. Never
 * hangs: every wait is bounded. Knows nothing of agent states or restarts.
 */

import { isGone, readAllProcs, treeOf, type ProcInfo } from './procfs.js';

export interface StopTarget {
  /** The group leader's pid (pgid = pid, as spawned with setsid). */
  pid: number;
  /** Tree members seen earlier (e.g. by the sampler), kept in case their parent died and unlinked them. */
  known?: readonly ProcInfo[];
}

export interface StopResult {
  /** True when the timeout passed and SIGKILL was needed. */
  killed: boolean;
  /** Pids signalled. */
  pids: number[];
  /** Pids still alive after SIGKILL and the final wait (should be empty). */
  survivors: number[];
}

/** Poll step while waiting for processes to vanish; stopping is off the startup critical path. */
const POLL_MS = 10;
/** After SIGKILL the kernel needs a moment; bounded so a D-state process cannot hang us. */
const KILL_WAIT_MS = 2000;

/** Snapshots every live member of the tree of `target`, including known members whose identity still matches. */
export function snapshotTree(target: StopTarget): ProcInfo[] {
  const procs = readAllProcs();
  const tree = treeOf(target.pid, procs);
  const seen = new Set(tree.map((p) => p.pid));
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (const k of target.known ?? []) {
    const now = byPid.get(k.pid);
    if (now && !seen.has(k.pid) && now.startTime === k.startTime && now.state !== 'Z') {
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

/** Waits until every member is gone or the deadline passes; returns the live ones. */
async function waitGone(members: readonly ProcInfo[], ms: number, extra?: () => boolean): Promise<ProcInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = members.filter((p) => !isGone(p.pid, p.startTime));
    if (alive.length === 0 && (extra?.() ?? true)) return [];
    if (Date.now() >= deadline) return alive;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Gracefully stops a tree: signal, wait `timeoutMs`, SIGKILL what remains
 * (re-reading the tree, so children forked during the grace period die too).
 * `leaderReaped` lets the caller include "my child was reaped" in the wait.
 */
export async function stopTree(
  target: StopTarget,
  sig: NodeJS.Signals,
  timeoutMs: number,
  leaderReaped?: () => boolean,
): Promise<StopResult> {
  const members = snapshotTree(target);
  signalTree(target.pid, members, sig);
  const alive = await waitGone(members, timeoutMs, leaderReaped);
  if (alive.length === 0) return { killed: false, pids: members.map((p) => p.pid), survivors: [] };
  const again = snapshotTree({ pid: target.pid, known: members });
  signalTree(target.pid, again, 'SIGKILL');
  const survivors = await waitGone(again, KILL_WAIT_MS, leaderReaped);
  return { killed: true, pids: members.map((p) => p.pid), survivors: survivors.map((p) => p.pid) };
}

/** Emergency stop: SIGKILL every tree at once, then wait (bounded) for them to vanish. */
export async function killTrees(targets: readonly StopTarget[]): Promise<number[]> {
  const trees = targets.map((t) => ({ t, members: snapshotTree(t) }));
  for (const { t, members } of trees) signalTree(t.pid, members, 'SIGKILL');
  const survivors = await waitGone(trees.flatMap((x) => x.members), KILL_WAIT_MS);
  return survivors.map((p) => p.pid);
}
