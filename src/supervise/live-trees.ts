/**
 * The process trees of running agents, carried from one monitor round to the
 * next. A round costs at most one readdir of /proc (none when no pid was
 * handed out since the last); only processes born since the last round are
 * read and attached (to the tree of their parent, or to the
 * tree whose leader's process group they are in), processes that vanished are
 * dropped, and a leader not seen before gets its tree from one full index.
 * With nothing born or gone, a round does no per-process work at all.
 *
 * A member stays in its tree when its parent dies and it is re-parented to
 * init: it is still the agent's, and the stop path signals it through the
 * known tree. The stop path itself never uses this cache (it reads /proc
 * afresh when a stop begins).
 */

import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { readProc, treesOf, type ProcInfo } from './procfs.js';

/** Every process of one refresh, and what changed since the refresh before it. */
export interface ProcSnapshot {
  procs: ReadonlyMap<number, ProcInfo>;
  born: ProcInfo[];
  gone: number[];
}

/**
 * A cached view of /proc: one readdir per refresh, and a stat read only for
 * pids not seen before (pid, ppid, pgid and start time do not change for a
 * live process, except re-parenting). A pid reused between two refreshes
 * keeps its old entry until it disappears. The map is updated in place and
 * swept for vanished pids only when fewer pids were listed than are known:
 * the common round, nothing born and nothing gone, allocates nothing per
 * process. It runs once per monitor interval, too rarely for the JIT to
 * optimise it, so it stays lean.
 *
 * When no pid at all was handed out since the last refresh (the last pid in
 * /proc/loadavg is the same), nothing can have been born and no number can
 * have been reused, so the readdir is skipped and the known map returned as
 * it is; processes that died meanwhile are dropped by `forget` (the monitor
 * passes the pids its sampler could not read) or at the next refresh that
 * reads.
 */
export class ProcTable {
  readonly #known = new Map<number, ProcInfo>();
  #lastPid: number | undefined;

  /** Every process now, reading only the new ones. */
  refresh(): ProcSnapshot {
    const lastPid = lastAllocatedPid();
    if (lastPid !== undefined && lastPid === this.#lastPid) return { procs: this.#known, born: [], gone: [] };
    this.#lastPid = lastPid;
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      entries = [];
    }
    const born: ProcInfo[] = [];
    let listed = 0;
    for (const e of entries) {
      const c = e.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = +e;
      if (this.#known.has(pid)) listed++;
      else {
        const info = readProc(pid);
        if (!info) continue;
        this.#known.set(pid, info);
        born.push(info);
      }
    }
    const gone: number[] = [];
    if (listed + born.length < this.#known.size) {
      const present = new Set(entries);
      for (const pid of this.#known.keys()) {
        if (present.has(String(pid))) continue;
        this.#known.delete(pid);
        gone.push(pid);
      }
    }
    return { procs: this.#known, born, gone };
  }

  /** Drops a pid known to be gone, so a later process with the same number is read afresh. */
  forget(pid: number): void {
    this.#known.delete(pid);
  }
}

let loadavgFd: number | undefined;
const loadavgBuf = Buffer.allocUnsafe(256);

/** The pid most recently handed out in this pid namespace (field 5 of /proc/loadavg), or undefined when unreadable. */
export function lastAllocatedPid(): number | undefined {
  try {
    loadavgFd ??= openSync('/proc/loadavg', 'r');
    const n = readSync(loadavgFd, loadavgBuf, 0, loadavgBuf.length, 0);
    const pid = Number(loadavgBuf.toString('latin1', loadavgBuf.lastIndexOf(0x20, n - 1) + 1, n).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    if (loadavgFd !== undefined) closeSync(loadavgFd);
    loadavgFd = undefined;
    return undefined;
  }
}

export class LiveTrees {
  readonly #table = new ProcTable();
  /** leader → its members by pid. */
  readonly #trees = new Map<number, Map<number, ProcInfo>>();
  /** member → the one leader whose tree holds it. */
  readonly #owner = new Map<number, number>();
  /** leader → its live members as handed out, rebuilt only after the tree changed. */
  readonly #lists = new Map<number, ProcInfo[]>();

  /** The live tree of each leader (leader → members, the leader included while it lives). */
  update(leaders: readonly number[]): Map<number, ProcInfo[]> {
    const { procs, born, gone } = this.#table.refresh();
    for (const pid of gone) {
      const leader = this.#owner.get(pid);
      if (leader !== undefined) this.#drop(pid, leader);
    }
    const wanted = new Set(leaders);
    for (const leader of this.#trees.keys()) if (!wanted.has(leader) || !procs.has(leader)) this.#dropTree(leader);

    const fresh = leaders.filter((l) => !this.#trees.has(l) && procs.has(l));
    if (fresh.length > 0) {
      for (const [leader, tree] of treesOf(fresh, [...procs.values()])) {
        const members = new Map<number, ProcInfo>();
        this.#trees.set(leader, members);
        for (const p of tree) this.#attach(p, leader, members);
      }
    }

    // A child born together with its parent is attached on the pass after the parent.
    let pending = born.filter((p) => !this.#owner.has(p.pid));
    for (let attached = true; attached && pending.length > 0; ) {
      attached = false;
      pending = pending.filter((p) => {
        const leader = this.#owner.get(p.ppid) ?? (this.#trees.has(p.pgid) ? p.pgid : undefined);
        const members = leader === undefined ? undefined : this.#trees.get(leader);
        if (leader === undefined || !members) return true;
        this.#attach(p, leader, members);
        attached = true;
        return false;
      });
    }

    const out = new Map<number, ProcInfo[]>();
    for (const leader of leaders) out.set(leader, this.#list(leader));
    return out;
  }

  /** Drops members known to be gone (their stat could not be read), without waiting for a refresh that lists /proc. */
  vanished(pids: Iterable<number>): void {
    for (const pid of pids) {
      this.#table.forget(pid);
      const leader = this.#owner.get(pid);
      if (leader !== undefined) this.#drop(pid, leader);
      // A leader that is gone has no tree; its number, if asked for again, gets a fresh one.
      this.#dropTree(pid);
    }
  }

  #list(leader: number): ProcInfo[] {
    let list = this.#lists.get(leader);
    if (!list) {
      const members = this.#trees.get(leader);
      list = members ? [...members.values()].filter((p) => p.state !== 'Z' && p.state !== 'X') : [];
      if (members) this.#lists.set(leader, list);
    }
    return list;
  }

  #dropTree(leader: number): void {
    const members = this.#trees.get(leader);
    if (!members) return;
    for (const pid of members.keys()) this.#drop(pid, leader);
    this.#trees.delete(leader);
    this.#lists.delete(leader);
  }

  #attach(p: ProcInfo, leader: number, members: Map<number, ProcInfo>): void {
    if (this.#owner.has(p.pid)) return;
    this.#owner.set(p.pid, leader);
    members.set(p.pid, p);
    this.#lists.delete(leader);
  }

  #drop(pid: number, leader: number): void {
    this.#trees.get(leader)?.delete(pid);
    if (this.#owner.get(pid) === leader) this.#owner.delete(pid);
    this.#lists.delete(leader);
  }
}
