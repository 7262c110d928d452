/**
 * The state store: `state.json` in the state directory, the daemon's memory
 * across restarts (lineage, serial, daemon pid, applied revision, and the pid
 * plus start time of every agent it spawned). Owns reading, validating and
 * atomically writing that file. It must not kill, signal or adopt anything:
 * a corrupt file is reported and can be rebuilt while the agents keep running.
 */

import { readFile, rename } from 'node:fs/promises';
import { type Result, err, ok } from '../util/result.js';
import { STATE_VERSION, newState, type State } from '../reconcile/state.js';
import { ensureDir, removeStaleTemps, writeFileAtomic } from './atomic-write.js';
import { statePaths } from './paths.js';


export { STATE_VERSION, markApplied, newState, type AgentRecord, type State } from '../reconcile/state.js';

/** Why state.json could not be used. */
export type StateError =
  | { kind: 'corrupt'; path: string; message: string }
  | { kind: 'unsupported-version'; path: string; version: unknown; message: string }
  | { kind: 'unreadable'; path: string; message: string };

/** The path of state.json in a state directory. */
export function statePath(stateDir: string): string {
  return statePaths(stateDir).state;
}

/**
 * Reads state.json. A missing file is a fresh state (`fresh: true`, not yet
 * written); a corrupt one is an error the caller reports and may answer with
 * rebuildState. Leftover temp files from a crashed write are never read.
 */
export async function loadState(stateDir: string): Promise<Result<{ state: State; fresh: boolean }, StateError>> {
  const path = statePath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return ok({ state: newState(), fresh: true });
    return err({ kind: 'unreadable', path, message: `cannot read ${path}: ${(e as Error).message}` });
  }
  return parseState(text, path);
}

/** Validates the text of a state file. */
export function parseState(text: string, path: string): Result<{ state: State; fresh: boolean }, StateError> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return err({ kind: 'corrupt', path, message: `${path} is corrupt: not valid JSON (${(e as Error).message})` });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return err({ kind: 'corrupt', path, message: `${path} is corrupt: expected an object` });
  }
  const d = data as Record<string, unknown>;
  if (d['version'] !== STATE_VERSION) {
    if (typeof d['version'] === 'number' && d['version'] > STATE_VERSION) {
      return err({
        kind: 'unsupported-version',
        path,
        version: d['version'],
        message: `${path} was written by a newer orchestra (state version ${d['version']}, this one reads ${STATE_VERSION})`,
      });
    }
    return err({ kind: 'corrupt', path, message: `${path} is corrupt: unknown version ${JSON.stringify(d['version'])}` });
  }
  const problem = stateProblem(d);
  if (problem) return err({ kind: 'corrupt', path, message: `${path} is corrupt: ${problem}` });
  return ok({ state: d as unknown as State, fresh: false });
}

/**
 * Writes state.json atomically (0600, directory 0700). With `createDir` false a missing directory is an error, not
 * made anew: the running daemon's saves, whose directory's removal means its project is gone (a directory made again
 * would hold a state nobody reads). A durable save (the default) is fsynced and removes temp files of crashed
 * writers; `durable: false` is for a change to the agent records alone (docs/state.md, "Atomic writes").
 */
export async function saveState(stateDir: string, state: State, options: { createDir?: boolean; durable?: boolean } = {}): Promise<void> {
  if (options.createDir !== false) await ensureDir(stateDir);
  const path = statePath(stateDir);
  const durable = options.durable !== false;
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, { durable });
  // A crashed writer's temp file waits for the next durable save (an apply, a stop, a daemon's start): a crash loop
  // saves records many times a second, and a sweep is a directory listing each time.
  if (durable) await removeStaleTemps(path);
}

/**
 * Replaces an unusable state.json with a new state, keeping the bad file as
 * `state.json.corrupt-<time>` for a human to look at. Touches no process:
 * agents keep running; the daemon finds them again from their own records
 * (or a human stops them). `seed` carries what the caller still knows, such
 * as the latest revision number, so history stays continuous.
 */
export async function rebuildState(
  stateDir: string,
  seed: { serial?: number; appliedRevision?: number; now?: Date } = {},
): Promise<{ state: State; preservedAs?: string }> {
  await ensureDir(stateDir);
  const path = statePath(stateDir);
  const stamp = (seed.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const preservedAs = `${path}.corrupt-${stamp}`;
  let kept = true;
  try {
    await rename(path, preservedAs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    kept = false;
  }
  const state: State = { ...newState(), serial: seed.serial ?? 0 };
  if (seed.appliedRevision !== undefined) state.appliedRevision = seed.appliedRevision;
  await saveState(stateDir, state);
  return kept ? { state, preservedAs } : { state };
}

const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isPid = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;

function stateProblem(d: Record<string, unknown>): string | undefined {
  if (typeof d['lineage'] !== 'string' || d['lineage'] === '') return '`lineage` is missing';
  if (!isCount(d['serial'])) return '`serial` is not a non-negative integer';
  if (d['daemonPid'] !== undefined && !isPid(d['daemonPid'])) return '`daemonPid` is not a pid';
  if (d['appliedRevision'] !== undefined && !isCount(d['appliedRevision'])) return '`appliedRevision` is not a number';
  if (d['bootId'] !== undefined && typeof d['bootId'] !== 'string') return '`bootId` is not a string';
  const agents = d['agents'];
  if (typeof agents !== 'object' || agents === null || Array.isArray(agents)) return '`agents` is not an object';
  for (const [name, r] of Object.entries(agents)) {
    if (typeof r !== 'object' || r === null) return `agent ${name} is not an object`;
    const rec = r as Record<string, unknown>;
    if (!isPid(rec['pid']) || !isCount(rec['startTime']) || typeof rec['spawnedAt'] !== 'string') {
      return `agent ${name} lacks pid, startTime or spawnedAt`;
    }
  }
  const completed = d['completed'];
  if (completed !== undefined) {
    if (typeof completed !== 'object' || completed === null || Array.isArray(completed)) return '`completed` is not an object';
    if (!Object.values(completed).every((v) => typeof v === 'string')) return '`completed` values are not times';
  }
  return undefined;
}
