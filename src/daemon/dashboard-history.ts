/**
 * The History of the dashboard and the status page, from the revisions
 * directory: the rows (newest first), the diff of an older revision against
 * the applied one, and the plan of rolling back to it, both rendered in the
 * words of `orchestra diff` and `orchestra plan` (secret values masked by the
 * planner). Reads revisions; applying a rollback is the daemon's.
 */

import { dirname } from 'node:path';
import { renderPlan } from '../plan/render.js';
import type { ObservedAgent } from '../plan/observed.js';
import type { HistoryView, RevisionRow } from '../report/history-view.js';
import { diff } from '../plan/diff.js';
import { diffRevisions, getRevision, listRevisions, type Revision, type RevisionSummary } from './revisions.js';

/** A user-facing refusal: the server answers it as 404 or 409 with this message. */
export class HistoryError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** Where file paths in a plan are shown relative to: the project folder, which holds `.orchestra/` by default. */
function projectDir(stateDir: string): string {
  return dirname(stateDir);
}

function row(r: RevisionSummary, applied: number | undefined): RevisionRow {
  const out: RevisionRow = {
    number: r.number,
    time: r.time,
    source: r.rollbackOf === undefined ? 'apply' : 'rollback',
    summary: r.summary.text,
    current: r.number === applied,
  };
  if (r.rollbackOf !== undefined) out.rollbackOf = r.rollbackOf;
  if (r.environment !== undefined) out.environment = r.environment;
  if (r.git) (out.gitCommit = r.git.commit), (out.gitDirty = r.git.dirty);
  return out;
}

/** Every readable revision, newest first, marking the applied one. */
export async function loadHistory(stateDir: string, applied: number | undefined): Promise<HistoryView> {
  const { revisions, unreadable } = await listRevisions(stateDir);
  return {
    rows: revisions.map((r) => row(r, applied)).sort((a, b) => b.number - a.number),
    unreadable: unreadable.map((u) => u.number),
  };
}

/** Revision `n`, which must exist and differ from the applied one. */
export async function olderRevision(stateDir: string, n: number, applied: Revision | undefined): Promise<Revision> {
  if (!applied) throw new HistoryError(409, 'nothing is applied now; there is nothing to compare or roll back from');
  if (n === applied.number) throw new HistoryError(409, `revision ${n} is the one applied now`);
  const rev = await getRevision(stateDir, n);
  if (!rev.ok) throw new HistoryError(404, rev.error);
  return rev.value;
}

/** What changed from revision `n` to the applied one, field by field, as `orchestra diff N <applied>` prints it. */
export async function revisionDiffText(stateDir: string, n: number, applied: Revision | undefined): Promise<string> {
  const older = await olderRevision(stateDir, n, applied);
  return renderPlan(diffRevisions(older, applied!), { color: false, cwd: projectDir(stateDir), originsOfRevision: applied!.number });
}

/** What rolling back to revision `n` would do now, as `orchestra rollback N` would plan it. */
export async function rollbackPlanText(
  stateDir: string,
  n: number,
  applied: Revision | undefined,
  observed: ObservedAgent[],
): Promise<{ revision: Revision; text: string; changes: boolean }> {
  const revision = await olderRevision(stateDir, n, applied);
  const changes = diff(applied!.plan, revision.plan, observed, {
    applied: new Map(Object.entries(applied!.envFileHashes)),
    desired: new Map(Object.entries(revision.envFileHashes)),
  });
  return { revision, text: renderPlan(changes, { color: false, cwd: projectDir(stateDir), originsOfRevision: n }), changes: changes.changes };
}
