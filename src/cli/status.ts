/** `orchestra status` / `ps`: the fleet as a table, JSON, or a table that refreshes (`--watch`). */

import { api } from '../daemon/api.js';
import { DaemonUnreachable } from '../daemon/client.js';
import type { StatusSnapshot } from '../report/status-snapshot.js';
import { connect, DaemonContext, nothingApplied, reportDaemonError, resolveStatePaths, type StateFlags } from './daemon-context.js';
import { useColor } from './options.js';

type StatusFlags = StateFlags & { json?: boolean; watch?: boolean; interval?: string };

/** The first snapshot: asked for at once (one round trip when a daemon runs); when none answers, `connect` decides whether one should. */
async function firstSnapshot(flags: StatusFlags): Promise<{ context: DaemonContext; snapshot: StatusSnapshot } | undefined> {
  const running = new DaemonContext(resolveStatePaths(flags));
  const snapshot = await running.call(api.status).catch((error: unknown) => {
    if (error instanceof DaemonUnreachable) return undefined;
    throw error;
  });
  if (snapshot) return { context: running, snapshot };
  const context = await connect(flags);
  return context ? { context, snapshot: await context.call(api.status) } : undefined;
}

/** Runs the command and returns its exit code. */
export async function runStatus(flags: StatusFlags): Promise<number> {
  try {
    const first = await firstSnapshot(flags);
    if (!first) return nothingApplied('status', resolveStatePaths(flags));
    const { context } = first;
    // The table renderer is loaded only for tables: `status --json` is what scripts poll.
    const table = flags.json ? undefined : await import('../report/status-table.js');
    const show = (snapshot: StatusSnapshot): void => {
      if (!table) {
        process.stdout.write(JSON.stringify(snapshot, null, 2) + '\n');
      } else {
        const clear = flags.watch && process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
        process.stdout.write(clear + table.renderStatusTable(snapshot, { color: useColor() }));
      }
    };
    show(first.snapshot);
    if (!flags.watch) return 0;
    const everyMs = Math.max(250, Number(flags.interval ?? 2) * 1000 || 2000);
    for (;;) {
      await new Promise((r) => setTimeout(r, everyMs));
      if (!flags.json && !process.stdout.isTTY) process.stdout.write('\n');
      show(await context.call(api.status));
    }
  } catch (error) {
    return reportDaemonError(error, 'status');
  }
}
