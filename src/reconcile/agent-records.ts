/**
 * Keeps state.json's agent records in step with the engine: a record per
 * spawned process (pid + /proc start time), removed when it exits, and the
 * oneshots that completed, so a new daemon does not run them twice. Writes
 * are coalesced and serialized: the events of the next `COALESCE_MS` join
 * one write (a restart is two record changes; 20 crash-looping agents make
 * ~24 a second). A write for records alone is not fsynced: the processes
 * they name die with the machine, and a daemon that dies before the write
 * leaves instances the next one finds anyway (their cgroup, the spawn
 * ledger, their marker; docs/state.md). A completed oneshot, and every
 * write a caller waits for (`flush`, `settle`), is.
 */

import type { OrchestraEvent } from '../events/event.js';
import type { State } from './state.js';

/** Where the records come from and go to: the kernel's start time of a pid, and the state store. */
export interface RecordPorts {
  /** Field 22 of /proc/<pid>/stat, or undefined when the process is gone. */
  startTimeOf: (pid: number) => Promise<number | undefined>;
  save: (state: State, options: { durable: boolean }) => Promise<void>;
}

/** How long an event's write waits for the events that follow it. */
export const COALESCE_MS = 100;

/** The agent records of one state, kept in step with the engine's events. */
export class AgentRecords {
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  /** Some change waiting to be written must outlive the machine. */
  #durable = false;
  /** The coalesced write waiting for its window to close; the changes until then join it. */
  #pending: Promise<void> | undefined;

  constructor(
    private readonly ports: RecordPorts,
    private readonly state: () => State,
  ) {}

  /** Record-changing events seen per instance, so a start time read late does not undo a later one. */
  readonly #seen = new Map<string, number>();
  /** Events whose change to the records is still being worked out (a start time being read). */
  readonly #inflight = new Set<Promise<boolean>>();

  /** Updates the records from one engine event (`restarts`: the instance's count now); resolves once the change is on disk. */
  observe(event: OrchestraEvent, restarts?: number): Promise<void> {
    const work = this.#observe(event, restarts);
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work)).catch(() => undefined);
    return work.then((changed) => (changed ? this.#soon() : undefined));
  }

  /** Applies one event to the records; whether anything changed. */
  async #observe(event: OrchestraEvent, restarts?: number): Promise<boolean> {
    for (const name of recordChanges(event)) this.#seen.set(name, (this.#seen.get(name) ?? 0) + 1);
    const agents = this.state().agents;
    switch (event.type) {
      case 'agent-started':
      case 'agent-forked':
      case 'agent-adopted': {
        const seen = this.#seen.get(event.agent);
        const startTime = await this.ports.startTimeOf(event.pid);
        // An event for the instance came while the start time was read (it exited at once): that one has the last word.
        if (startTime === undefined || this.#seen.get(event.agent) !== seen) return false;
        this.state().agents[event.agent] = { pid: event.pid, startTime, spawnedAt: event.time, ...(restarts ? { restarts } : {}) };
        break;
      }
      case 'agent-completed':
        this.state().completed = { ...this.state().completed, [event.agent]: event.time };
        this.#durable = true;
        break;
      case 'agent-starting': {
        // A oneshot that runs again is no longer completed.
        const completed = this.state().completed;
        if (!completed || !(event.agent in completed)) return false;
        delete completed[event.agent];
        this.#durable = true;
        break;
      }
      case 'agent-exited':
      case 'agent-stopped':
        if (!(event.agent in agents)) return false;
        delete agents[event.agent];
        break;
      case 'emergency-stop':
        for (const name of event.agents) delete agents[name];
        break;
      default:
        return false;
    }
    return true;
  }

  /** Waits for every event already seen to be applied, then writes the state (a coalesced write waiting is taken along). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
    await this.flush();
  }

  /** Writes the current state now, durably (after any write already under way). */
  flush(): Promise<void> {
    this.#dirty = true;
    this.#durable = true;
    return this.#write();
  }

  /** The coalesced write: `COALESCE_MS` from the first change not yet written (nothing, if a flush wrote it first). */
  #soon(): Promise<void> {
    this.#dirty = true;
    this.#pending ??= new Promise<void>((resolve) => setTimeout(resolve, COALESCE_MS)).then(() => {
      this.#pending = undefined;
      return this.#write();
    });
    return this.#pending;
  }

  #write(): Promise<void> {
    // A failed write fails its callers, not every write after it: each one writes the whole state.
    this.#writing = this.#writing.catch(() => undefined).then(async () => {
      if (!this.#dirty) return;
      const durable = this.#durable;
      this.#dirty = false;
      this.#durable = false;
      await this.ports.save(this.state(), { durable });
    });
    return this.#writing;
  }
}

/** The instances whose record `event` sets or removes (a readiness or a restart notice changes none). */
function recordChanges(event: OrchestraEvent): readonly string[] {
  switch (event.type) {
    case 'agent-started':
    case 'agent-forked':
    case 'agent-adopted':
    case 'agent-exited':
    case 'agent-stopped':
      return [event.agent];
    case 'emergency-stop':
      return event.agents;
    default:
      return [];
  }
}
