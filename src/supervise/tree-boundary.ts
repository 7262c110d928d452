/**
 * The fallback boundary, where no cgroup can be created: the process group,
 * every /proc descendant (and members seen earlier whose parent died), and a
 * sweep of /proc for processes carrying the instance's environment marker,
 * which catches a double-forked daemon that kept its environment. An
 * append-only spawn ledger (pid + start time per spawn, independent of
 * state.json) finds main processes that overwrote their environment (redis,
 * nginx) after state.json was lost. What it cannot catch is documented in
 * docs/supervision.md: an escape that both left the tree and cleared its
 * environment.
 */

import { appendFileSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ok, type Result } from '../util/result.js';
import type { FoundInstance, InstanceBoundary, Launch, MainProcess, ProjectBoundary, Survey } from './boundary.js';
import type { BoundaryPaths } from './supervision-paths.js';
import { lastAllocatedPid } from './live-trees.js';
import { isGone, readAllProcs, readProc, treeOf, type ProcInfo } from './procfs.js';
import { readSmallFile } from './small-file.js';

/** Past this size the ledger is rewritten with the last spawn of each instance. */
const LEDGER_COMPACT_BYTES = 256 * 1024;

interface LedgerEntry {
  instance: string;
  pid: number;
  startTime: number;
}

/** Parses the ledger, skipping lines a crash cut short or anything else not an entry; the last spawn of each instance wins. */
export function parseLedger(text: string): Map<string, LedgerEntry> {
  const last = new Map<string, LedgerEntry>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as Partial<LedgerEntry>;
      if (typeof e.instance === 'string' && Number.isSafeInteger(e.pid) && Number.isSafeInteger(e.startTime)) {
        last.set(e.instance, { instance: e.instance, pid: e.pid!, startTime: e.startTime! });
      }
    } catch {
      // A torn or foreign line: the others still count.
    }
  }
  return last;
}

/** Every process whose environment carries this state directory's marker, by instance name. */
export function sweepMarkers(stateDir: string, procs: readonly ProcInfo[]): Map<string, ProcInfo[]> {
  const needle = `\0ORCHESTRA_STATE_DIR=${stateDir}\0`;
  const out = new Map<string, ProcInfo[]>();
  for (const p of procs) {
    if (p.pid === process.pid || p.state === 'Z') continue;
    const env = readSmallFile(`/proc/${p.pid}/environ`);
    if (env === undefined) continue;
    const text = `\0${env}`;
    if (!text.includes(needle)) continue;
    const at = text.indexOf('\0ORCHESTRA_INSTANCE=');
    if (at < 0) continue;
    const end = text.indexOf('\0', at + 1);
    const name = text.slice(at + '\0ORCHESTRA_INSTANCE='.length, end < 0 ? undefined : end);
    const list = out.get(name);
    if (list) list.push(p);
    else out.set(name, [p]);
  }
  return out;
}

/** The instances whose last recorded spawn still runs (same pid and start time), from the spawn ledger at `ledger`. */
export function findInLedger(ledger: string): Map<string, FoundInstance> {
  const found = new Map<string, FoundInstance>();
  let text: string;
  try {
    text = readFileSync(ledger, 'utf8');
  } catch {
    return found;
  }
  for (const e of parseLedger(text).values()) {
    const p = readProc(e.pid);
    if (p && p.startTime === e.startTime && p.state !== 'Z' && p.state !== 'X') found.set(e.instance, { pid: e.pid, startTime: e.startTime, foundBy: 'ledger' });
  }
  return found;
}

/** The tree boundary of a project; `reason` says why no cgroup is used. */
export function treeBoundary(paths: BoundaryPaths, reason: string): ProjectBoundary {
  return new TreeProject(resolve(paths.dir), paths.ledger, reason);
}

class TreeProject implements ProjectBoundary {
  readonly info;
  #last: { survey: Survey; pid: number | undefined; at: number } | undefined;
  #before: Map<string, FoundInstance> | undefined;

  constructor(
    readonly stateDir: string,
    readonly ledger: string,
    reason: string,
  ) {
    this.info = { kind: 'tree' as const, reason };
  }

  instance(name: string): InstanceBoundary {
    return new TreeInstance(this, name);
  }

  /**
   * One /proc read and one environment sweep. A batch of stops (and the final
   * sweep of each) reuses it while no pid was handed out since: then nothing
   * was born and no pid reused, so it is still complete.
   */
  survey(): Survey {
    const pid = lastAllocatedPid();
    const now = Date.now();
    if (this.#last && pid !== undefined && this.#last.pid === pid && now - this.#last.at < 1000) return this.#last.survey;
    const procs = readAllProcs();
    const survey = { procs, marked: sweepMarkers(this.stateDir, procs) };
    this.#last = { survey, pid, at: now };
    return survey;
  }

  record(instance: string, pid: number): void {
    const info = readProc(pid);
    if (!info) return;
    try {
      appendFileSync(this.ledger, JSON.stringify({ instance, pid, startTime: info.startTime, at: new Date().toISOString() }) + '\n', { mode: 0o600 });
      if (statSync(this.ledger).size > LEDGER_COMPACT_BYTES) this.#compact();
    } catch {
      // The ledger is a second record; the marker and state.json remain.
    }
  }

  #compact(): void {
    const kept = [...parseLedger(readFileSync(this.ledger, 'utf8')).values()].filter((e) => !isGone(e.pid, e.startTime));
    const tmp = `${this.ledger}.${process.pid}.tmp`;
    writeFileSync(tmp, kept.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
    renameSync(tmp, this.ledger);
  }

  find(): Map<string, FoundInstance> {
    return findInLedger(this.ledger);
  }

  /** What ran before this engine: the ledger as it was when first asked (this engine's own spawns are its own). */
  get before(): Map<string, FoundInstance> {
    return (this.#before ??= findInLedger(this.ledger));
  }

  cleanup(): void {
    // Nothing to remove: the ledger stays as the record of what ran.
  }
}

class TreeInstance implements InstanceBoundary {
  constructor(private readonly project: TreeProject, private readonly name: string) {}

  launch(argv: readonly string[]): Launch {
    return { argv: [...argv], gate: false };
  }

  enter(pid: number): Result<void, string> {
    this.project.record(this.name, pid);
    return ok(undefined);
  }

  members(main: MainProcess | undefined, survey: Survey): ProcInfo[] {
    const out = main ? snapshotTree(main, survey.procs) : [];
    const seen = new Set(out.map((p) => p.pid));
    for (const m of survey.marked?.get(this.name) ?? []) {
      for (const p of treeOf(m.pid, survey.procs)) if (!seen.has(p.pid)) (seen.add(p.pid), out.push(p));
    }
    return out;
  }

  killAll(main: MainProcess | undefined, survey: Survey): ProcInfo[] {
    const members = this.members(main, survey);
    if (main) signal(-main.pid);
    for (const p of members) signal(p.pid);
    return members;
  }

  empty(_main: MainProcess | undefined, members: readonly ProcInfo[]): boolean {
    return members.every((p) => isGone(p.pid, p.startTime));
  }

  live(): FoundInstance | undefined {
    const found = this.project.before.get(this.name);
    return found && !isGone(found.pid, found.startTime) ? found : undefined;
  }

  cpuUsageUsec(): undefined {
    return undefined;
  }

  pids(): undefined {
    return undefined;
  }

  release(): void {
    // A process tree holds nothing to free.
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone, or not ours any more.
  }
}

/** Snapshots every live member of the tree of `main` from one /proc read, including known members whose identity still matches. */
export function snapshotTree(main: MainProcess, procs: readonly ProcInfo[] = readAllProcs()): ProcInfo[] {
  const tree = treeOf(main.pid, procs);
  const seen = new Set(tree.map((p) => p.pid));
  let byPid: Map<number, ProcInfo> | undefined;
  for (const k of main.known ?? []) {
    if (seen.has(k.pid)) continue;
    byPid ??= new Map(procs.map((p) => [p.pid, p]));
    const now = byPid.get(k.pid);
    if (now && now.startTime === k.startTime && now.state !== 'Z') {
      // A known member found again: it and its descendants belong to the tree.
      for (const p of treeOf(k.pid, procs)) if (!seen.has(p.pid)) (seen.add(p.pid), tree.push(p));
    }
  }
  return tree;
}

