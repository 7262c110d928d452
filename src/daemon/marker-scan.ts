/**
 * Finds agent processes by the marker every agent carries in its
 * environment (ORCHESTRA_STATE_DIR and ORCHESTRA_INSTANCE, set at spawn), so
 * a daemon whose state.json was lost or corrupted, or killed before it
 * recorded a spawn, can still adopt them instead of starting second copies,
 * with the restart count the process was spawned with (ORCHESTRA_RESTARTS);
 * joined with what the boundary's records find (cgroups, spawn ledger).
 * Reads /proc and cgroupfs only.
 */

import { readdir, readFile } from 'node:fs/promises';
import { findLiveInstances } from '../supervise/boundary.js';
import type { StatePaths } from './paths.js';
import { readProc } from '../supervise/procfs.js';
import type { MarkedProcess } from '../reconcile/recovery.js';
import { procStartTime } from './proc-start-time.js';

export const STATE_DIR_VAR = 'ORCHESTRA_STATE_DIR';
export const INSTANCE_VAR = 'ORCHESTRA_INSTANCE';
export const RESTARTS_VAR = 'ORCHESTRA_RESTARTS';

export type { MarkedProcess } from '../reconcile/recovery.js';

/** Parses a NUL-separated /proc/<pid>/environ. */
export function parseEnviron(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return vars;
}

/** A live (not zombie) process that leads its own process group. */
function groupLeader(pid: number): boolean {
  const info = readProc(pid);
  return info !== undefined && info.pgid === pid && info.state !== 'Z';
}

/**
 * Every live process group leader marked with this state directory, by
 * instance name. Children inherit the marker, so only group leaders count:
 * an agent's own process, never its descendants.
 */
export async function findMarkedProcesses(stateDir: string): Promise<Map<string, MarkedProcess>> {
  const found = new Map<string, MarkedProcess>();
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or not ours to read
    }
    if (!environ.includes(`${STATE_DIR_VAR}=${stateDir}\0`)) continue;
    const vars = parseEnviron(environ);
    const instance = vars.get(INSTANCE_VAR);
    if (vars.get(STATE_DIR_VAR) !== stateDir || !instance || !groupLeader(pid)) continue;
    const startTime = await procStartTime(pid);
    if (startTime === undefined) continue;
    const restarts = Number(vars.get(RESTARTS_VAR));
    found.set(instance, { pid, startTime, ...(Number.isSafeInteger(restarts) && restarts >= 0 ? { restarts } : {}) });
  }
  return found;
}

/**
 * Every live agent of the state directory found without state.json: its
 * cgroup or spawn ledger (which find processes that overwrote their
 * environment, as redis and nginx do) first, then the environment marker.
 * The restart count comes from the marker when it names the same process.
 */
export async function findAgentProcesses(paths: StatePaths): Promise<Map<string, MarkedProcess>> {
  const found = await findMarkedProcesses(paths.dir);
  for (const [name, f] of findLiveInstances(paths)) {
    const marked = found.get(name);
    const restarts = marked?.pid === f.pid ? marked.restarts : undefined;
    found.set(name, { pid: f.pid, startTime: f.startTime, foundBy: f.foundBy, ...(restarts !== undefined ? { restarts } : {}) });
  }
  return found;
}
