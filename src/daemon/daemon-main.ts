/**
 * The daemon process: `node daemon-main.js --state-dir DIR`. Started
 * detached by the CLI (launcher.ts). Runs the runtime (runtime.ts) for DIR
 * and exits after `down` or on SIGTERM/SIGINT, leaving agents running unless
 * `down` stopped them.
 */

import { rejoinEarlierScope } from './delegated-scope.js';
import { statePaths } from './paths.js';
import { startRuntime } from './runtime.js';

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const stateDir = argValue('--state-dir');
if (!stateDir) {
  process.stderr.write('usage: daemon-main.js --state-dir DIR\n');
  process.exit(2);
}
const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
};

let exiting = false;
const shutdown = (): void => {
  if (exiting) return;
  exiting = true;
  log('daemon exiting');
  void (runtime?.close() ?? Promise.resolve()).finally(() => process.exit(0));
};
// Before the engine picks its cgroups: back into the scope an earlier daemon left its agents in (delegated-scope.ts).
const rejoined = rejoinEarlierScope(stateDir);
if (rejoined) log(`joined the scope of an earlier daemon, which still holds agents: ${rejoined}`);
const runtime = await startRuntime(statePaths(stateDir), { log, onDown: shutdown });
if (!runtime) {
  // One runtime per state directory: a second daemon started by a racing CLI (or while `up` runs) leaves quietly.
  log('another daemon already runs for this state directory');
  process.exit(0);
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('uncaughtException', (error) => {
  log(`internal error: ${error.stack ?? error.message}`);
});
