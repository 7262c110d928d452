/**
 * The layout of a project's state directory. Every module that reads or
 * writes under `.orchestra/` takes its paths from here; the layers below are
 * handed the paths they need (the engine a `StatePaths`, which fits its
 * `SupervisionPaths`: the log directory, each log file, the spawn ledger).
 */

import { dirname, join, resolve } from 'node:path';

export interface StatePaths {
  dir: string;
  socket: string;
  state: string;
  lock: string;
  revisions: string;
  events: string;
  /** The agents' log files, one per instance (see `logFile`). */
  logs: string;
  /** The tree boundary's append-only spawn ledger. */
  ledger: string;
  statusPage: string;
  daemonLog: string;
  daemonPid: string;
  /** Secret values of the kept revisions (0600), see secret-store.ts. */
  secrets: string;
  /** The log file of one instance: stdout and stderr interleaved, in write order. */
  logFile(instance: string): string;
}

/** The state directory for a manifest: `--state-dir`, or `.orchestra/` beside the manifest. */
export function stateDirFor(manifestFile: string, override?: string): string {
  return override !== undefined ? resolve(override) : join(dirname(resolve(manifestFile)), '.orchestra');
}

/** Every path inside a state directory. */
export function statePaths(dir: string): StatePaths {
  const abs = resolve(dir);
  return {
    dir: abs,
    socket: join(abs, 'daemon.sock'),
    state: join(abs, 'state.json'),
    lock: join(abs, 'apply.lock'),
    revisions: join(abs, 'revisions'),
    events: join(abs, 'events.jsonl'),
    logs: join(abs, 'logs'),
    ledger: join(abs, 'spawns.jsonl'),
    statusPage: join(abs, 'status.html'),
    daemonLog: join(abs, 'daemon.log'),
    daemonPid: join(abs, 'daemon.pid'),
    secrets: join(abs, 'secrets.json'),
    // Concatenated, not joined: the page writer asks for every agent's at each look, and path.join is interpreted in the daemon's lite mode.
    logFile: (instance) => `${abs}/logs/${instance}.log`,
  };
}

/** Linux's limit on a unix socket path: sun_path's 108 bytes less the terminating NUL. */
const SOCKET_PATH_MAX = 107;

/** Why no daemon can listen in this state directory (its socket path is too long for Linux), or undefined. */
export function socketPathProblem(paths: StatePaths): string | undefined {
  const bytes = Buffer.byteLength(paths.socket);
  if (bytes <= SOCKET_PATH_MAX) return undefined;
  return `the state directory ${paths.dir} is too deep for the daemon's unix socket (${bytes} bytes, at most ${SOCKET_PATH_MAX}); choose a shorter one with --state-dir`;
}
