/**
 * One supervised instance: its state, its spec, its restart record and its
 * last exit, all private, moved only through the named transitions below
 * (what the monitor sees of it is the monitor's own record). The work of a
 * run is done by its own modules on a core it shares with them alone
 * (instance-core.ts): launch.ts brings a run into being, termination.ts ends
 * one from outside, run-end.ts applies what an exit means; the decisions
 * themselves are the pure modules' (agent-state, exit-decision,
 * restart-policy), and its probes live in run-probes.ts. It never looks at
 * other instances: dependency conditions and ordering belong to the engine,
 * which it calls back through `InstanceHost`.
 */

import type { EventInput } from '../events/event.js';
import type { AgentSpec } from '../plan/spec.js';
import type { CommandOutcome } from './agent-command.js';
import { initialState, pidOf, transition, type AgentState, type ExitInfo, type StateInput } from './agent-state.js';
import type { InstanceBoundary, Survey } from './boundary.js';
import { emptyRun, type InstanceCore } from './instance-core.js';
import type { InstanceHost } from './instance-host.js';
import { launch, memberPids, watchPid } from './launch.js';
import { foreignListener, localProbeAddress } from './listeners.js';
import { canReload, reloadProcess } from './reload.js';
import { RestartRecord, type RestartView } from './restart-record.js';
import { recordRestart } from './run-end.js';
import { RunProbes, type EventFields, type ProbeStatus } from './run-probes.js';
import type { StopTarget } from './stop.js';
import { beginKill, stopForGood, supervisorStop, terminate } from './termination.js';

export type { ProbeStatus } from './run-probes.js';
export type { InstanceHost } from './instance-host.js';

export class Instance {
  #spec: AgentSpec;
  #state: AgentState;
  #lastExit: ExitInfo | undefined;
  readonly #host: InstanceHost;
  readonly #restarts = new RestartRecord();
  readonly #run = emptyRun();
  readonly #probes: RunProbes;
  /** Shared with launch.ts, termination.ts and run-end.ts only. */
  readonly #core: InstanceCore;

  /** Its log file, where src/daemon/paths.ts puts it (the name never changes; the monitor's rounds ask for it). */
  readonly logFile: string;

  constructor(spec: AgentSpec, host: InstanceHost) {
    this.#spec = spec;
    this.#host = host;
    this.logFile = host.paths.logFile(spec.name);
    this.#state = initialState(host.clock.now());
    this.#core = this.#makeCore();
    this.#probes = new RunProbes({
      clock: host.clock,
      baseEnv: host.baseEnv,
      logFile: this.logFile,
      spec: () => this.spec,
      state: () => this.state.name,
      emit: (e) => this.#emit(e),
      ready: () => this.#markReady(),
      kill: (intent) => void supervisorStop(this.#core, intent),
      answeredOutside: (check) => {
        const addr = localProbeAddress(check);
        return addr && foreignListener(addr, memberPids(this.#core));
      },
    });
  }

  #makeCore(): InstanceCore {
    return new Instance.#Core(this);
  }

  /**
   * The core as a class: its getters and methods live once on a prototype.
   * An object literal with getters and arrow functions, made per instance,
   * cost each instance its own hidden class and a dozen closures (~2 KiB).
   * Getters, so the modules always see the current spec, state and probes.
   */
  static readonly #Core = class implements InstanceCore {
    readonly host: InstanceHost;
    readonly run: InstanceCore['run'];
    readonly restarts: RestartRecord;
    constructor(readonly self: Instance) {
      this.host = self.#host;
      this.run = self.#run;
      this.restarts = self.#restarts;
    }
    get name(): string {
      return this.self.name;
    }
    get spec(): Readonly<AgentSpec> {
      return this.self.spec;
    }
    get state(): AgentState {
      return this.self.state;
    }
    get pid(): number | undefined {
      return this.self.pid;
    }
    get boundary(): InstanceBoundary {
      return this.self.boundary;
    }
    get logFile(): string {
      return this.self.logFile;
    }
    get probes(): RunProbes {
      return this.self.#probes;
    }
    move(input: StateInput, event?: EventFields): void {
      this.self.#move(input, event);
    }
    emit(event: EventFields): void {
      this.self.#emit(event);
    }
    treeLastSeen(): ReturnType<InstanceCore['treeLastSeen']> {
      return this.host.treeLastSeen(this.self);
    }
    setLastExit(exit: ExitInfo): void {
      this.self.#lastExit = exit;
    }
  };

  /** The instance name (`web-0`), unique in the plan. */
  get name(): string {
    return this.#spec.name;
  }

  /** The agent's settings as the plan last gave them. */
  get spec(): Readonly<AgentSpec> {
    return this.#spec;
  }

  /** Where the instance is in its lifecycle (agent-state.ts). */
  get state(): AgentState {
    return this.#state;
  }

  /** Its restarts and spawn attempts, read-only. */
  get restarts(): RestartView {
    return this.#restarts;
  }

  /** How its last run ended, if it ran. */
  get lastExit(): Readonly<ExitInfo> | undefined {
    return this.#lastExit;
  }

  /** Every process this instance ever started lives here. */
  get boundary(): InstanceBoundary {
    return this.#host.boundary.instance(this.name);
  }

  /** The live leader pid, if any. */
  get pid(): number | undefined {
    return pidOf(this.state);
  }

  /** The last readiness probe result of the current run. */
  get readiness(): ProbeStatus | undefined {
    return this.#probes.readiness;
  }

  /** The last liveness probe result. */
  get liveness(): ProbeStatus | undefined {
    return this.#probes.liveness;
  }

  /** Applies a state input, emits the event that reports it, then tells the host (so dependents react after the report). */
  #move(input: StateInput, event?: EventFields): void {
    this.#state = transition(this.#state, input);
    if (event) this.#emit(event);
    this.#host.changed(this);
  }

  #emit(event: EventFields): void {
    this.#host.emit({ agent: this.name, ...event } as EventInput);
  }

  /** Spawns the process now; the engine has checked dependencies. A copy an earlier daemon left running is adopted instead. */
  spawn(): Promise<void> {
    return launch(this.#core);
  }

  #markReady(): void {
    this.#probes.clearStartup();
    if (this.state.name !== 'starting') return;
    const now = this.#host.clock.now();
    const since = this.#run.spawnRequestedAt;
    this.#restarts.becameReady();
    // A oneshot is never "ready": it runs, then completes or fails (agent-started and agent-completed say so).
    const event = this.spec.type === 'oneshot' ? undefined : ({ type: 'agent-ready', pid: this.pid!, afterMs: now - since, message: `ready after ${now - since}ms` } as const);
    this.#move({ type: 'ready', at: now }, event);
    this.#probes.startLiveness();
  }

  /** A new plan's settings for this agent; supervision fields apply in place (the liveness loop restarts; the monitor re-applies niceness). */
  replaceSpec(spec: AgentSpec): void {
    this.#spec = spec;
    if (this.state.name === 'running') this.#probes.startLiveness();
  }

  /** Its dependencies are not all met: it waits for `on` (empty: it is about to spawn). Reported only when the list changed. */
  awaitDependencies(on: readonly string[]): void {
    const before = this.state.name === 'waiting' ? this.state.on.join() : undefined;
    const report = on.length > 0 && before !== on.join();
    this.#move({ type: 'wait', at: this.#host.clock.now(), on }, report ? { type: 'agent-waiting', on, message: `waiting for ${on.join(', ')}` } : undefined);
  }

  /** A dependency can never meet its condition as things stand: blocked until that dependency changes. */
  block(reason: string, dependency: string): void {
    this.#move({ type: 'block', at: this.#host.clock.now(), reason, dependency }, { type: 'agent-blocked', reason, dependency, message: `blocked: ${reason}` });
  }

  /** The plan disables it: it stays stopped, without an event of its own (the plan update reports it). */
  disable(): void {
    if (this.state.name !== 'stopped') this.#move({ type: 'cancel', at: this.#host.clock.now(), reason: 'disabled' });
  }

  /** Restarts now for a manual, dependency or config reason: stop (if running) then launch again. Resets the failure count. */
  async forceRestart(reason: string, survey?: Survey): Promise<void> {
    this.#restarts.failuresForgiven();
    if (this.state.name === 'starting' || this.state.name === 'running') {
      this.#run.intent = { kind: 'forced', reason };
      await terminate(this.#core, reason, 'restart', survey);
      return;
    }
    if (this.state.name === 'stopping') return;
    this.#host.clock.clearTimeout(this.#run.backoffTimer);
    recordRestart(this.#core, reason, this.#host.clock.now(), true);
    this.#host.relaunch(this);
  }

  /**
   * Reloads in place, keeping the pid: `reload.signal` to the main process, or
   * `reload.command` (agent env and cwd, output to the log, bounded by
   * `startup.timeout`). Not a restart: no restart is counted.
   */
  async reload(): Promise<CommandOutcome> {
    if (!canReload(this.spec)) return { ok: false, reason: 'it has no `reload` (set `reload.signal` or `reload.command`)' };
    const pid = this.pid;
    if (pid === undefined || (this.state.name !== 'running' && this.state.name !== 'starting')) return { ok: false, reason: `it is ${this.state.name}, not running` };
    const outcome = await reloadProcess(this.spec, pid, this.logFile, this.#host.baseEnv);
    const by = this.spec.reload?.signal ?? 'reload command';
    if (outcome.ok) this.#emit({ type: 'agent-reloaded', pid, by, message: `reloaded (${by}, pid ${pid} kept)` });
    else this.#emit({ type: 'reload-failed', reason: outcome.reason, message: `reload failed: ${outcome.reason}` });
    return outcome;
  }

  /** Ends the run for a failure found by the monitor (threshold with on_critical: restart). */
  failRun(reason: string): Promise<void> {
    return supervisorStop(this.#core, { kind: 'failure', reason });
  }

  /** Stops for good (no restart follows); resolves once nothing of the instance is left. `survey` is shared by a batch of stops. */
  stop(reason: string, survey?: Survey): Promise<void> {
    return stopForGood(this.#core, reason, survey);
  }

  /** Marks the instance stopping for an emergency kill, and returns once its exit is processed. */
  beginKill(reason: string): (StopTarget & { exited: Promise<void> }) | undefined {
    return beginKill(this.#core, reason);
  }

  /** Watches a process this engine did not spawn; its exit code is unknown. `startedAt` (ms since epoch) makes its uptime right. */
  adopt(pid: number, startedAt?: number, restarts?: number): void {
    const now = this.#host.clock.now();
    this.#run.liveChecked = true;
    this.#run.adoptedPid = pid;
    if (restarts !== undefined) this.#restarts.continuedFrom(restarts);
    this.#move({ type: 'spawn', at: now, pid, attempt: this.#restarts.attempt, ...(startedAt !== undefined ? { startedAt: Math.min(startedAt, now) } : {}) });
    this.#move({ type: 'ready', at: now }, { type: 'agent-adopted', pid, message: `adopted running process ${pid}` });
    watchPid(this.#core, pid);
    this.#probes.startLiveness();
  }

  /** Records a completion seen by an earlier engine: pending → exited (completed), no process, no event. */
  markCompleted(at: number): void {
    this.#move({ type: 'complete', at });
  }

  /** Stops every timer; the process is left alone. */
  dispose(): void {
    this.#probes.clear();
    this.#host.clock.clearTimeout(this.#run.backoffTimer);
    this.#host.clock.clearTimeout(this.#run.adoptTimer);
    this.#run.adoptedPid = undefined;
  }
}
