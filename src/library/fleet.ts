/**
 * orchestra as a library: `await Fleet.up(file)` runs a fleet from the
 * calling process with the daemon's own runtime (ForegroundRuntime: lock,
 * state, revisions, socket, the same engine and boundary), resolves once
 * every service is ready and every oneshot completed, and `down()` stops it.
 * Meant for test suites that need real servers up before they run.
 */

import { EventEmitter } from 'node:events';
import { ForegroundRuntime } from '../daemon/foreground.js';
import { stateDirFor, statePaths } from '../daemon/paths.js';
import type { OrchestraEvent } from '../events/event.js';
import { hashEnvFiles } from '../plan/env-file-hashes.js';
import type { Plan } from '../plan/spec.js';
import { readProc } from '../supervise/procfs.js';
import { loadManifest, type ManifestDiagnostic } from './load.js';

export interface FleetOptions {
  /** Environment overlay to apply, like `--env`. */
  env?: string;
  /** Overrides like `--set`, each `dotted.path=value`. */
  set?: string[];
  /** State directory (default: `.orchestra` beside the manifest). */
  stateDir?: string;
}

/** One instance as `fleet.status()` lists it. */
export interface InstanceStatus {
  name: string;
  agent: string;
  state: string;
  pid?: number;
  restarts: number;
  health: number;
}

/** An agent that kept the fleet from coming up. */
export interface FailedAgent {
  name: string;
  state: string;
  reason?: string;
}

/** Why Fleet.up rejected: an invalid manifest (`diagnostics`), or agents that failed or were blocked (`agents`). */
export class FleetError extends Error {
  constructor(
    message: string,
    readonly agents: FailedAgent[] = [],
    readonly diagnostics: ManifestDiagnostic[] = [],
  ) {
    super(message);
    this.name = 'FleetError';
  }
}

/** States a run does not leave by itself: the fleet cannot come up past them. */
const SETTLED_BAD = new Set(['failed', 'blocked', 'exited']);

/** A fleet running in this process. */
export class Fleet {
  readonly #events = new EventEmitter();
  readonly #pids = new Set<number>();

  private constructor(
    readonly plan: Plan,
    private readonly host: ForegroundRuntime,
  ) {
    host.daemon.onEvent((event) => {
      if (event.type === 'agent-started' || event.type === 'agent-adopted') this.#pids.add(event.pid);
      this.#events.emit('event', event);
    });
  }

  /**
   * Loads `file` and runs it; resolves when every service is ready and every
   * oneshot completed. When an agent fails or is blocked, stops everything
   * it started and rejects with a FleetError naming them.
   */
  static async up(file: string | readonly string[], options: FleetOptions = {}): Promise<Fleet> {
    const loaded = await loadManifest(file, { ...(options.env !== undefined ? { env: options.env } : {}), ...(options.set ? { set: options.set } : {}) });
    if (!loaded.ok) {
      const first = loaded.diagnostics.find((d) => d.severity === 'error');
      const where = first?.file ? `${first.file}${first.line !== undefined ? `:${first.line}:${first.column}` : ''}: ` : '';
      throw new FleetError(`invalid manifest: ${where}${first?.message ?? 'see diagnostics'}`, [], loaded.diagnostics);
    }
    const plan = loaded.plan;
    const paths = statePaths(stateDirFor(plan.files[0] ?? 'orchestra.yaml', options.stateDir));
    const opened = await ForegroundRuntime.open(paths, `orchestra library (Fleet.up in pid ${process.pid})`);
    if (!opened.ok) throw new FleetError(opened.error);
    const fleet = new Fleet(plan, opened.value);
    try {
      const settled = fleet.#settled();
      await opened.value.apply({ plan, envFileHashes: Object.fromEntries(await hashEnvFiles(plan)) });
      const failed = await settled;
      if (failed.length > 0) {
        throw new FleetError(`the fleet did not come up: ${failed.map((f) => `${f.name} ${f.state}${f.reason ? ` (${f.reason})` : ''}`).join(', ')}`, failed);
      }
      return fleet;
    } catch (error) {
      await fleet.down();
      throw error;
    }
  }

  /**
   * Resolves when every instance has settled: services ready (or stopped on
   * purpose), oneshots completed, or anything failed or blocked; with the
   * ones that keep the fleet from being up (a service that exited counts).
   */
  #settled(): Promise<FailedAgent[]> {
    const types = new Map(this.plan.instances.map((i) => [i.name, i.type]));
    const good = (name: string, state: string): boolean =>
      types.get(name) === 'oneshot' ? state === 'exited' : state === 'running' || state === 'stopped';
    return new Promise((resolve) => {
      const check = (): void => {
        const all = this.host.daemon.reconciler.engine?.status() ?? [];
        if (all.length < types.size || !all.every((s) => good(s.name, s.state) || SETTLED_BAD.has(s.state))) return;
        unsubscribe();
        const bad = all.filter((s) => !good(s.name, s.state));
        resolve(bad.map((s) => ({ name: s.name, state: s.state, ...(s.detail !== undefined ? { reason: s.detail } : {}) })));
      };
      const unsubscribe = this.host.daemon.onEvent(check);
      setImmediate(check);
    });
  }

  /** Every instance now. */
  status(): InstanceStatus[] {
    return (this.host.daemon.reconciler.engine?.status() ?? []).map((s) => {
      const out: InstanceStatus = { name: s.name, agent: s.agent, state: s.state, restarts: s.restarts, health: s.health };
      if (s.pid !== undefined) out.pid = s.pid;
      return out;
    });
  }

  /** Calls `listener` with every event of the fleet (the same events as events.jsonl). */
  on(type: 'event', listener: (event: OrchestraEvent) => void): this {
    this.#events.on(type, listener);
    return this;
  }

  /** Removes a listener added with on(). */
  off(type: 'event', listener: (event: OrchestraEvent) => void): this {
    this.#events.off(type, listener);
    return this;
  }

  /** Starts an agent (all its replicas) or one instance; resolves when it settled. */
  async start(name: string): Promise<void> {
    await this.host.daemon.control('start', [name]);
  }

  /** Stops an agent or instance gracefully; resolves when it stopped. */
  async stop(name: string): Promise<void> {
    await this.host.daemon.control('stop', [name]);
  }

  /** Restarts an agent or instance; resolves when it is back. */
  async restart(name: string): Promise<void> {
    await this.host.daemon.control('restart', [name]);
  }

  /** Stops every agent in reverse dependency order; resolves when no process the fleet started is left. */
  async down(): Promise<void> {
    await this.host.down('Fleet.down');
    // stop() returns when the group is gone; wait out any pid still being reaped.
    const deadline = Date.now() + 10_000;
    const alive = (pid: number): boolean => readProc(pid)?.state !== undefined && readProc(pid)?.state !== 'Z';
    while ([...this.#pids].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
