/**
 * The daemon process: `node daemon-main.js --state-dir DIR [--wait-for-go]`.
 * Started detached by the CLI (launcher.ts); with `--wait-for-go` it loads
 * its code, then waits for the CLI's go on stdin before touching DIR. Runs
 * the runtime (runtime.ts) for DIR and exits after `down` or on
 * SIGTERM/SIGINT, leaving agents running unless `down` stopped them.
 */

import { existsSync, watch } from 'node:fs';
import { rejoinEarlierScope } from './delegated-scope.js';
import { statePaths } from './paths.js';
import { startRuntime } from './runtime.js';
import { restoreExtraCa } from '../util/deferred-ca.js';

// First: agents and everything else inherit NODE_EXTRA_CA_CERTS as the CLI had it (the launcher deferred it, deferred-ca.ts).
restoreExtraCa();

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const stateDir = argValue('--state-dir');
if (!stateDir) {
  process.stderr.write('usage: daemon-main.js --state-dir DIR\n');
  process.exit(2);
}
if (process.argv.includes('--wait-for-go')) {
  if (!(await goSignal())) process.exit(0);
  // The CLI created the directory before spawning; gone now means its project was removed: recreating it would leave a daemon nobody can reach.
  if (!existsSync(stateDir)) process.exit(0);
}

/** Spawned ahead by `apply` (launcher.ts, WarmDaemon): true once the CLI writes `go`, false when it ends stdin without. */
function goSignal(): Promise<boolean> {
  return new Promise((resolve) => {
    let text = '';
    const done = (go: boolean): void => {
      process.stdin.destroy();
      resolve(go);
    };
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('go\n')) done(true);
    });
    process.stdin.on('end', () => done(text.includes('go\n')));
    process.stdin.on('error', () => done(false));
  });
}

const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
};

/** How long closing may take before the daemon exits anyway: a close stuck on something that never comes must not outlive SIGTERM. */
const CLOSE_LIMIT_MS = 10_000;

let exiting = false;
let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
const shutdown = (): void => {
  if (exiting) {
    // A second signal while closing: leave now.
    process.exit(1);
  }
  exiting = true;
  log('daemon exiting');
  setTimeout(() => {
    log(`closing took over ${CLOSE_LIMIT_MS} ms; exiting anyway`);
    process.exit(1);
  }, CLOSE_LIMIT_MS);
  // A signal while the runtime starts (its socket may already answer) is honoured once it is up, below.
  if (runtime) void runtime.close().finally(() => process.exit(0));
};
// Before the runtime starts: its socket is listening before startRuntime returns, and a SIGTERM in between killed the daemon outright.
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// Before the engine picks its cgroups: back into the scope an earlier daemon left its agents in (delegated-scope.ts).
const rejoined = rejoinEarlierScope(stateDir);
if (rejoined) log(`joined the scope of an earlier daemon, which still holds agents: ${rejoined}`);
runtime = await startRuntime(statePaths(stateDir), { log, onDown: shutdown }).catch((error: unknown): never => {
  const e = error as NodeJS.ErrnoException;
  // A file of the state directory vanished while the runtime started (its socket's chmod, its first save): the
  // directory is being removed, so nobody could reach this daemon; recreating it would not change that.
  if (!existsSync(stateDir) || (e.code === 'ENOENT' && typeof e.path === 'string' && e.path.startsWith(stateDir))) {
    log(`${stateDir} went away while the daemon started (${e.message}); exiting`);
    process.exit(0);
  }
  log(`the daemon could not start: ${e.message}`);
  process.exit(1);
});
if (!runtime) {
  // One runtime per state directory: a second daemon started by a racing CLI (or while `up` runs) leaves quietly.
  log('another daemon already runs for this state directory');
  process.exit(0);
}

if (exiting) void runtime.close().finally(() => process.exit(0));
exitWhenPidFileGoes();

/**
 * daemon.pid removed under the daemon (its state directory deleted, e.g. a
 * project folder removed) leaves nobody able to reach or stop it: it exits.
 * A watch on that one file costs nothing while idle.
 */
function exitWhenPidFileGoes(): void {
  const pidFile = statePaths(stateDir!).daemonPid;
  const check = (): void => {
    if (exiting || existsSync(pidFile)) return;
    log(`${pidFile} was removed; exiting`);
    shutdown();
  };
  try {
    const watcher = watch(pidFile, check);
    watcher.on('error', check);
    watcher.unref();
  } catch {
    // No watch here (or the file is already gone): the check below decides.
  }
  check();
}
process.on('uncaughtException', (error) => {
  log(`internal error: ${error.stack ?? error.message}`);
});
