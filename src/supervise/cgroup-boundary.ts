/**
 * The cgroup v2 boundary: one cgroup per project (named after its state
 * directory, so two projects never share one) and one per instance below it,
 * `<base>/orchestra/<dir>-<hash>/<instance>.agent`. The base is the mount's
 * root as root, else this process's own cgroup when it is delegated to us
 * (`systemd-run --user --scope -p Delegate=yes`). An agent is in its cgroup
 * before its program runs: it is born there (this process steps into the
 * cgroup for the synchronous spawn and back out, cgroup-fork.ts), or where
 * that cannot be done it is spawned through a tiny `sh` gate that waits on
 * fd 3 until the parent has written its pid into cgroup.procs, then execs
 * the program in place (same pid). Membership is cgroup.procs, kill-all is
 * cgroup.kill, CPU is cpu.stat; the cgroup's name is what a new daemon finds
 * when every file orchestra wrote is lost.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { err, ok, type Result } from '../util/result.js';
import type { FoundInstance, InstanceBoundary, Launch, MainProcess, ProjectBoundary, Survey } from './boundary.js';
import { CgroupFork } from './cgroup-fork.js';
import { cgroup2Mount, cgroupProcs, cpuUsageUsec, killCgroup, moveInto, ownCgroup, populated, removeCgroup, whenUnpopulated } from './cgroup-fs.js';
import { isGone, readAllProcs, readProc, treeOf, type ProcInfo } from './procfs.js';

/**
 * The gate: blocks on fd 3 until the parent has moved this very process into
 * the cgroup and writes a line, closes fd 3 so the program never sees it,
 * then execs the program (same pid, so it and all it ever forks are inside).
 * If the parent closes the pipe without the line, nothing runs.
 */
const GATE = 'read -r _ <&3 || exit 125; exec 3<&-; exec "$@"';

/** The suffix of an instance's cgroup: no cgroup control file ends with it, so any instance name is safe. */
const INSTANCE_SUFFIX = '.agent';

/** The project's cgroup name: readable, and unique per state directory. */
export function projectCgroupName(stateDir: string): string {
  const dir = resolve(stateDir);
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  const project = basename(dir === '/' ? 'root' : dir.endsWith('/.orchestra') ? dir.slice(0, -'/.orchestra'.length) : dir);
  return `${encodeName(project).slice(0, 40)}-${hash}`;
}

/** Instance names become directory names: anything but [A-Za-z0-9._-] is %-escaped, and a leading dot too. */
function encodeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]|^\./g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function decodeName(dir: string): string {
  return decodeURIComponent(dir);
}

function mkdirRetrying(dir: string): void {
  // Another project's cleanup may remove a shared parent between the steps of a recursive mkdir.
  for (let k = 0; ; k++) {
    try {
      mkdirSync(dir, { recursive: true });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || k >= 3) throw e;
    }
  }
}

/** Runs a file-system call; its errno (or message) as the error. */
function errnoOf(call: () => void): Result<void, string> {
  try {
    return ok(call());
  } catch (e) {
    return err((e as NodeJS.ErrnoException).code ?? String(e));
  }
}

interface CgroupPlace {
  /** The project's cgroup. */
  dir: string;
  /** The `orchestra` cgroup holding every project's. */
  top: string;
  /** Where orchestra may create cgroups: the mount's root as root, else our own (delegated) cgroup. */
  base: string;
  asRoot: boolean;
}

/** Where the project's cgroup is (or would be), without creating anything. */
function placeOf(stateDir: string): Result<CgroupPlace, string> {
  const mount = cgroup2Mount();
  if (!mount) return err('no cgroup v2 mount in /proc/mounts');
  const asRoot = process.getuid?.() === 0;
  const own = ownCgroup();
  if (!asRoot && own === undefined) return err('this process is not in a cgroup v2 hierarchy');
  const base = asRoot ? mount : join(mount, own!);
  const top = join(base, 'orchestra');
  return ok({ dir: join(top, projectCgroupName(stateDir)), top, base, asRoot });
}

/** The project's cgroup directory here (whether or not it exists), or undefined without a cgroup v2 hierarchy. */
export function projectCgroupDir(stateDir: string): string | undefined {
  const place = placeOf(stateDir);
  return place.ok ? place.value.dir : undefined;
}

/** The live instances in the project's cgroup tree (read only; empty where there is none), for recovery after state.json was lost. */
export function findInCgroups(stateDir: string): Map<string, FoundInstance> {
  const place = placeOf(stateDir);
  return place.ok ? findIn(place.value.dir) : new Map();
}

/** How the reason starts when cgroup v2 is there but this process may not create cgroups where it is (a delegated one would do). */
export const NOT_WRITABLE = 'cgroup v2 not writable';

/** The cgroup boundary of a project, or why it cannot be used here; `env` may force the gate (cgroup-fork.ts). */
export function cgroupBoundary(stateDir: string, env: Record<string, string | undefined> = process.env): Result<ProjectBoundary, string> {
  const place = placeOf(stateDir);
  if (!place.ok) return place;
  const { dir, top, base, asRoot } = place.value;
  try {
    mkdirRetrying(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return err(`${NOT_WRITABLE}: ${code} on ${asRoot ? dir : base}${asRoot ? '' : ' (run the daemon in a delegated scope, see docs/supervision.md)'}`);
  }
  const killable = existsSync(join(dir, 'cgroup.kill'));
  const fork = CgroupFork.probe(dir, env);
  // That was a probe: cgroups are created when an agent enters, so an engine that never spawns leaves none behind.
  removeCgroup(dir);
  removeCgroup(top);
  if (!killable) return err('cgroup v2 has no cgroup.kill here (Linux 5.14 or later needed)');
  return ok(new CgroupProject(dir, top, asRoot ? undefined : base, typeof fork === 'string' ? undefined : fork));
}

class CgroupProject implements ProjectBoundary {
  readonly info;
  readonly #instances = new Map<string, CgroupInstance>();

  /** `delegated`: the cgroup delegated to this non-root daemon (undefined as root); `fork`: unless agents need the gate. */
  constructor(readonly dir: string, private readonly top: string, delegated: string | undefined, readonly fork: CgroupFork | undefined) {
    this.info = { kind: 'cgroup' as const, path: dir, ...(delegated !== undefined ? { delegated } : {}) };
  }

  instance(name: string): InstanceBoundary {
    let i = this.#instances.get(name);
    if (!i) this.#instances.set(name, (i = new CgroupInstance(this, join(this.dir, encodeName(name) + INSTANCE_SUFFIX))));
    return i;
  }

  /** Recreates the project cgroup if a cleanup removed it meanwhile; the errno when it cannot. */
  ensure(dir: string): Result<void, string> {
    return errnoOf(() => mkdirRetrying(dir));
  }

  survey(): Survey {
    // Members come from cgroup.procs; /proc is read only for a main process found outside its cgroup.
    return { procs: [] };
  }

  find(): Map<string, FoundInstance> {
    return findIn(this.dir);
  }

  /** Removes the project's and the `orchestra` cgroup when empty (harmless EBUSY otherwise). */
  removeIfEmpty(): void {
    removeCgroup(this.dir);
    removeCgroup(this.top);
  }

  cleanup(): void {
    let entries: string[] = [];
    try {
      entries = readdirSync(this.dir);
    } catch {
      // Already gone.
    }
    for (const e of entries) if (e.endsWith(INSTANCE_SUFFIX)) removeCgroup(join(this.dir, e));
    // Each fails harmlessly (EBUSY) while something still lives below it.
    this.removeIfEmpty();
  }
}

/** Every instance cgroup below a project's with a live main process. */
function findIn(dir: string): Map<string, FoundInstance> {
  const found = new Map<string, FoundInstance>();
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!e.endsWith(INSTANCE_SUFFIX)) continue;
    const main = mainOf(cgroupProcs(join(dir, e)));
    if (main) found.set(decodeName(e.slice(0, -INSTANCE_SUFFIX.length)), { pid: main.pid, startTime: main.startTime, foundBy: 'cgroup' });
  }
  return found;
}

/**
 * The main process among a cgroup's members: the oldest (it was spawned
 * first and everything else descends from it), a process group leader
 * preferred. Undefined when the cgroup holds nothing alive.
 */
export function mainOf(pids: readonly number[]): ProcInfo | undefined {
  let best: ProcInfo | undefined;
  for (const pid of pids) {
    const p = readProc(pid);
    if (!p || p.state === 'Z' || p.state === 'X') continue;
    const leader = p.pgid === p.pid;
    const bestLeader = best !== undefined && best.pgid === best.pid;
    if (!best || (leader && !bestLeader) || (leader === bestLeader && p.startTime < best.startTime)) best = p;
  }
  return best;
}

/** How long a released cgroup that is still populated is watched for its last process to go. */
const RELEASE_WAIT_MS = 30_000;

class CgroupInstance implements InstanceBoundary {
  /** A release is waiting for the cgroup to empty. */
  #waiting = false;

  constructor(private readonly project: CgroupProject, readonly dir: string) {}

  launch(argv: readonly string[]): Launch {
    const fork = this.project.fork;
    if (fork) return { argv: [...argv], gate: false, within: (spawn) => this.#within(fork, spawn) };
    return { argv: ['/bin/sh', '-c', GATE, 'orchestra-gate', ...argv], gate: true };
  }

  #within<T>(fork: CgroupFork, spawn: () => T): Result<T, string> {
    const made = this.project.ensure(this.dir);
    const stepped = made.ok ? fork.within(this.dir, spawn) : made;
    if (stepped.ok) return stepped;
    // Nothing was spawned: leave no empty cgroup made for it.
    this.release();
    return err(`cannot spawn into cgroup ${this.dir}: ${stepped.error}`);
  }

  enter(pid: number): Result<void, string> {
    const made = this.project.ensure(this.dir);
    const moved = made.ok ? errnoOf(() => moveInto(this.dir, pid)) : made;
    if (moved.ok) return moved;
    // The program will not run: leave no empty cgroup made for it.
    this.release();
    return err(`cannot move pid ${pid} into cgroup ${this.dir}: ${moved.error}`);
  }

  members(main: MainProcess | undefined, _survey: Survey): ProcInfo[] {
    const out: ProcInfo[] = [];
    const pids = cgroupProcs(this.dir);
    for (const pid of pids) {
      const p = readProc(pid);
      if (p && p.state !== 'Z' && p.state !== 'X') out.push(p);
    }
    // A main process outside its cgroup was adopted from a daemon that ran without one: its tree is the boundary.
    if (main && !pids.includes(main.pid) && !isGone(main.pid)) {
      const seen = new Set(pids);
      for (const p of treeOf(main.pid, readAllProcs())) if (!seen.has(p.pid)) out.push(p);
    }
    return out;
  }

  killAll(main: MainProcess | undefined, survey: Survey): ProcInfo[] {
    const members = this.members(main, survey);
    killCgroup(this.dir);
    for (const p of members) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone already (cgroup.kill got it first).
      }
    }
    return members;
  }

  empty(_main: MainProcess | undefined, members: readonly ProcInfo[]): boolean {
    return !populated(this.dir) && members.every((p) => isGone(p.pid, p.startTime));
  }

  live(): FoundInstance | undefined {
    const main = mainOf(cgroupProcs(this.dir));
    return main && { pid: main.pid, startTime: main.startTime, foundBy: 'cgroup' };
  }

  cpuUsageUsec(): number | undefined {
    return cpuUsageUsec(this.dir);
  }

  pids(): number[] {
    return cgroupProcs(this.dir);
  }

  release(): void {
    if (removeCgroup(this.dir)) return this.project.removeIfEmpty();
    // Still populated: a killed process whose main thread is a zombie can still have threads exiting. It goes as
    // soon as the kernel says the cgroup is empty; a cgroup that holds a new run by then stays (rmdir fails).
    if (this.#waiting || !populated(this.dir)) return;
    this.#waiting = true;
    whenUnpopulated(this.dir, RELEASE_WAIT_MS, () => {
      this.#waiting = false;
      if (removeCgroup(this.dir)) this.project.removeIfEmpty();
    });
  }
}
