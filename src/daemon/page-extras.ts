/**
 * What the static status page shows beyond the snapshot: the History rows
 * and the last lines of every instance's log (secrets masked). Read from the
 * state directory, so the daemon's page writer and `orchestra page` render
 * the same page. Reads only.
 */

import { statSync } from 'node:fs';
import { planSecretValues, valuesToMask } from '../plan/secrets.js';
import type { StatusPageOptions } from '../report/status-page.js';
import { loadHistory } from './dashboard-history.js';
import { statePaths } from './paths.js';
import { readLogTail } from './log-follower.js';
import type { Revision } from './revisions.js';
import { readSecretValues } from './secret-store.js';

/** Lines of each log on the static page. */
export const PAGE_LOG_LINES = 20;

/** The values to mask in agents' logs: a log still holds what agents of earlier revisions printed, so every kept revision's secrets, not only the applied one's. */
export async function logSecrets(stateDir: string, applied: Revision | undefined): Promise<string[]> {
  const store = await readSecretValues(stateDir);
  return valuesToMask([...planSecretValues(applied?.plan ?? { instances: [] }), ...(store.ok ? store.value.values() : [])]);
}

/** History and log tails for the static page of the project in `stateDir`, with `applied` the revision applied now. */
export async function pageExtras(stateDir: string, applied: Revision | undefined): Promise<Pick<StatusPageOptions, 'history' | 'logTails'>> {
  const secrets = await logSecrets(stateDir, applied);
  const logTails: NonNullable<StatusPageOptions['logTails']> = [];
  const paths = statePaths(stateDir);
  for (const { name } of applied?.plan.instances ?? []) {
    // An empty log (most of an idle fleet's) costs a stat rather than an open, a stat and a close.
    const size = statSync(paths.logFile(name), { throwIfNoEntry: false })?.size;
    const lines = size === 0 ? [] : size === undefined ? undefined : readLogTail(paths.logFile(name), PAGE_LOG_LINES, secrets);
    logTails.push(lines === undefined ? { instance: name, lines: [], missing: true } : { instance: name, lines });
  }
  return { history: await loadHistory(stateDir, applied?.number), logTails };
}
