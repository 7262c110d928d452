/**
 * `orchestra up`: load the manifest, run the engine in the foreground like
 * `docker compose up` (events and log lines on the terminal, events also in
 * `<stateDir>/events.jsonl`), stop everything in reverse dependency order on
 * SIGINT/SIGTERM, escalate to an emergency stop on a second signal. Returns
 * the exit code; main.ts sets it.
 */

import { dirname, join, resolve } from 'node:path';
import { EventLog, eventLogPath } from '../events/event-log.js';
import { loadManifest } from '../manifest/load.js';
import type { Plan } from '../plan/spec.js';
import { ConsoleRenderer } from '../report/console.js';
import { formatDiagnostics } from '../report/diagnostics.js';
import { Engine } from '../supervise/engine.js';

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
  const stateDir = options.stateDir ?? join(dirname(resolve(options.files[0] ?? 'orchestra.yaml')), '.orchestra');
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
  const engine = new Engine(plan, { stateDir: options.stateDir });
  const log = new EventLog(eventLogPath(options.stateDir));
  const view = new ConsoleRenderer(plan.instances.map((i) => i.name), { color: options.color, out: options.out });
  let shuttingDown: Promise<void> | undefined;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((r) => (finish = r));

  engine.onEvent((e) => {
    log.append(e);
    view.event(e);
    if (e.type === 'agent-started') view.follow(e.agent, join(options.stateDir, 'logs', `${e.agent}.log`));
    // Like `compose up`: when nothing is left running or about to run, we are done.
    if (!shuttingDown && e.type !== 'state-changed' && engine.status().every((s) => TERMINAL.has(s.state))) {
      const failed = engine.status().some((s) => s.state === 'failed' || s.state === 'blocked');
      setImmediate(() => finish(failed ? 1 : 0));
    }
  });

  const onSignal = (sig: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.out.write(`received ${sig} again: emergency stop\n`);
      void engine.kill().then(() => finish(1));
      return;
    }
    options.out.write(`received ${sig}: stopping (again to kill)\n`);
    shuttingDown = engine.stopAll('shutdown').then(() => finish(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    void engine.startAll();
    return await finished;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    view.close();
    await engine.dispose();
    log.close();
  }
}
