/** `orchestra page` (static status page) and `orchestra dashboard` (live page served by the daemon). */

import { api } from '../daemon/api.js';
import { pageExtras } from '../daemon/page-extras.js';
import { getRevision } from '../daemon/revisions.js';
import { renderStatusPage } from '../report/status-page.js';
import { connect, nothingApplied, reportDaemonError, resolveStatePaths, type StateFlags } from './daemon-context.js';
import { writeOutputFile } from './output-file.js';

/** Writes the current status as one self-contained HTML file. */
export async function runPage(flags: StateFlags & { out?: string }): Promise<number> {
  try {
    const context = await connect(flags);
    if (!context) return nothingApplied('page', resolveStatePaths(flags));
    const snapshot = await context.call(api.status);
    const paths = resolveStatePaths(flags);
    const applied = snapshot.revision ? await getRevision(paths.dir, snapshot.revision.number) : undefined;
    const html = renderStatusPage(snapshot, await pageExtras(paths.dir, applied?.ok ? applied.value : undefined));
    if (flags.out === undefined || flags.out === '-') {
      process.stdout.write(html);
    } else {
      const problem = writeOutputFile(flags.out, html, '-o');
      if (problem) {
        process.stderr.write(`orchestra page: ${problem}\n`);
        return 1;
      }
      process.stderr.write(`wrote ${flags.out}\n`);
    }
    return 0;
  } catch (error) {
    return reportDaemonError(error, 'page');
  }
}

/** Asks the daemon to serve the live dashboard and prints its URL (with the access token). */
export async function runDashboard(flags: StateFlags & { port?: string; json?: boolean }): Promise<number> {
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`orchestra dashboard: invalid --port "${flags.port}": expected a port number from 0 to 65535\n`);
      return 1;
    }
  }
  try {
    const context = await connect(flags);
    if (!context) return nothingApplied('dashboard', resolveStatePaths(flags));
    const result = await context.call(api.dashboard, { body: port === undefined ? {} : { port } });
    if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(`Dashboard: ${result.url}\n(the link holds the access token; anyone with it can control the fleet)\n`);
    return 0;
  } catch (error) {
    return reportDaemonError(error, 'dashboard');
  }
}
