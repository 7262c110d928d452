/**
 * `orchestra history`, `diff A [B]` and `rollback [N]`: the revisions under
 * the state directory. Reading them needs no daemon; rollback applies an old
 * revision's Plan as a new revision through the daemon.
 */

import { getRevision, latestRevision, listRevisions, type Revision } from '../daemon/revisions.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import { renderPlan, planToJson } from '../plan/render.js';
import { diffRevisions } from '../daemon/revisions.js';
import { applyPlan, type ApplyFlags } from './apply-flow.js';
import { resolveStatePaths, type StateFlags } from './daemon-context.js';
import { loadForCommand } from './load.js';
import { useColor, type ManifestFlags } from './options.js';

function parseRevisionNumber(text: string, command: string): number | undefined {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`orchestra ${command}: invalid revision "${text}": expected a revision number such as 3\n`);
    return undefined;
  }
  return n;
}

async function revisionOrReport(stateDir: string, n: number, command: string): Promise<Revision | undefined> {
  const rev = await getRevision(stateDir, n);
  if (!rev.ok) {
    process.stderr.write(`orchestra ${command}: ${rev.error}\n`);
    return undefined;
  }
  return rev.value;
}

/** Lists the revisions, newest first. */
export async function runHistory(flags: StateFlags & { json?: boolean }): Promise<number> {
  const paths = resolveStatePaths(flags);
  const { revisions, unreadable } = await listRevisions(paths.dir);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ revisions, unreadable }, null, 2) + '\n');
    return 0;
  }
  for (const u of unreadable) process.stderr.write(`orchestra history: revision ${u.number} is unreadable: ${u.message}\n`);
  if (revisions.length === 0) {
    process.stdout.write(`No revisions yet in ${paths.revisions}.\n`);
    return 0;
  }
  const newest = [...revisions].sort((a, b) => b.number - a.number);
  for (const r of newest) {
    const git = r.git ? ` git ${r.git.commit.slice(0, 8)}${r.git.dirty ? '+dirty' : ''}` : '';
    const env = r.environment ? ` env ${r.environment}` : '';
    const rollback = r.rollbackOf !== undefined ? ` (rollback to ${r.rollbackOf})` : '';
    process.stdout.write(`${String(r.number).padStart(4)}  ${r.time}${env}${git}  ${r.summary.text}${rollback}\n`);
  }
  return 0;
}

/** Diffs two revisions, or a revision and the current manifest. */
export async function runDiff(
  from: string,
  to: string | undefined,
  flags: ManifestFlags & StateFlags & { json?: boolean },
): Promise<number> {
  const paths = resolveStatePaths(flags);
  const a = parseRevisionNumber(from, 'diff');
  if (a === undefined) return 1;
  const revA = await revisionOrReport(paths.dir, a, 'diff');
  if (!revA) return 1;
  let target: { plan: Revision['plan']; envFileHashes: Record<string, string> };
  const shown: { cwd: string; originsOfRevision?: number } = { cwd: process.cwd() };
  if (to !== undefined) {
    const b = parseRevisionNumber(to, 'diff');
    if (b === undefined) return 1;
    const revB = await revisionOrReport(paths.dir, b, 'diff');
    if (!revB) return 1;
    target = revB;
    shown.originsOfRevision = b;
  } else {
    const loaded = await loadForCommand(flags, { quietWarnings: true });
    if (!loaded.plan) return 1;
    target = { plan: loaded.plan, envFileHashes: Object.fromEntries(await hashEnvFiles(loaded.plan)) };
  }
  const changes = diffRevisions(revA, target);
  if (flags.json) process.stdout.write(JSON.stringify(planToJson(changes, shown), null, 2) + '\n');
  else process.stdout.write(renderPlan(changes, { ...shown, color: useColor() }));
  return 0;
}

/** Re-applies revision N (default: the one before the latest) as a new revision. */
export async function runRollback(n: string | undefined, flags: ApplyFlags): Promise<number> {
  const paths = resolveStatePaths(flags);
  const latest = await latestRevision(paths.dir);
  if (!latest) {
    process.stderr.write(`orchestra rollback: no revisions in ${paths.revisions}; nothing to roll back to\n`);
    return 1;
  }
  const number = n === undefined ? latest.number - 1 : parseRevisionNumber(n, 'rollback');
  if (number === undefined) return 1;
  if (number <= 0) {
    process.stderr.write(`orchestra rollback: revision ${latest.number} is the first one; name a revision to roll back to\n`);
    return 1;
  }
  const revision = await revisionOrReport(paths.dir, number, 'rollback');
  if (!revision) return 1;
  process.stdout.write(`Rolling back to revision ${revision.number} (${revision.time}).\n\n`);
  return applyPlan(
    { plan: revision.plan, envFileHashes: new Map(Object.entries(revision.envFileHashes)), rollbackOf: revision.number },
    flags,
    'rollback',
  );
}
