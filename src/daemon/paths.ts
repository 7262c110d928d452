/**
 * The layout of a project's state directory. Every module of the daemon
 * that reads or writes under `.orchestra/` takes its paths from here; the
 * layers below (the engine, the event log) are handed the paths they need.
 */

import { dirname, join, resolve } from 'node:path';

export interface StatePaths {
  dir: string;
  socket: string;
  state: string;
  lock: string;
  revisions: string;
  events: string;
  logs: string;
  statusPage: string;
  daemonLog: string;
  daemonPid: string;
  /** Secret values of the kept revisions (0600), see secret-store.ts. */
  secrets: string;
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
    statusPage: join(abs, 'status.html'),
    daemonLog: join(abs, 'daemon.log'),
    daemonPid: join(abs, 'daemon.pid'),
    secrets: join(abs, 'secrets.json'),
  };
}
