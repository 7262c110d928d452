/**
 * How a command finds the project's daemon: the state directory from
 * `--state-dir` or the manifest's folder, the socket inside it, and the
 * mapping of daemon failures to exit codes (3: unreachable).
 */

import { existsSync } from 'node:fs';
import { DaemonClient, DaemonError, DaemonUnreachable } from '../daemon/client.js';
import { stateDirFor, statePaths, type StatePaths } from '../daemon/paths.js';

export const EXIT_UNREACHABLE = 3;

/** Flags every daemon command accepts. */
export interface StateFlags {
  file: string[];
  stateDir?: string;
}

/** The state directory a command works on. */
export function resolveStatePaths(flags: StateFlags): StatePaths {
  return statePaths(stateDirFor(flags.file[0] ?? 'orchestra.yaml', flags.stateDir));
}

/** A connection to the daemon of one state directory. */
export class DaemonContext {
  /** Calls one route of the daemon (see daemon/api.ts); the caller must have made sure it runs. */
  readonly call: DaemonClient['call'];

  constructor(readonly paths: StatePaths) {
    const client = new DaemonClient(paths.socket);
    this.call = client.call.bind(client);
  }
}

/**
 * Connects to the running daemon. When none answers but agents were applied
 * before (the daemon crashed, or state.json was lost), starts a new one, which re-adopts them. With
 * nothing ever applied, returns undefined: there is nothing to talk to.
 */
export async function connect(flags: StateFlags, options: { start?: boolean } = {}): Promise<DaemonContext | undefined> {
  const paths = resolveStatePaths(flags);
  // Loaded here, not at the top: the launcher brings the cgroup code, which a command talking to a running daemon never needs.
  const [{ daemonRunning, ensureDaemon }, { loadState }] = await Promise.all([import('../daemon/launcher.js'), import('../daemon/state-store.js')]);
  if (await daemonRunning(paths.dir)) return new DaemonContext(paths);
  const applied = existsSync(paths.state) ? await loadState(paths.dir) : undefined;
  // No state.json but revisions: it was lost, not emptied by `down`; a daemon finds what still runs (cgroups, ledger, markers).
  const lost = applied === undefined && existsSync(paths.revisions);
  const wasApplied = applied === undefined ? lost : !applied.ok || applied.value.state.appliedRevision !== undefined;
  if (!wasApplied && !options.start) return undefined;
  await ensureDaemon(paths.dir);
  return new DaemonContext(paths);
}

/** Prints a daemon failure the way a user should read it and returns the exit code. */
export function reportDaemonError(error: unknown, command: string): number {
  if (error instanceof DaemonUnreachable) {
    process.stderr.write(`orchestra ${command}: ${error.message}\n`);
    return EXIT_UNREACHABLE;
  }
  if (error instanceof DaemonError) {
    process.stderr.write(`orchestra ${command}: ${error.message}\n`);
    return 1;
  }
  throw error;
}

/** The message for commands that need a daemon when nothing was ever applied. */
export function nothingApplied(command: string, paths: StatePaths): number {
  process.stderr.write(
    `orchestra ${command}: nothing is applied for ${paths.dir} (no daemon); run orchestra apply first\n`,
  );
  return EXIT_UNREACHABLE;
}
