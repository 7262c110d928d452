/**
 * Having a child born inside a cgroup without a gate: this process moves
 * itself into the cgroup, spawns (Node's `spawn` forks and waits for the
 * child's exec on the JS thread, so the whole spawn is synchronous), and
 * moves straight back. A child starts in its parent's cgroup, so the program
 * and everything it ever forks are inside before its first instruction, and
 * nothing can race: the window never yields to the event loop.
 *
 * What it costs, measured (docs/performance.md): two cgroup.procs writes that
 * move every thread of this process, instead of a `sh` gate's exec, a pipe
 * and an event-loop round trip; and whatever this process does inside the
 * window (the fork, ~1 ms) is charged to the agent's cgroup (cpu.stat).
 * Owns only the stepping in and out; the cgroup itself is cgroup-boundary.ts's.
 */

import { join } from 'node:path';
import { err, ok, type Result } from '../util/result.js';
import { cgroup2Mount, moveInto, ownCgroup } from './cgroup-fs.js';

/** Forces the `sh` gate instead (benchmarks compare the two; a host where stepping in misbehaves can opt out). */
export const SPAWN_VAR = 'ORCHESTRA_CGROUP_SPAWN';

/** Where this process goes back to after each spawn: its own cgroup when it was created. */
export class CgroupFork {
  private constructor(private readonly home: string) {}

  /**
   * A CgroupFork for this process when it can step into `probe` (a cgroup it
   * created) and back, else why not. Leaves this process where it was.
   */
  static probe(probe: string, env: Record<string, string | undefined> = process.env): CgroupFork | string {
    if (env[SPAWN_VAR] === 'gate') return `forced by ${SPAWN_VAR}=gate`;
    const mount = cgroup2Mount();
    const own = ownCgroup();
    if (mount === undefined || own === undefined) return 'not in a cgroup v2 hierarchy';
    const fork = new CgroupFork(join(mount, own));
    try {
      moveInto(probe, process.pid);
    } catch (e) {
      return `cannot step into ${probe}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
    fork.#home();
    return fork;
  }

  /**
   * Runs `spawn` (synchronous) with this process inside `dir`, and is back
   * home when it returns or throws; an error (the errno) when it could not
   * step in, and then nothing was spawned.
   */
  within<T>(dir: string, spawn: () => T): Result<T, string> {
    try {
      moveInto(dir, process.pid);
    } catch (e) {
      return err((e as NodeJS.ErrnoException).code ?? String(e));
    }
    try {
      return ok(spawn());
    } finally {
      this.#home();
    }
  }

  #home(): void {
    let last: unknown;
    for (let k = 0; k < 3; k++) {
      try {
        moveInto(this.home, process.pid);
        return;
      } catch (e) {
        last = e;
      }
    }
    // Staying would put this process in an agent's cgroup, where the agent's kill (cgroup.kill) would take it too.
    // Stepping in and back need the same permission, so this is not expected; a crash-only exit is the safe answer
    // (the agents run on, and the next daemon adopts them).
    process.stderr.write(`orchestra: cannot move back into cgroup ${this.home} after a spawn (${(last as NodeJS.ErrnoException).code ?? String(last)}); exiting\n`);
    process.exit(70);
  }
}
