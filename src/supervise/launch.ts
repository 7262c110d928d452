/**
 * Bringing an instance's run into being: adopting a copy an earlier daemon
 * left running in the boundary, refusing to start while a probe's address is
 * held outside it, spawning into the boundary, following a `type: forking`
 * launcher to the daemon its pid file names, and polling a main process that
 * is not our child. Works on the instance's core (instance-core.ts); what the
 * end of a run means is run-end.ts's.
 */

import { isGone, processStartedAt } from './procfs.js';
import { awaitFork } from './forking.js';
import type { InstanceCore } from './instance-core.js';
import { foreignListener, localProbeAddress } from './listeners.js';
import { applyNice, spawnAgent, type SpawnedProcess } from './process-group.js';
import { currentSize } from './probes.js';
import { endRun } from './run-end.js';
import { clearBoundary, killBoundaries } from './stop.js';
import { snapshotTree } from './tree-boundary.js';

/** How often a main process that is not our child is looked for in /proc. */
const ADOPT_POLL_MS = 1000;

/** Spawns the process now (the engine has checked dependencies), unless a copy still runs in the boundary. */
export async function launch(c: InstanceCore): Promise<void> {
  if (c.run.spawning) return;
  c.run.spawning = true;
  try {
    if (await adoptLive(c)) return;
    await spawnRun(c);
  } finally {
    c.run.spawning = false;
  }
}

/** The live pids of the instance's boundary, as cheaply as the boundary allows (cgroup.procs, else the tree of the main process). */
export function memberPids(c: InstanceCore): number[] {
  const pids = c.boundary.pids();
  if (pids) return pids;
  const pid = c.pid;
  return pid === undefined ? [] : snapshotTree({ pid, known: c.treeLastSeen() }).map((p) => p.pid);
}

/** Why the agent must not start: its probe's address is already held outside its boundary (a second copy, or a stranger). */
function portHeld(c: InstanceCore): string | undefined {
  for (const probe of [c.spec.readiness, c.spec.liveness]) {
    const addr = probe && localProbeAddress(probe);
    const reason = addr && foreignListener(addr, memberPids(c));
    if (reason) return `not started: ${reason}`;
  }
  return undefined;
}

/**
 * Before this engine's first spawn of the instance: a copy that still runs
 * in its boundary (a daemon whose records were lost started it) is adopted
 * instead, so no apply or recovery ever starts a second one.
 */
async function adoptLive(c: InstanceCore): Promise<boolean> {
  if (c.run.liveChecked) return false;
  c.run.liveChecked = true;
  const found = c.boundary.live();
  if (!found) return false;
  const startedAt = await processStartedAt(found.pid);
  if (c.state.name === 'stopped' || isGone(found.pid, found.startTime)) return false;
  c.self.adopt(found.pid, startedAt);
  return true;
}

async function spawnRun(c: InstanceCore): Promise<void> {
  const { host } = c;
  c.run.spawnRequestedAt = host.clock.now();
  const attempt = c.restarts.spawnBegun();
  c.emit({ type: 'agent-starting', attempt, message: `starting (attempt ${attempt})` });
  // Where this run's output begins: a log readiness probe must see a line printed before it is set up.
  const logFrom = currentSize(c.logFile);
  const held = portHeld(c);
  if (held) {
    c.move({ type: 'fail', at: host.clock.now(), reason: held }, { type: 'agent-failed', reason: held, message: `failed: ${held}` });
    return;
  }
  const spawned = await spawnAgent(c.spec, { logFile: c.logFile, stateDir: host.paths.dir, baseEnv: host.baseEnv, restarts: c.restarts.count, boundary: c.boundary });
  // A stop may have arrived while spawning.
  if (c.state.name === 'stopped') {
    if (spawned.ok) await killBoundaries([{ pid: spawned.value.pid, boundary: c.boundary, leaderExited: spawned.value.exited }], host.boundary.survey());
    // The stop (or an engine's kill and dispose) released the boundary before this spawn entered it.
    c.boundary.release();
    return;
  }
  if (!spawned.ok) {
    c.move({ type: 'fail', at: host.clock.now(), reason: spawned.error }, { type: 'agent-failed', reason: spawned.error, message: `failed: ${spawned.error}` });
    return;
  }
  const proc = spawned.value;
  c.run.process = proc;
  c.move({ type: 'spawn', at: host.clock.now(), pid: proc.pid, attempt }, { type: 'agent-started', pid: proc.pid, attempt, message: `started (pid ${proc.pid})` });
  if (c.spec.type === 'forking' && c.spec.pidFile !== undefined) {
    c.run.exitSeen = followFork(c, proc, c.spec.pidFile, logFrom);
    return;
  }
  c.run.exitSeen = proc.exited.then((r) => endRun(c, { code: r.code, signal: r.signal, at: host.clock.now() }));
  c.probes.startReadiness(logFrom);
}

/**
 * `type: forking`: waits for the launcher to exit 0 and the pid file to
 * name a live process, then supervises that process as if adopted. A
 * failure fails the start (retried `startup.retries` times), after the
 * boundary is cleared of whatever the launcher left.
 */
async function followFork(c: InstanceCore, proc: SpawnedProcess, pidFile: string, logFrom: number): Promise<void> {
  const { host } = c;
  const launchedAt = Date.now();
  const outcome = await awaitFork({ launcher: proc.exited, pidFile, launchedAt, deadline: launchedAt + c.spec.startup.timeoutMs, cancelled: () => c.state.name !== 'starting' });
  if (c.state.name !== 'starting') {
    // A stop arrived while it was starting; the stop sweeps the boundary, this finishes the run.
    const e = outcome.launcherExit ?? (await proc.exited);
    return endRun(c, { code: e.code, signal: e.signal, at: host.clock.now() });
  }
  if (!outcome.ok) {
    await clearBoundary(c.boundary, host.boundary.survey());
    const e = outcome.launcherExit ?? (await proc.exited);
    c.run.intent = { kind: 'startup-timeout', reason: outcome.reason };
    return endRun(c, { code: e.code, signal: e.signal, at: host.clock.now() });
  }
  const pid = outcome.pid;
  c.run.process = undefined;
  c.run.adoptedPid = pid;
  if (c.spec.nice !== undefined) applyNice([pid], c.spec.nice);
  c.move({ type: 'forked', at: host.clock.now(), pid }, { type: 'agent-forked', pid, launcher: proc.pid, message: `forked: supervising pid ${pid} (from ${pidFile})` });
  watchPid(c, pid);
  c.probes.startReadiness(logFrom);
}

/** Polls a process that is not our child until it is gone; its exit code is unknown. */
export function watchPid(c: InstanceCore, pid: number): void {
  const { clock } = c.host;
  const poll = (): void => {
    if (c.run.adoptedPid !== pid) return;
    if (isGone(pid)) void endRun(c, { code: null, signal: null, at: clock.now() });
    else c.run.adoptTimer = clock.setTimeout(poll, ADOPT_POLL_MS);
  };
  c.run.adoptTimer = clock.setTimeout(poll, ADOPT_POLL_MS);
}
