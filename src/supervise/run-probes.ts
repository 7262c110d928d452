/**
 * The probes of one run of an instance: the readiness loop with its startup
 * timeout, then the liveness loop, and the last result of each (for status).
 * It reports through callbacks (ready, probe-failed events, a kill intent) and
 * never moves states or touches the process itself: the instance does.
 */

import type { OrchestraEvent } from '../events/event.js';
import type { AgentSpec, ProbeCheck } from '../plan/spec.js';
import type { AgentStateName } from '../plan/state-name.js';
import type { Clock } from './clock.js';
import type { KillIntent } from './exit-decision.js';
import { childEnv } from './process-group.js';
import { ProbeLoop, type ProbeContext, type ProbeResult } from './probes.js';

export type EventFields = { type: OrchestraEvent['type']; message: string } & Record<string, unknown>;

export interface ProbeStatus extends ProbeResult {
  at: number;
  failures: number;
}

export interface RunProbesHost {
  clock: Clock;
  baseEnv: Record<string, string | undefined>;
  logFile: string;
  spec(): AgentSpec;
  state(): AgentStateName;
  emit(event: EventFields): void;
  /** The readiness probe passed (or there is none). */
  ready(): void;
  /** The run must end: liveness failed or startup timed out. */
  kill(intent: KillIntent): void;
  /** Why a passing tcp/http probe was answered from outside the boundary, or undefined. */
  answeredOutside(check: ProbeCheck): string | undefined;
}

export class RunProbes {
  readiness: ProbeStatus | undefined;
  liveness: ProbeStatus | undefined;
  #readinessLoop: ProbeLoop | undefined;
  #livenessLoop: ProbeLoop | undefined;
  #startupTimer: unknown;

  constructor(private readonly host: RunProbesHost) {}

  #context(logFrom?: number): ProbeContext {
    const spec = this.host.spec();
    return {
      cwd: spec.cwd,
      env: childEnv(spec, this.host.baseEnv),
      logFile: this.host.logFile,
      answeredOutside: (check) => this.host.answeredOutside(check),
      ...(logFrom !== undefined ? { logFrom } : {}),
    };
  }

  /**
   * Starts readiness checking and the startup timeout of a fresh run; calls `ready` at once without a probe.
   * `logFrom` is the log's size before the spawn: a fast agent may print its ready line before this runs.
   */
  startReadiness(logFrom?: number): void {
    const spec = this.host.spec();
    const probe = spec.readiness;
    if (!probe) return this.host.ready();
    this.readiness = undefined;
    this.#readinessLoop = new ProbeLoop(probe, this.#context(logFrom), this.host.clock, {
      onResult: (result, failures) => {
        this.readiness = { ...result, at: this.host.clock.now(), failures };
        if (this.host.state() !== 'starting') return;
        if (result.ok) return this.host.ready();
        if (failures === probe.failures) {
          this.host.emit({ type: 'probe-failed', probe: 'readiness', failures, reason: result.message, message: `readiness probe failing: ${result.message}` });
        }
      },
    });
    this.#readinessLoop.start();
    const timeout = spec.startup.timeoutMs;
    this.#startupTimer = this.host.clock.setTimeout(() => {
      if (this.host.state() !== 'starting') return;
      this.host.kill({ kind: 'startup-timeout', reason: `not ready within ${timeout}ms` });
    }, timeout);
  }

  /** (Re)starts the liveness loop of a running instance; stops it when there is no probe. */
  startLiveness(): void {
    this.#livenessLoop?.stop();
    this.#livenessLoop = undefined;
    const probe = this.host.spec().liveness;
    if (!probe || this.host.state() !== 'running') return;
    this.#livenessLoop = new ProbeLoop(probe, this.#context(), this.host.clock, {
      onResult: (result, failures) => {
        this.liveness = { ...result, at: this.host.clock.now(), failures };
        if (result.ok || this.host.state() !== 'running' || failures < probe.failures) return;
        this.host.emit({ type: 'probe-failed', probe: 'liveness', failures, reason: result.message, message: `liveness probe failed ${failures} times: ${result.message}` });
        this.host.kill({ kind: 'failure', reason: `liveness failure (${result.message})` });
      },
    });
    this.#livenessLoop.start();
  }

  /** Ends readiness checking and the startup timeout. */
  clearStartup(): void {
    this.#readinessLoop?.stop();
    this.#readinessLoop = undefined;
    this.host.clock.clearTimeout(this.#startupTimer);
  }

  /** Ends every probe of the run. */
  clear(): void {
    this.clearStartup();
    this.#livenessLoop?.stop();
    this.#livenessLoop = undefined;
  }
}
