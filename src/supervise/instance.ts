/**
 * One supervised instance: its state, its process, its probes, its restart
 * history and its resource trackers. It applies the decisions of the pure
 * modules (agent-state, restart-policy, thresholds) to a real process and
 * reports through its host. It never looks at other instances: dependency
 * conditions and ordering belong to the engine, which it calls back through
 * `InstanceHost`.
 */

import type { EventInput, OrchestraEvent } from '../events/event.js';
import type { AgentSpec } from '../plan/spec.js';
import { describeExit, initialState, pidOf, transition, type AgentState, type ExitInfo, type StateInput } from './agent-state.js';
import type { Clock } from './clock.js';
import { applyNice, childEnv, logFileOf, spawnAgent, type SpawnedProcess } from './process-group.js';
import { ProbeLoop, type ProbeResult } from './probes.js';
import { isGone, type ProcInfo } from './procfs.js';
import { decideRestart, type RestartHistory } from './restart-policy.js';
import type { Usage } from './sampler.js';
import { stopTree } from './stop.js';
import { initialTracker, type Metric, type ThresholdTracker } from './thresholds.js';

type Emit = (event: EventInput) => void;
type EventFields = { type: OrchestraEvent['type']; message: string } & Record<string, unknown>;

export interface InstanceHost {
  clock: Clock;
  random: () => number;
  stateDir: string;
  baseEnv: Record<string, string | undefined>;
  emit: Emit;
  /** Called after every state change. */
  changed(instance: Instance): void;
  /** Called when the instance is about to run again after a restart (for `depends_on.restart`). */
  restarting(instance: Instance, reason: string): void;
  /** Asks the engine to (re)launch the instance once its dependencies hold. */
  relaunch(instance: Instance): void;
}

/** Why the supervisor itself ended a run: decides what the exit means. */
type KillIntent =
  | { kind: 'failure'; reason: string } // liveness, threshold: a failed run under the restart policy
  | { kind: 'startup-timeout'; reason: string }
  | { kind: 'forced'; reason: string }; // manual or dependency restart: always run again

export interface ProbeStatus extends ProbeResult {
  at: number;
  failures: number;
}

const ADOPT_POLL_MS = 1000;
const RESTART_LOG = 20;

export class Instance {
  state: AgentState;
  process: SpawnedProcess | undefined;
  adoptedPid: number | undefined;
  history: RestartHistory = { failures: 0, restarts: 0 };
  /** Spawns so far in this instance's life. */
  attempt = 0;
  /** Startup retries used since the last time it became ready. */
  startupRetries = 0;
  restartTimes: number[] = [];
  /** Restarts in this engine's lifetime. */
  restartCount = 0;
  restartLog: { at: number; reason: string }[] = [];
  lastExit: ExitInfo | undefined;
  readiness: ProbeStatus | undefined;
  liveness: ProbeStatus | undefined;
  usage: Usage | undefined;
  trackers: Record<Metric, ThresholdTracker> = { cpu: initialTracker(), memory: initialTracker() };
  /** Tree members last seen, so a stop can find descendants whose parent already died. */
  knownTree: ProcInfo[] = [];
  nicedPids = new Set<number>();
  rotating = false;
  /** True while a spawn is in flight (between the request and the pid), so a second launch is ignored. */
  spawning = false;
  #intent: KillIntent | undefined;
  #readinessLoop: ProbeLoop | undefined;
  #livenessLoop: ProbeLoop | undefined;
  #startupTimer: unknown;
  #backoffTimer: unknown;
  #adoptTimer: unknown;
  #stopping: Promise<void> | undefined;
  #exitSeen: Promise<void> | undefined;

  constructor(public spec: AgentSpec, private readonly host: InstanceHost) {
    this.state = initialState(host.clock.now());
  }

  get name(): string {
    return this.spec.name;
  }

  get logFile(): string {
    return logFileOf(this.host.stateDir, this.name);
  }

  /** The live leader pid, if any. */
  get pid(): number | undefined {
    return pidOf(this.state);
  }

  /** Applies a state input, emits the event that reports it, then tells the host (so dependents react after the report). */
  move(input: StateInput, event?: EventFields): void {
    this.state = transition(this.state, input);
    if (event) this.#emit(event);
    this.host.changed(this);
  }

  #emit(event: EventFields): void {
    this.host.emit({ agent: this.name, ...event } as EventInput);
  }

  /** Spawns the process now; the engine has checked dependencies. */
  async spawn(): Promise<void> {
    if (this.spawning) return;
    this.spawning = true;
    try {
      await this.#spawn();
    } finally {
      this.spawning = false;
    }
  }

  async #spawn(): Promise<void> {
    const now = this.host.clock.now();
    this.attempt++;
    this.#emit({ type: 'agent-starting', attempt: this.attempt, message: `starting (attempt ${this.attempt})` });
    const spawned = await spawnAgent(this.spec, this.logFile, this.host.baseEnv);
    // A stop may have arrived while spawning.
    if (this.state.name === 'stopped') {
      if (spawned.ok) await stopTree({ pid: spawned.value.pid }, 'SIGKILL', 0, () => true);
      return;
    }
    if (!spawned.ok) {
      this.move({ type: 'fail', at: this.host.clock.now(), reason: spawned.error }, { type: 'agent-failed', reason: spawned.error, message: `failed: ${spawned.error}` });
      return;
    }
    const proc = spawned.value;
    this.process = proc;
    this.nicedPids = new Set([proc.pid]);
    this.knownTree = [];
    this.move({ type: 'spawn', at: this.host.clock.now(), pid: proc.pid, attempt: this.attempt }, { type: 'agent-started', pid: proc.pid, attempt: this.attempt, message: `started (pid ${proc.pid})` });
    this.#exitSeen = proc.exited.then((r) => this.#onExit({ code: r.code, signal: r.signal, at: this.host.clock.now() }));
    this.#afterSpawn(now);
  }

  #afterSpawn(spawnRequestedAt: number): void {
    const probe = this.spec.readiness;
    if (!probe) return this.#markReady(spawnRequestedAt);
    this.readiness = undefined;
    this.#readinessLoop = new ProbeLoop(probe, this.#probeContext(), this.host.clock, {
      onResult: (result, failures) => {
        this.readiness = { ...result, at: this.host.clock.now(), failures };
        if (this.state.name !== 'starting') return;
        if (result.ok) return this.#markReady(spawnRequestedAt);
        if (failures === probe.failures) {
          this.#emit({ type: 'probe-failed', probe: 'readiness', failures, reason: result.message, message: `readiness probe failing: ${result.message}` });
        }
      },
    });
    this.#readinessLoop.start();
    const timeout = this.spec.startup.timeoutMs;
    this.#startupTimer = this.host.clock.setTimeout(() => {
      if (this.state.name !== 'starting') return;
      void this.#supervisorStop({ kind: 'startup-timeout', reason: `not ready within ${timeout}ms` });
    }, timeout);
  }

  #probeContext() {
    return { cwd: this.spec.cwd, env: childEnv(this.spec, this.host.baseEnv), logFile: this.logFile };
  }

  #markReady(since: number): void {
    this.#clearStartup();
    if (this.state.name !== 'starting') return;
    const now = this.host.clock.now();
    this.startupRetries = 0;
    this.move({ type: 'ready', at: now }, { type: 'agent-ready', pid: this.pid!, afterMs: now - since, message: `ready after ${now - since}ms` });
    this.#startLiveness();
  }

  #startLiveness(): void {
    this.#livenessLoop?.stop();
    this.#livenessLoop = undefined;
    const probe = this.spec.liveness;
    if (!probe || this.state.name !== 'running') return;
    this.#livenessLoop = new ProbeLoop(probe, this.#probeContext(), this.host.clock, {
      onResult: (result, failures) => {
        this.liveness = { ...result, at: this.host.clock.now(), failures };
        if (result.ok || this.state.name !== 'running' || failures < probe.failures) return;
        this.#emit({ type: 'probe-failed', probe: 'liveness', failures, reason: result.message, message: `liveness probe failed ${failures} times: ${result.message}` });
        void this.#supervisorStop({ kind: 'failure', reason: `liveness failure (${result.message})` });
      },
    });
    this.#livenessLoop.start();
  }

  /** Re-reads supervision settings after a plan update: restarts the liveness loop, re-applies niceness. */
  refreshSupervision(): void {
    if (this.state.name === 'running') this.#startLiveness();
    if (this.spec.nice !== undefined) {
      applyNice([...this.nicedPids], this.spec.nice);
    }
  }

  #clearStartup(): void {
    this.#readinessLoop?.stop();
    this.#readinessLoop = undefined;
    this.host.clock.clearTimeout(this.#startupTimer);
  }

  #clearProbes(): void {
    this.#clearStartup();
    this.#livenessLoop?.stop();
    this.#livenessLoop = undefined;
  }

  /** Ends the current run for a supervisor reason; the exit handler reads the intent. */
  async #supervisorStop(intent: KillIntent): Promise<void> {
    if (this.state.name !== 'starting' && this.state.name !== 'running') return;
    this.#intent = intent;
    await this.#terminate(intent.reason, 'restart');
  }

  async #terminate(reason: string, then: 'stopped' | 'restart'): Promise<void> {
    const pid = this.pid!;
    this.#clearProbes();
    this.move({ type: 'stop', at: this.host.clock.now(), reason, then }, { type: 'agent-stopping', pid, reason, message: `stopping (${reason})` });
    // Captured now: a restart may spawn a new process (and a new exit promise) before this stop returns.
    const exitSeen = this.#exitSeen;
    const exited = { done: false };
    void exitSeen?.then(() => (exited.done = true));
    const result = await stopTree(
      { pid, known: this.knownTree },
      this.spec.stop.signal,
      this.spec.stop.timeoutMs,
      this.process ? () => exited.done : undefined,
    );
    if (this.adoptedPid !== undefined) {
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
        survivors: result.survivors,
        message: result.killed ? `stopped (killed after ${this.spec.stop.timeoutMs}ms)` : 'stopped',
      });
    }
  }

  async #onExit(exit: ExitInfo): Promise<void> {
    if (this.state.name !== 'starting' && this.state.name !== 'running' && this.state.name !== 'stopping') return;
    const st = this.state;
    const pid = st.pid;
    const runMs = exit.at - st.startedAt;
    this.#clearProbes();
    this.process = undefined;
    this.adoptedPid = undefined;
    this.lastExit = exit;
    this.usage = undefined;
    this.#emit({ type: 'agent-exited', pid, code: exit.code, signal: exit.signal, runMs, message: `${describeExit(exit)} after ${runMs}ms` });
    const intent = this.#intent;
    this.#intent = undefined;

    if (st.name === 'stopping' && st.then === 'stopped') {
      return this.move({ type: 'exit', exit, outcome: { kind: 'stopped', reason: st.reason } });
    }
    if (intent?.kind === 'forced') return this.#backoff(exit, 0, intent.reason);
    if (intent?.kind === 'startup-timeout') {
      if (this.startupRetries < this.spec.startup.retries) {
        this.startupRetries++;
        return this.#backoff(exit, 0, `${intent.reason} (startup retry ${this.startupRetries} of ${this.spec.startup.retries})`);
      }
      const reason = `${intent.reason} after ${this.startupRetries + 1} attempt${this.startupRetries === 0 ? '' : 's'}`;
      return this.#fail(exit, reason);
    }
    const decision = decideRestart(
      this.spec.restart,
      { type: this.spec.type, code: exit.code, signal: exit.signal, runMs, ...(intent ? { killedFor: intent.reason } : {}) },
      this.history,
      this.host.random,
    );
    this.history = decision.history;
    if (decision.restart) return this.#backoff(exit, decision.delayMs, decision.reason);
    if (decision.outcome === 'failed') return this.#fail(exit, decision.reason);
    const completed = this.spec.type === 'oneshot';
    this.move({ type: 'exit', exit, outcome: { kind: 'exited', completed } }, completed ? { type: 'agent-completed', runMs, message: `completed in ${runMs}ms` } : undefined);
  }

  #fail(exit: ExitInfo, reason: string): void {
    this.move({ type: 'exit', exit, outcome: { kind: 'failed', reason } }, { type: 'agent-failed', reason, message: `failed: ${reason}` });
  }

  #backoff(exit: ExitInfo, delayMs: number, reason: string): void {
    const until = exit.at + delayMs;
    this.move({ type: 'exit', exit, outcome: { kind: 'backoff', attempt: this.attempt + 1, until, reason } }, {
      type: 'restart-scheduled',
      reason,
      delayMs,
      attempt: this.attempt + 1,
      failures: this.history.failures,
      message: `restarting in ${delayMs}ms (${reason})`,
    });
    this.#backoffTimer = this.host.clock.setTimeout(() => this.#restartNow(reason), delayMs);
  }

  #restartNow(reason: string): void {
    if (this.state.name !== 'backoff') return;
    const now = this.host.clock.now();
    this.restartTimes = [...this.restartTimes.filter((t) => now - t < 3_600_000), now];
    this.restartLog = [...this.restartLog, { at: now, reason }].slice(-RESTART_LOG);
    this.restartCount++;
    this.#emit({ type: 'agent-restarting', reason, attempt: this.attempt + 1, message: `restarting (${reason})` });
    this.host.restarting(this, reason);
    this.host.relaunch(this);
  }

  /** Restarts now for a manual, dependency or config reason: stop (if running) then launch again. Resets the failure count. */
  async forceRestart(reason: string): Promise<void> {
    this.history = { failures: 0, restarts: 0 };
    this.startupRetries = 0;
    if (this.state.name === 'starting' || this.state.name === 'running') {
      this.#intent = { kind: 'forced', reason };
      await this.#terminate(reason, 'restart');
      return;
    }
    if (this.state.name === 'stopping') return;
    this.host.clock.clearTimeout(this.#backoffTimer);
    const now = this.host.clock.now();
    this.restartTimes = [...this.restartTimes, now];
    this.restartLog = [...this.restartLog, { at: now, reason }].slice(-RESTART_LOG);
    this.restartCount++;
    this.#emit({ type: 'agent-restarting', reason, attempt: this.attempt + 1, message: `restarting (${reason})` });
    this.host.relaunch(this);
  }

  /** Ends the run for a failure found by the monitor (threshold with on_critical: restart). */
  failRun(reason: string): Promise<void> {
    return this.#supervisorStop({ kind: 'failure', reason });
  }

  /** Stops for good (no restart follows); resolves once the process tree is gone. */
  stop(reason: string): Promise<void> {
    this.host.clock.clearTimeout(this.#backoffTimer);
    switch (this.state.name) {
      case 'starting':
      case 'running':
        this.#stopping = this.#terminate(reason, 'stopped').finally(() => (this.#stopping = undefined));
        return this.#stopping;
      case 'stopping':
        this.move({ type: 'stop', at: this.host.clock.now(), reason, then: 'stopped' });
        return this.#stopping ?? this.#exitSeen ?? Promise.resolve();
      case 'pending':
      case 'waiting':
      case 'backoff':
      case 'blocked':
      case 'failed':
      case 'exited':
        this.move({ type: 'cancel', at: this.host.clock.now(), reason }, { type: 'agent-stopped', reason, killed: false, survivors: [], message: `stopped (${reason})` });
        return Promise.resolve();
      case 'stopped':
        return Promise.resolve();
    }
  }

  /** Marks the instance stopping for an emergency kill, and returns once its exit is processed. */
  beginKill(reason: string): { pid: number; known: ProcInfo[]; exited: Promise<void> } | undefined {
    this.host.clock.clearTimeout(this.#backoffTimer);
    const pid = this.pid;
    if (pid === undefined) {
      if (this.state.name !== 'stopped') this.move({ type: 'cancel', at: this.host.clock.now(), reason });
      return undefined;
    }
    this.#clearProbes();
    this.move({ type: 'stop', at: this.host.clock.now(), reason, then: 'stopped' });
    const exited =
      this.adoptedPid !== undefined
        ? Promise.resolve().then(() => {
            this.host.clock.clearTimeout(this.#adoptTimer);
            return this.#onExit({ code: null, signal: 'SIGKILL', at: this.host.clock.now() });
          })
        : (this.#exitSeen ?? Promise.resolve());
    return { pid, known: this.knownTree, exited };
  }

  /** Watches a process this engine did not spawn; its exit code is unknown. */
  adopt(pid: number): void {
    const now = this.host.clock.now();
    this.adoptedPid = pid;
    this.move({ type: 'spawn', at: now, pid, attempt: this.attempt });
    this.move({ type: 'ready', at: now }, { type: 'agent-adopted', pid, message: `adopted running process ${pid}` });
    const poll = (): void => {
      if (this.adoptedPid !== pid) return;
      if (isGone(pid)) void this.#onExit({ code: null, signal: null, at: this.host.clock.now() });
      else this.#adoptTimer = this.host.clock.setTimeout(poll, ADOPT_POLL_MS);
    };
    this.#adoptTimer = this.host.clock.setTimeout(poll, ADOPT_POLL_MS);
    this.#startLiveness();
  }

  /** Stops every timer; the process is left alone. */
  dispose(): void {
    this.#clearProbes();
    this.host.clock.clearTimeout(this.#backoffTimer);
    this.host.clock.clearTimeout(this.#adoptTimer);
    this.adoptedPid = undefined;
  }
}
