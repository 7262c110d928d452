/**
 * Revisions: every applied Plan kept as `revisions/<N>.json` with its time,
 * the sha256 of its input files, the git commit (and whether the work tree
 * was dirty) when the manifest lives in a git repository, the change summary
 * and the environment. Owns that directory: write, list, get, latest,
 * retention, and comparing two revisions with the planner's own diff. Secret
 * env values are stored out of line (secret-store.ts): the files hold tokens,
 * and reading a revision puts the values back. Does not decide what to apply
 * and never touches a process.
 */

import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { type Result, err, ok } from '../util/result.js';
import type { ChangeSet } from '../plan/change-set.js';
import type { GitInfo, PlanSnapshot, Revision, RevisionInput, RevisionSummary } from '../reconcile/revision.js';
import { diff } from '../plan/diff.js';
import { summaryLine } from '../plan/render.js';
import { sha256 } from '../plan/env-file-hashes.js';
import { ensureDir, writeFileAtomic } from './atomic-write.js';
import { statePaths } from './paths.js';
import { readSecretValues, referencedIds, restoreSecrets, stashSecrets, writeSecretValues } from './secret-store.js';

export const DEFAULT_RETENTION = 50;

export type { GitInfo, PlanSnapshot, Revision, RevisionInput, RevisionSummary } from '../reconcile/revision.js';

export interface WriteOptions {
  /** How many revisions to keep (default 50); older ones are deleted. */
  retention?: number;
  /** The lowest number the new revision may take, e.g. the state's appliedRevision + 1, so numbers never repeat after a wipe. */
  atLeast?: number;
  /** Look up the git commit (default true). */
  git?: boolean;
}

/** The revisions directory of a state directory. */
export function revisionsDir(stateDir: string): string {
  return statePaths(stateDir).revisions;
}

/** Stores a new revision numbered after the newest one, then prunes beyond the retention. */
export async function writeRevision(stateDir: string, input: RevisionInput, options: WriteOptions = {}): Promise<Revision> {
  const dir = revisionsDir(stateDir);
  await ensureDir(dir);
  const numbers = await revisionNumbers(stateDir);
  const number = Math.max((numbers.at(-1) ?? 0) + 1, options.atLeast ?? 1);
  const revision: Revision = {
    number,
    time: input.time.toISOString(),
    files: await hashFiles(input.plan.files),
    summary: { counts: { ...input.changeSet.counts }, text: summaryLine(input.changeSet) },
    envFileHashes: Object.fromEntries([...input.envFileHashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    plan: input.plan,
  };
  if (input.plan.environment !== undefined) revision.environment = input.plan.environment;
  if (input.rollbackOf !== undefined) revision.rollbackOf = input.rollbackOf;
  const git = options.git === false ? undefined : await gitInfo(input.plan.files);
  if (git) revision.git = git;
  const secrets = await readSecretValues(stateDir);
  if (!secrets.ok) throw new Error(`cannot record the revision: ${secrets.error}`);
  const known = secrets.value.size;
  const stored = { ...revision, plan: stashSecrets(input.plan, secrets.value) };
  // The values first: a revision on disk never refers to a value the store lacks.
  if (secrets.value.size !== known) await writeSecretValues(stateDir, secrets.value);
  const path = join(dir, `${number}.json`);
  await writeFileAtomic(path, `${JSON.stringify(stored, null, 2)}\n`);
  await pruneRevisions(stateDir, options.retention ?? DEFAULT_RETENTION);
  await remember(stateDir, path, revision);
  return revision;
}

/** Every stored revision number, ascending. */
export async function revisionNumbers(stateDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(revisionsDir(stateDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((n) => /^([1-9][0-9]*)\.json$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Summaries already read, by revision file. A revision file is written once (atomically) and never
 * changed, and whether it can be read depends only on it and the secret store; so while both files are
 * the same (inode, size, mtime) the summary stands. The status page and the dashboard list every kept
 * revision (up to 50 plans of JSON) at each write; with this, only the new ones are parsed.
 */
const summaries = new Map<string, { identity: string; summary: RevisionSummary }>();

async function identity(path: string): Promise<string> {
  const s = await stat(path).catch(() => undefined);
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : '-';
}

/**
 * Keeps the summary of a revision this process has whole (written, or read by getRevision), so the next
 * listing stats its file instead of parsing it again: the daemon's first page write after an apply parsed
 * the plan it had just written (~330 KB of JSON for 100 agents, ~6 ms and a heap of garbage).
 */
async function remember(stateDir: string, path: string, revision: Revision): Promise<void> {
  keep(path, `${await identity(path)}/${await identity(statePaths(stateDir).secrets)}`, revision);
}

/** Keeps `revision`'s summary under `id` (its file's and the secret store's identity) and returns it. */
function keep(path: string, id: string, revision: Revision): RevisionSummary {
  const { plan: _plan, envFileHashes: _hashes, ...summary } = revision;
  summaries.set(path, { identity: id, summary });
  return summary;
}

/** Summaries of every readable revision, oldest first, and the numbers of any that could not be read. */
export async function listRevisions(
  stateDir: string,
): Promise<{ revisions: RevisionSummary[]; unreadable: { number: number; message: string }[] }> {
  const revisions: RevisionSummary[] = [];
  const unreadable: { number: number; message: string }[] = [];
  const dir = revisionsDir(stateDir);
  const store = await identity(statePaths(stateDir).secrets);
  const listed = new Set<string>();
  for (const n of await revisionNumbers(stateDir)) {
    const path = join(dir, `${n}.json`);
    listed.add(path);
    const id = `${await identity(path)}/${store}`;
    const known = summaries.get(path);
    if (known?.identity === id) {
      revisions.push(known.summary);
      continue;
    }
    const r = await readRevision(stateDir, n);
    if (r.ok) {
      revisions.push(keep(path, id, r.value));
    } else {
      summaries.delete(path);
      unreadable.push({ number: n, message: r.error });
    }
  }
  for (const path of summaries.keys()) if (dirname(path) === dir && !listed.has(path)) summaries.delete(path);
  return { revisions, unreadable };
}

/** One revision by number; the error says why it cannot be used. */
export async function getRevision(stateDir: string, number: number): Promise<Result<Revision, string>> {
  const r = await readRevision(stateDir, number);
  if (r.ok) await remember(stateDir, join(revisionsDir(stateDir), `${number}.json`), r.value);
  return r;
}

/** getRevision without keeping its summary (listRevisions keeps it under the identity it took before reading). */
async function readRevision(stateDir: string, number: number): Promise<Result<Revision, string>> {
  const path = join(revisionsDir(stateDir), `${number}.json`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      const known = await revisionNumbers(stateDir);
      const range = known.length > 0 ? ` (kept: ${known[0]}..${known.at(-1)})` : ' (none kept)';
      return err(`no revision ${number}${range}`);
    }
    return err(`cannot read revision ${number}: ${(e as Error).message}`);
  }
  let parsed: Partial<Revision>;
  try {
    parsed = JSON.parse(text) as Partial<Revision>;
  } catch (e) {
    return err(`revision ${number} is corrupt: ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (parsed.number !== number || typeof parsed.time !== 'string' || typeof parsed.plan !== 'object' || parsed.plan === null) {
    return err(`revision ${number} is corrupt: ${path} lacks its number, time or plan`);
  }
  if (!Array.isArray(parsed.plan.instances) || typeof parsed.envFileHashes !== 'object' || parsed.envFileHashes === null) {
    return err(`revision ${number} is corrupt: ${path} lacks instances or envFileHashes`);
  }
  const data = parsed as Revision;
  if (referencedIds(text).length === 0) return ok(data);
  const secrets = await readSecretValues(stateDir);
  if (!secrets.ok) return err(`revision ${number}: ${secrets.error}`);
  const plan = restoreSecrets(data.plan, secrets.value);
  if (!plan.ok) return err(`revision ${number} refers to ${plan.error.length} secret value(s) that ${statePaths(stateDir).secrets} no longer holds`);
  return ok({ ...data, plan: plan.value });
}

/** The newest revision, or undefined when none is stored (or it cannot be read: see getRevision for why). */
export async function latestRevision(stateDir: string): Promise<Revision | undefined> {
  const newest = (await revisionNumbers(stateDir)).at(-1);
  if (newest === undefined) return undefined;
  const r = await getRevision(stateDir, newest);
  return r.ok ? r.value : undefined;
}

/** Deletes all but the newest `keep` revisions; returns the numbers deleted. */
export async function pruneRevisions(stateDir: string, keep: number): Promise<number[]> {
  const numbers = await revisionNumbers(stateDir);
  const doomed = numbers.slice(0, Math.max(0, numbers.length - Math.max(1, keep)));
  for (const n of doomed) await rm(join(revisionsDir(stateDir), `${n}.json`), { force: true });
  if (doomed.length > 0) await pruneSecrets(stateDir);
  return doomed;
}

/** Drops secret values no kept revision refers to any more. */
async function pruneSecrets(stateDir: string): Promise<void> {
  const secrets = await readSecretValues(stateDir);
  if (!secrets.ok || secrets.value.size === 0) return;
  const used = new Set<string>();
  for (const n of await revisionNumbers(stateDir)) {
    try {
      for (const id of referencedIds(await readFile(join(revisionsDir(stateDir), `${n}.json`), 'utf8'))) used.add(id);
    } catch {
      // A revision that cannot be read keeps nothing alive; getRevision reports it.
    }
  }
  const kept = new Map([...secrets.value].filter(([id]) => used.has(id)));
  if (kept.size !== secrets.value.size) await writeSecretValues(stateDir, kept);
}

/**
 * What applying `to` would change relative to `from`, as the planner sees it
 * with nothing observed (so no recoveries): render it with renderPlan.
 */
export function diffRevisions(from: PlanSnapshot, to: PlanSnapshot): ChangeSet {
  return diff(from.plan, to.plan, [], {
    applied: new Map(Object.entries(from.envFileHashes)),
    desired: new Map(Object.entries(to.envFileHashes)),
  });
}

/** sha256 of each file; null for a file that cannot be read. */
export async function hashFiles(files: readonly string[]): Promise<{ path: string; sha256: string | null }[]> {
  return Promise.all(
    files.map(async (path) => ({ path, sha256: await readFile(path).then(sha256, () => null) })),
  );
}

/**
 * The HEAD commit of the repository holding the first file, and whether the
 * work tree is dirty: a tracked file changed (anywhere in the repository,
 * since agents' code lives there too), or an input file is not tracked.
 * Undefined when git is missing, the file is outside a repository, or there
 * is no commit yet. Untracked files other than the inputs do not count: the
 * state directory itself is usually one.
 */
export async function gitInfo(files: readonly string[]): Promise<GitInfo | undefined> {
  const first = files[0];
  if (first === undefined) return undefined;
  const cwd = dirname(first);
  // node:child_process, not execa: loading execa cost a cold daemon ~0.25 s before it could answer (docs/performance.md).
  const git = (args: string[]): Promise<{ ok: boolean; stdout: string }> =>
    new Promise((resolve) => {
      const child = execFile('git', args, { cwd, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
        resolve({ ok: error === null, stdout: String(stdout) }),
      );
      child.stdin?.end();
    });
  const head = await git(['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (!head.ok) return undefined;
  const commit = head.stdout.trim();
  if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  const status = await git(['status', '--porcelain', '--untracked-files=no']);
  const tracked = await git(['ls-files', '--error-unmatch', '--', ...files]);
  const dirty = !status.ok || status.stdout.trim() !== '' || !tracked.ok;
  return { commit, dirty };
}
