/**
 * `orchestra up`: load the manifest and run it in the foreground like
 * `docker compose up`, through the daemon's own runtime (lock, state,
 * revisions, socket: `status`, `logs` and the dashboard work meanwhile):
 * events and log lines on the terminal, events also in
 * `<stateDir>/events.jsonl`; stop everything in reverse dependency order on
 * SIGINT/SIGTERM (or `orchestra down`), escalate to an emergency stop on a
 * second signal. Returns the exit code; main.ts sets it.
 */

import { ForegroundRuntime } from '../daemon/foreground.js';
import { stateDirFor, statePaths } from '../daemon/paths.js';
import { loadManifest } from '../manifest/load.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import type { Plan } from '../plan/spec.js';
import { ConsoleRenderer } from '../report/console.js';
import { formatDiagnostics } from '../report/diagnostics.js';

export interface UpOptions {
  files: string[];
  environment?: string;
  set?: string[];
  stateDir?: string;
  color: boolean;
}

/** Loads the manifest and runs it in the foreground until a signal (or until every instance has ended). */
export async function runUp(options: UpOptions): Promise<number> {
  const loaded = await loadManifest({
    files: options.files,
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(options.set !== undefined ? { set: options.set } : {}),
  });
  if (loaded.diagnostics.length > 0) {
    process.stderr.write(formatDiagnostics(loaded.diagnostics, loaded.sources, { color: options.color, cwd: process.cwd() }) + '\n');
  }
  if (!loaded.plan || loaded.diagnostics.some((d) => d.severity === 'error')) return 1;
  const stateDir = stateDirFor(options.files[0] ?? 'orchestra.yaml', options.stateDir);
  return runForeground(loaded.plan, { stateDir, color: options.color, out: process.stdout });
}

export interface ForegroundOptions {
  stateDir: string;
  color: boolean;
  out: NodeJS.WritableStream;
}

const TERMINAL = new Set(['exited', 'failed', 'blocked', 'stopped']);

/** Runs a Plan in the foreground: the part of `up` after loading, kept separate so it can be tested without the loader. */
export async function runForeground(plan: Plan, options: ForegroundOptions): Promise<number> {
  const opened = await ForegroundRuntime.open(statePaths(options.stateDir), 'orchestra up');
  if (!opened.ok) {
    process.stderr.write(`orchestra up: ${opened.error}\n`);
    return 1;
  }
  const host = opened.value;
  const daemon = host.daemon;
  const view = new ConsoleRenderer(plan.instances.map((i) => i.name), { color: options.color, out: options.out });
  let shuttingDown: Promise<void> | undefined;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((r) => (finish = r));
  const status = () => daemon.reconciler.engine?.status() ?? [];
  let checkScheduled = false;

  daemon.onEvent((e) => {
    view.event(e);
    if (e.type === 'agent-started') view.follow(e.agent, statePaths(options.stateDir).logFile(e.agent));
    // Like `compose up`: when nothing is left running or about to run, we are done. Checked
    // after the events of one step are all out (an exit's last state change may come last).
    if (!shuttingDown && !checkScheduled) {
      checkScheduled = true;
      setImmediate(() => {
        checkScheduled = false;
        const now = status();
        if (shuttingDown || now.length === 0 || !now.every((s) => TERMINAL.has(s.state))) return;
        finish(now.some((s) => s.state === 'failed' || s.state === 'blocked') ? 1 : 0);
      });
    }
  });
  // `orchestra down` from another terminal stopped everything: we are done too.
  void host.downRequested.then(() => finish(0));

  const onSignal = (sig: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.out.write(`received ${sig} again: emergency stop\n`);
      void host.kill().then(() => finish(1));
      return;
    }
    options.out.write(`received ${sig}: stopping (again to kill)\n`);
    shuttingDown = host.down().then(() => finish(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const applying = host.apply({ plan, envFileHashes: Object.fromEntries(await hashEnvFiles(plan)) });
    applying.catch((error: unknown) => {
      options.out.write(`orchestra up: ${error instanceof Error ? error.message : String(error)}\n`);
      finish(1);
    });
    return await finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    view.close();
    // Whatever ended the run, nothing stays behind: stop what is left, free the socket and the lock.
    await host.down();
  }
}
