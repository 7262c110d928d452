/**
 * One supervised instance: its state, its process and its restart history
 * (what the monitor sees of it is the monitor's own record). It applies the decisions of the pure modules
 * (agent-state, exit-decision, thresholds) to a real process and reports
 * through its host; its probes live in run-probes.ts. It never looks at other
 * instances: dependency conditions and ordering belong to the engine, which
 * it calls back through `InstanceHost`. Over 300 lines because every
 * effect on the one process (spawn, stop, restart, reload, kill, adopt) has
 * to move the same state; the decisions themselves live in the pure modules.
 */

import type { EventInput } from '../events/event.js';
import type { AgentSpec } from '../plan/spec.js';
import { runAgentCommand, type CommandOutcome } from './agent-command.js';
import { canReload, reloadProcess } from './reload.js';
import { awaitFork } from './forking.js';
import { describeExit, initialState, pidOf, transition, type AgentState, type ExitInfo, type StateInput } from './agent-state.js';
import type { InstanceBoundary, ProjectBoundary, Survey } from './boundary.js';
import type { Clock } from './clock.js';
import { decideExit, type KillIntent } from './exit-decision.js';
import { applyNice, spawnAgent, type SpawnedProcess } from './process-group.js';
import { foreignListener, localProbeAddress } from './listeners.js';
import { isGone, processStartedAt, type ProcInfo } from './procfs.js';
import { snapshotTree } from './tree-boundary.js';
import { currentSize } from './probes.js';
import { RestartRecord, type RestartView } from './restart-record.js';
import type { SupervisionPaths } from './supervision-paths.js';
import { RunProbes, type EventFields, type ProbeStatus } from './run-probes.js';
import { clearBoundary, killBoundaries, stopBoundary, type DeferredSignal, type StopTarget } from './stop.js';

export type { ProbeStatus } from './run-probes.js';

type Emit = (event: EventInput) => void;

export interface InstanceHost {
  clock: Clock;
  random: () => number;
  /** Where its log file is, and the state directory its marker names (handed down from src/daemon/paths.ts). */
  paths: SupervisionPaths;
  baseEnv: Record<string, string | undefined>;
  /** The project's boundary; each instance has its own inside it. */
  boundary: ProjectBoundary;
  emit: Emit;
  /** Called after every state change. */
  changed(instance: Instance): void;
  /**
   * Called when a restart of the instance is decided, before it runs again;
   * resolves once its `depends_on.restart` dependents are out of the way.
   */
  restarting(instance: Instance, reason: string): Promise<void>;
  /** Asks the engine to (re)launch the instance once its dependencies hold. */
  relaunch(instance: Instance): void;
  /** The current run's tree members the monitor last saw, so a stop finds descendants whose parent already died. */
  treeLastSeen(instance: Instance): readonly ProcInfo[];
}

const ADOPT_POLL_MS = 1000;

export class Instance {
  #spec: AgentSpec;
  #state: AgentState;
  /** The main process when it is our child; undefined for an adopted or forked one. */
  #process: SpawnedProcess | undefined;
  /** The main process when it is not our child (adopted, or found through a pid file): polled, its exit code unknown. */
  #adoptedPid: number | undefined;
  readonly #restarts = new RestartRecord();
  #lastExit: ExitInfo | undefined;
  /** True while a spawn is in flight (between the request and the pid), so a second launch is ignored. */
  #spawning = false;
  readonly #probes: RunProbes;
  #intent: KillIntent | undefined;
  #spawnRequestedAt = 0;
  #backoffTimer: unknown;
  #adoptTimer: unknown;
  #stopping: Promise<void> | undefined;
  /** Whether the boundary was checked for a copy left running by an earlier daemon (once, before the first spawn). */
  #liveChecked = false;
  #exitSeen: Promise<void> | undefined;
  /** The stop of the last run, until its final sweep of the boundary is over. */
  #sweeping: Promise<void> | undefined;

  constructor(
    spec: AgentSpec,
    private readonly host: InstanceHost,
  ) {
    this.#spec = spec;
    this.#state = initialState(host.clock.now());
    this.#probes = new RunProbes({
      clock: host.clock,
      baseEnv: host.baseEnv,
      logFile: this.logFile,
      spec: () => this.spec,
      state: () => this.state.name,
      emit: (e) => this.#emit(e),
      ready: () => this.#markReady(),
      kill: (intent) => void this.#supervisorStop(intent),
      answeredOutside: (check) => {
        const addr = localProbeAddress(check);
        return addr && foreignListener(addr, this.#memberPids());
      },
    });
  }

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
    return this.host.boundary.instance(this.name);
  }

  get logFile(): string {
    return this.host.paths.logFile(this.name);
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
    this.host.changed(this);
  }

  #emit(event: EventFields): void {
    this.host.emit({ agent: this.name, ...event } as EventInput);
  }

  /** Spawns the process now; the engine has checked dependencies. */
  async spawn(): Promise<void> {
    if (this.#spawning) return;
    this.#spawning = true;
    try {
      if (await this.#adoptLive()) return;
      await this.#spawn();
    } finally {
      this.#spawning = false;
    }
  }

  /** The live pids of the instance's boundary, as cheaply as the boundary allows (cgroup.procs, else the tree of the main process). */
  #memberPids(): number[] {
    const pids = this.boundary.pids();
    if (pids) return pids;
    const pid = this.pid;
    return pid === undefined ? [] : snapshotTree({ pid, known: this.host.treeLastSeen(this) }).map((p) => p.pid);
  }

  /** Why the agent must not start: its probe's address is already held outside its boundary (a second copy, or a stranger). */
  #portHeld(): string | undefined {
    for (const probe of [this.spec.readiness, this.spec.liveness]) {
      const addr = probe && localProbeAddress(probe);
      const reason = addr && foreignListener(addr, this.#memberPids());
      if (reason) return `not started: ${reason}`;
    }
    return undefined;
  }

  /**
   * Before this engine's first spawn of the instance: a copy that still runs
   * in its boundary (a daemon whose records were lost started it) is adopted
   * instead, so no apply or recovery ever starts a second one.
   */
  async #adoptLive(): Promise<boolean> {
    if (this.#liveChecked) return false;
    this.#liveChecked = true;
    const found = this.boundary.live();
    if (!found) return false;
    const startedAt = await processStartedAt(found.pid);
    if (this.state.name === 'stopped' || isGone(found.pid, found.startTime)) return false;
    this.adopt(found.pid, startedAt);
    return true;
  }

  async #spawn(): Promise<void> {
    this.#spawnRequestedAt = this.host.clock.now();
    const attempt = this.#restarts.spawnBegun();
    this.#emit({ type: 'agent-starting', attempt, message: `starting (attempt ${attempt})` });
    // Where this run's output begins: a log readiness probe must see a line printed before it is set up.
    const logFrom = currentSize(this.logFile);
    const held = this.#portHeld();
    if (held) {
      this.#move({ type: 'fail', at: this.host.clock.now(), reason: held }, { type: 'agent-failed', reason: held, message: `failed: ${held}` });
      return;
    }
    const spawned = await spawnAgent(this.spec, { logFile: this.logFile, stateDir: this.host.paths.dir, baseEnv: this.host.baseEnv, restarts: this.#restarts.count, boundary: this.boundary });
    // A stop may have arrived while spawning.
    if (this.state.name === 'stopped') {
      if (spawned.ok) await killBoundaries([{ pid: spawned.value.pid, boundary: this.boundary, leaderExited: spawned.value.exited }], this.host.boundary.survey());
      // The stop (or an engine's kill and dispose) released the boundary before this spawn entered it.
      this.boundary.release();
      return;
    }
    if (!spawned.ok) {
      this.#move({ type: 'fail', at: this.host.clock.now(), reason: spawned.error }, { type: 'agent-failed', reason: spawned.error, message: `failed: ${spawned.error}` });
      return;
    }
    const proc = spawned.value;
    this.#process = proc;
    this.#move({ type: 'spawn', at: this.host.clock.now(), pid: proc.pid, attempt }, { type: 'agent-started', pid: proc.pid, attempt, message: `started (pid ${proc.pid})` });
    if (this.spec.type === 'forking' && this.spec.pidFile !== undefined) {
      this.#exitSeen = this.#followFork(proc, this.spec.pidFile, logFrom);
      return;
    }
    this.#exitSeen = proc.exited.then((r) => this.#onExit({ code: r.code, signal: r.signal, at: this.host.clock.now() }));
    this.#probes.startReadiness(logFrom);
  }

  /**
   * `type: forking`: waits for the launcher to exit 0 and the pid file to
   * name a live process, then supervises that process as if adopted. A
   * failure fails the start (retried `startup.retries` times), after the
   * boundary is cleared of whatever the launcher left.
   */
  async #followFork(proc: SpawnedProcess, pidFile: string, logFrom: number): Promise<void> {
    const launchedAt = Date.now();
    const outcome = await awaitFork({ launcher: proc.exited, pidFile, launchedAt, deadline: launchedAt + this.spec.startup.timeoutMs, cancelled: () => this.state.name !== 'starting' });
    if (this.state.name !== 'starting') {
      // A stop arrived while it was starting; the stop sweeps the boundary, this finishes the run.
      const e = outcome.launcherExit ?? (await proc.exited);
      return this.#onExit({ code: e.code, signal: e.signal, at: this.host.clock.now() });
    }
    if (!outcome.ok) {
      await clearBoundary(this.boundary, this.host.boundary.survey());
      const e = outcome.launcherExit ?? (await proc.exited);
      this.#intent = { kind: 'startup-timeout', reason: outcome.reason };
      return this.#onExit({ code: e.code, signal: e.signal, at: this.host.clock.now() });
    }
    const pid = outcome.pid;
    this.#process = undefined;
    this.#adoptedPid = pid;
    if (this.spec.nice !== undefined) applyNice([pid], this.spec.nice);
    this.#move({ type: 'forked', at: this.host.clock.now(), pid }, { type: 'agent-forked', pid, launcher: proc.pid, message: `forked: supervising pid ${pid} (from ${pidFile})` });
    this.#watchPid(pid);
    this.#probes.startReadiness(logFrom);
  }

  /** Polls a process that is not our child until it is gone; its exit code is unknown. */
  #watchPid(pid: number): void {
    const poll = (): void => {
      if (this.#adoptedPid !== pid) return;
      if (isGone(pid)) void this.#onExit({ code: null, signal: null, at: this.host.clock.now() });
      else this.#adoptTimer = this.host.clock.setTimeout(poll, ADOPT_POLL_MS);
    };
    this.#adoptTimer = this.host.clock.setTimeout(poll, ADOPT_POLL_MS);
  }

  #markReady(): void {
    this.#probes.clearStartup();
    if (this.state.name !== 'starting') return;
    const now = this.host.clock.now();
    const since = this.#spawnRequestedAt;
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
    this.#move({ type: 'wait', at: this.host.clock.now(), on }, report ? { type: 'agent-waiting', on, message: `waiting for ${on.join(', ')}` } : undefined);
  }

  /** A dependency can never meet its condition as things stand: blocked until that dependency changes. */
  block(reason: string, dependency: string): void {
    this.#move({ type: 'block', at: this.host.clock.now(), reason, dependency }, { type: 'agent-blocked', reason, dependency, message: `blocked: ${reason}` });
  }

  /** The plan disables it: it stays stopped, without an event of its own (the plan update reports it). */
  disable(): void {
    if (this.state.name !== 'stopped') this.#move({ type: 'cancel', at: this.host.clock.now(), reason: 'disabled' });
  }

  /** Ends the current run for a supervisor reason; the exit handler reads the intent. */
  async #supervisorStop(intent: KillIntent): Promise<void> {
    if (this.state.name !== 'starting' && this.state.name !== 'running') return;
    this.#intent = intent;
    await this.#terminate(intent.reason, 'restart');
  }

  /** Signals the boundary (before the first await) and resolves once the exit is processed. `survey` is shared by a batch of stops. */
  async #terminate(reason: string, then: 'stopped' | 'restart', survey?: Survey): Promise<void> {
    const pid = this.pid!;
    this.#probes.clear();
    this.#move({ type: 'stop', at: this.host.clock.now(), reason, then }, { type: 'agent-stopping', pid, reason, message: `stopping (${reason})` });
    // Captured now: a restart may spawn a new process (and a new exit promise) before this stop returns.
    const exitSeen = this.#exitSeen;
    const target: StopTarget = { pid, known: this.host.treeLastSeen(this), boundary: this.boundary, ...(this.#process && exitSeen ? { leaderExited: exitSeen } : {}) };
    const project = this.host.boundary;
    const { mode = 'group', timeoutMs } = this.spec.stop;
    const stopping = stopBoundary(target, this.#stopSignal(), mode, timeoutMs, survey ?? project.survey(), () => project.survey());
    // The exit may schedule the next run before the final sweep is over; that run waits for it, or the sweep's cgroup.kill would end it.
    this.#sweeping = stopping.then(
      () => undefined,
      () => undefined,
    );
    const result = await stopping;
    if (this.#adoptedPid !== undefined) {
      this.host.clock.clearTimeout(this.#adoptTimer);
      await this.#onExit({ code: null, signal: null, at: this.host.clock.now() });
    } else {
      await exitSeen;
    }
    if (this.state.name === 'stopped') {
      this.#emit({
        type: 'agent-stopped',
        reason,
        killed: result.killed,
        swept: result.swept,
        survivors: result.survivors,
        message: result.killed ? `stopped (killed after ${this.spec.stop.timeoutMs}ms)` : 'stopped',
      });
    }
  }

  /**
   * The stop signal, or with `stop.command` the command's verdict: nothing
   * more when it succeeds, the signal when it fails (reported, never fatal).
   */
  #stopSignal(): NodeJS.Signals | DeferredSignal {
    const { command, signal, timeoutMs } = this.spec.stop;
    if (!command) return signal;
    return runAgentCommand(this.spec, command, this.logFile, this.host.baseEnv, timeoutMs).then((outcome) => {
      if (outcome.ok) return undefined;
      this.#emit({ type: 'stop-command-failed', reason: outcome.reason, message: `stop command failed: ${outcome.reason}; sending ${signal}` });
      return signal;
    });
  }

  async #onExit(exit: ExitInfo): Promise<void> {
    if (this.state.name !== 'starting' && this.state.name !== 'running' && this.state.name !== 'stopping') return;
    const st = this.state;
    const pid = st.pid;
    const runMs = exit.at - st.startedAt;
    this.#probes.clear();
    this.#process = undefined;
    this.#adoptedPid = undefined;
    this.#lastExit = exit;
    this.#emit({ type: 'agent-exited', pid, code: exit.code, signal: exit.signal, runMs, message: `${describeExit(exit)} after ${runMs}ms` });
    const d = decideExit({
      spec: this.spec,
      exit,
      runMs,
      stoppingFor: st.name === 'stopping' && st.then === 'stopped' ? st.reason : undefined,
      intent: this.#intent,
      history: this.#restarts.history,
      startupRetries: this.#restarts.startupRetries,
      random: this.host.random,
    });
    // A restart orchestra asked for (apply, restart, rollback, a dependency) is not a failure of the agent.
    const forced = this.#intent?.kind === 'forced';
    this.#intent = undefined;
    this.#restarts.exitDecided(d);
    // The run is over for good unless it backs off: an empty cgroup goes now (a populated one stays, harmlessly).
    if (d.kind !== 'backoff') this.boundary.release();
    switch (d.kind) {
      case 'stopped':
        return this.#move({ type: 'exit', exit, outcome: { kind: 'stopped', reason: d.reason } });
      case 'backoff':
        return this.#backoff(exit, d.delayMs, d.reason, forced);
      case 'failed':
        return this.#move({ type: 'exit', exit, outcome: { kind: 'failed', reason: d.reason } }, { type: 'agent-failed', reason: d.reason, message: `failed: ${d.reason}` });
      case 'exited':
        return this.#move(
          { type: 'exit', exit, outcome: { kind: 'exited', completed: d.completed } },
          d.completed ? { type: 'agent-completed', runMs, message: `completed in ${runMs}ms` } : undefined,
        );
    }
  }

  #backoff(exit: ExitInfo, delayMs: number, reason: string, forced: boolean): void {
    const until = exit.at + delayMs;
    const attempt = this.#restarts.attempt + 1;
    this.#move({ type: 'exit', exit, outcome: { kind: 'backoff', attempt, until, reason } }, {
      type: 'restart-scheduled',
      reason,
      delayMs,
      attempt,
      failures: this.#restarts.history.failures,
      message: `restarting in ${delayMs}ms (${reason})`,
    });
    // Dependents that restart with this one stop now, during the delay, and before it runs again.
    const dependentsGone = this.host.restarting(this, reason);
    this.#backoffTimer = this.host.clock.setTimeout(() => this.#restartNow(reason, forced, dependentsGone), delayMs);
  }

  /** Counts a restart; only a failure's restart (not one orchestra caused) lowers the health score. */
  #recordRestart(reason: string, at: number, forced: boolean): void {
    this.#restarts.restarted(reason, at, forced);
    this.#emit({ type: 'agent-restarting', reason, attempt: this.#restarts.attempt + 1, message: `restarting (${reason})` });
  }

  #restartNow(reason: string, forced: boolean, dependentsGone: Promise<void>): void {
    if (this.state.name !== 'backoff') return;
    this.#recordRestart(reason, this.host.clock.now(), forced);
    void Promise.all([dependentsGone, this.#sweeping]).then(() => {
      if (this.state.name === 'backoff') this.host.relaunch(this);
    });
  }

  /** Restarts now for a manual, dependency or config reason: stop (if running) then launch again. Resets the failure count. */
  async forceRestart(reason: string, survey?: Survey): Promise<void> {
    this.#restarts.failuresForgiven();
    if (this.state.name === 'starting' || this.state.name === 'running') {
      this.#intent = { kind: 'forced', reason };
      await this.#terminate(reason, 'restart', survey);
      return;
    }
    if (this.state.name === 'stopping') return;
    this.host.clock.clearTimeout(this.#backoffTimer);
    this.#recordRestart(reason, this.host.clock.now(), true);
    this.host.relaunch(this);
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
    const outcome = await reloadProcess(this.spec, pid, this.logFile, this.host.baseEnv);
    const by = this.spec.reload?.signal ?? 'reload command';
    if (outcome.ok) this.#emit({ type: 'agent-reloaded', pid, by, message: `reloaded (${by}, pid ${pid} kept)` });
    else this.#emit({ type: 'reload-failed', reason: outcome.reason, message: `reload failed: ${outcome.reason}` });
    return outcome;
  }

  /** Ends the run for a failure found by the monitor (threshold with on_critical: restart). */
  failRun(reason: string): Promise<void> {
    return this.#supervisorStop({ kind: 'failure', reason });
  }

  /** Stops for good (no restart follows); resolves once nothing of the instance is left. `survey` is shared by a batch of stops. */
  stop(reason: string, survey?: Survey): Promise<void> {
    this.host.clock.clearTimeout(this.#backoffTimer);
    switch (this.state.name) {
      case 'starting':
      case 'running':
        this.#stopping = this.#terminate(reason, 'stopped', survey).finally(() => {
          this.#stopping = undefined;
          this.boundary.release();
        });
        return this.#stopping;
      case 'stopping':
        this.#move({ type: 'stop', at: this.host.clock.now(), reason, then: 'stopped' });
        return this.#stopping ?? this.#exitSeen ?? Promise.resolve();
      case 'pending':
      case 'waiting':
      case 'backoff':
      case 'blocked':
      case 'failed':
      case 'exited':
        this.#move({ type: 'cancel', at: this.host.clock.now(), reason }, { type: 'agent-stopped', reason, killed: false, survivors: [], message: `stopped (${reason})` });
        // No main process, but what an earlier run left (an escape of a crashed run) goes too.
        return this.#sweepLeftovers(survey);
      case 'stopped':
        return Promise.resolve();
    }
  }

  async #sweepLeftovers(survey?: Survey): Promise<void> {
    await clearBoundary(this.boundary, survey ?? this.host.boundary.survey());
    this.boundary.release();
  }

  /** Marks the instance stopping for an emergency kill, and returns once its exit is processed. */
  beginKill(reason: string): (StopTarget & { exited: Promise<void> }) | undefined {
    this.host.clock.clearTimeout(this.#backoffTimer);
    const pid = this.pid;
    if (pid === undefined) {
      if (this.state.name !== 'stopped') this.#move({ type: 'cancel', at: this.host.clock.now(), reason });
      return undefined;
    }
    this.#probes.clear();
    this.#move({ type: 'stop', at: this.host.clock.now(), reason, then: 'stopped' });
    if (this.#adoptedPid !== undefined) {
      const exited = Promise.resolve().then(() => {
        this.host.clock.clearTimeout(this.#adoptTimer);
        return this.#onExit({ code: null, signal: 'SIGKILL', at: this.host.clock.now() });
      });
      return { pid, known: this.host.treeLastSeen(this), boundary: this.boundary, exited };
    }
    const exited = this.#exitSeen ?? Promise.resolve();
    return { pid, known: this.host.treeLastSeen(this), boundary: this.boundary, exited, ...(this.#process ? { leaderExited: exited } : {}) };
  }

  /** Watches a process this engine did not spawn; its exit code is unknown. `startedAt` (ms since epoch) makes its uptime right. */
  adopt(pid: number, startedAt?: number, restarts?: number): void {
    const now = this.host.clock.now();
    this.#liveChecked = true;
    this.#adoptedPid = pid;
    if (restarts !== undefined) this.#restarts.continuedFrom(restarts);
    this.#move({ type: 'spawn', at: now, pid, attempt: this.#restarts.attempt, ...(startedAt !== undefined ? { startedAt: Math.min(startedAt, now) } : {}) });
    this.#move({ type: 'ready', at: now }, { type: 'agent-adopted', pid, message: `adopted running process ${pid}` });
    this.#watchPid(pid);
    this.#probes.startLiveness();
  }

  /** Records a completion seen by an earlier engine: pending → exited (completed), no process, no event. */
  markCompleted(at: number): void {
    this.#move({ type: 'complete', at });
  }

  /** Stops every timer; the process is left alone. */
  dispose(): void {
    this.#probes.clear();
    this.host.clock.clearTimeout(this.#backoffTimer);
    this.host.clock.clearTimeout(this.#adoptTimer);
    this.#adoptedPid = undefined;
  }
}
