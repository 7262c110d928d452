/**
 * Running a fleet from the current process (`orchestra up`, the library's
 * Fleet) with the daemon's own runtime: holds the apply lock for as long as
 * it runs (so an `apply` or a second `up` is told who has it), serves the
 * daemon socket (so `status`, `logs`, `stop` and the dashboard work from
 * another terminal), keeps state and revisions, and applies a Plan through
 * the same Reconciler. Never prints; its hosts render events.
 */

import { acquireLock, type Lock } from './lock.js';
import type { Daemon } from './daemon.js';
import { socketPathProblem, type StatePaths } from './paths.js';
import { startRuntime, type Runtime } from './runtime.js';
import type { ApplyOutcome, ApplyRequest } from '../reconcile/outcomes.js';
import { err, ok, type Result } from '../util/result.js';

export class ForegroundRuntime {
  #closed = false;
  #down: Promise<void> | undefined;
  #downRequested: () => void = () => undefined;
  /** Resolves when a `down` request (from another terminal, or the dashboard) stopped the fleet. */
  readonly downRequested = new Promise<void>((resolve) => (this.#downRequested = resolve));

  /** The daemon core this runtime serves. */
  readonly daemon: Daemon;

  private constructor(
    readonly paths: StatePaths,
    private readonly lock: Lock,
    private runtime: Runtime | undefined,
  ) {
    this.daemon = runtime!.daemon;
  }

  /**
   * Takes the lock and starts the runtime; fails with a message naming the
   * holder when another `up` or an `apply` has the lock, or a daemon already
   * runs for this state directory.
   */
  static async open(paths: StatePaths, command: string, log?: (message: string) => void): Promise<Result<ForegroundRuntime, string>> {
    const tooLong = socketPathProblem(paths);
    if (tooLong !== undefined) return err(tooLong);
    const lock = await acquireLock(paths.dir, { command });
    if (!lock.ok) return err(lock.error.message);
    let host: ForegroundRuntime | undefined;
    try {
      const runtime = await startRuntime(paths, { ...(log ? { log } : {}), onDown: () => host && host.#downRequested() });
      if (!runtime) {
        await lock.value.release();
        return err(`a daemon already runs for ${paths.dir}; use orchestra apply and status, or orchestra down first`);
      }
      host = new ForegroundRuntime(paths, lock.value, runtime);
      return ok(host);
    } catch (error) {
      await lock.value.release();
      throw error;
    }
  }

  /** Applies a Plan through the daemon's queue and Reconciler. */
  apply(request: ApplyRequest): Promise<ApplyOutcome> {
    return this.daemon.apply(request);
  }

  /**
   * Stops every agent in reverse dependency order (at once, not behind a
   * running apply), forgets what was applied, and lets go of the socket and
   * the lock.
   */
  down(reason = 'shutdown'): Promise<void> {
    return (this.#down ??= (async () => {
      await this.daemon.reconciler.engine?.stopAll(reason);
      await this.daemon.down();
      await this.close();
    })());
  }

  /** Emergency stop: SIGKILL every agent now. */
  async kill(): Promise<void> {
    await this.daemon.reconciler.engine?.kill();
  }

  /** Stops serving and releases the lock; agents keep running unless down() stopped them. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.runtime?.close();
    this.runtime = undefined;
    await this.lock.release();
  }
}

