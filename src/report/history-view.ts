/**
 * RevisionRow: one line of the History section of the status page and the
 * dashboard, already reduced to what is shown (no plan, no file hashes).
 * The daemon builds the rows from its revisions; renderers only read them.
 */

export interface RevisionRow {
  number: number;
  /** ISO time of the apply. */
  time: string;
  source: 'apply' | 'rollback';
  /** The revision a rollback went back to. */
  rollbackOf?: number;
  environment?: string;
  gitCommit?: string;
  gitDirty?: boolean;
  /** The change summary line of that apply. */
  summary: string;
  /** This is the revision applied now. */
  current: boolean;
}

/** The History section's data: rows newest first, and revisions that could not be read. */
export interface HistoryView {
  rows: RevisionRow[];
  unreadable: number[];
}
