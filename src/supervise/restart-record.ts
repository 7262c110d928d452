/**
 * The restart bookkeeping of one instance: spawn attempts, startup retries,
 * the restart policy's history, and what status shows of past restarts (the
 * count, the recent log, the times of failure restarts for the health
 * score). It moves only through named transitions and is read through
 * `RestartView`; what a restart should be (delay, give up, retry) is decided
 * by exit-decision.ts and restart-policy.ts, not here.
 */

import { withRestart } from './health.js';
import type { RestartHistory } from './restart-policy.js';

/** Restarts kept for status (`recentRestarts`). */
const RESTART_LOG = 20;

export interface RestartEntry {
  readonly at: number;
  readonly reason: string;
}

/** What others may read of an instance's restarts. */
export interface RestartView {
  /** Spawns so far in this instance's life. */
  readonly attempt: number;
  /** Startup retries used since the last time it became ready. */
  readonly startupRetries: number;
  /** The restart policy's memory (consecutive failures, restarts in the window). */
  readonly history: Readonly<RestartHistory>;
  /** When the latest restarts after a failure happened (not those orchestra caused), oldest first: they lower the health score, which counts no more than these. */
  readonly failureTimes: readonly number[];
  /** Restarts in this engine's lifetime (continued from an earlier engine after adoption). */
  readonly count: number;
  /** The last restarts, oldest first. */
  readonly log: readonly RestartEntry[];
}

export class RestartRecord implements RestartView {
  #attempt = 0;
  #startupRetries = 0;
  #history: Readonly<RestartHistory> = { failures: 0, restarts: 0 };
  #failureTimes: readonly number[] = [];
  #count = 0;
  #log: readonly RestartEntry[] = [];

  get attempt(): number {
    return this.#attempt;
  }

  get startupRetries(): number {
    return this.#startupRetries;
  }

  get history(): Readonly<RestartHistory> {
    return this.#history;
  }

  get failureTimes(): readonly number[] {
    return this.#failureTimes;
  }

  get count(): number {
    return this.#count;
  }

  get log(): readonly RestartEntry[] {
    return this.#log;
  }

  /** A spawn begins; returns its attempt number. */
  spawnBegun(): number {
    return ++this.#attempt;
  }

  /** The run became ready: startup retries start over. */
  becameReady(): void {
    this.#startupRetries = 0;
  }

  /** An exit was decided (exit-decision.ts): the policy's history and retries it returned. */
  exitDecided(d: { history: RestartHistory; startupRetries: number }): void {
    this.#history = d.history;
    this.#startupRetries = d.startupRetries;
  }

  /** Orchestra restarts the instance on purpose (manual, dependency, config): earlier failures are forgiven. */
  failuresForgiven(): void {
    this.#history = { failures: 0, restarts: 0 };
    this.#startupRetries = 0;
  }

  /** A restart happens at `at`; only a failure's restart (not one orchestra forced) lowers the health score. */
  restarted(reason: string, at: number, forced: boolean): void {
    // Bounded: a crash loop restarts thousands of times an hour (an hour of times per instance was what grew in the churn soak).
    if (!forced) this.#failureTimes = withRestart(this.#failureTimes, at);
    this.#log = [...this.#log, { at, reason }].slice(-RESTART_LOG);
    this.#count++;
  }

  /** Continues the count an earlier engine reached, so `restarts` stays continuous across a daemon crash. */
  continuedFrom(count: number): void {
    this.#count = count;
  }
}
