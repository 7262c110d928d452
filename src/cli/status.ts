/** `orchestra status` / `ps`: the fleet as a table, JSON, or a table that refreshes (`--watch`). */

import { api } from '../daemon/api.js';
import { renderStatusTable } from '../report/status-table.js';
import { connect, nothingApplied, reportDaemonError, resolveStatePaths, type StateFlags } from './daemon-context.js';
import { useColor } from './options.js';

type StatusFlags = StateFlags & { json?: boolean; watch?: boolean; interval?: string };

/** Runs the command and returns its exit code. */
export async function runStatus(flags: StatusFlags): Promise<number> {
  try {
    const context = await connect(flags);
    if (!context) return nothingApplied('status', resolveStatePaths(flags));
    const show = async (): Promise<void> => {
      const snapshot = await context.call(api.status);
      if (flags.json) {
        process.stdout.write(JSON.stringify(snapshot, null, 2) + '\n');
      } else {
        const clear = flags.watch && process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
        process.stdout.write(clear + renderStatusTable(snapshot, { color: useColor() }));
      }
    };
    await show();
    if (!flags.watch) return 0;
    const everyMs = Math.max(250, Number(flags.interval ?? 2) * 1000 || 2000);
    for (;;) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (!flags.json && !process.stdout.isTTY) process.stdout.write('\n');
      await show();
    }
  } catch (error) {
    return reportDaemonError(error, 'status');
  }
}
