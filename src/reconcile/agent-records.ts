/**
 * Keeps state.json's agent records in step with the engine: a record per
 * spawned process (pid + /proc start time), removed when it exits, and the
 * oneshots that completed, so a new daemon does not run them twice. Writes
 * are coalesced and serialized so a burst of events makes one write.
 */

import type { OrchestraEvent } from '../events/event.js';
import type { State } from './state.js';

/** Where the records come from and go to: the kernel's start time of a pid, and the state store. */
export interface RecordPorts {
  /** Field 22 of /proc/<pid>/stat, or undefined when the process is gone. */
  startTimeOf: (pid: number) => Promise<number | undefined>;
  save: (state: State) => Promise<void>;
}

/** The agent records of one state, kept in step with the engine's events. */
export class AgentRecords {
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(
    private readonly ports: RecordPorts,
    private readonly state: () => State,
  ) {}

  readonly #inflight = new Set<Promise<void>>();

  /** Updates the records from one engine event (`restarts`: the instance's count now); resolves once the change is on disk. */
  observe(event: OrchestraEvent, restarts?: number): Promise<void> {
    const work = this.#observe(event, restarts);
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work)).catch(() => undefined);
    return work;
  }

  async #observe(event: OrchestraEvent, restarts?: number): Promise<void> {
    const agents = this.state().agents;
    switch (event.type) {
      case 'agent-started':
      case 'agent-forked':
      case 'agent-adopted': {
        const startTime = await this.ports.startTimeOf(event.pid);
        if (startTime === undefined) return;
        agents[event.agent] = { pid: event.pid, startTime, spawnedAt: event.time, ...(restarts ? { restarts } : {}) };
        break;
      }
      case 'agent-completed':
        this.state().completed = { ...this.state().completed, [event.agent]: event.time };
        break;
      case 'agent-starting': {
        // A oneshot that runs again is no longer completed.
        const completed = this.state().completed;
        if (!completed || !(event.agent in completed)) return;
        delete completed[event.agent];
        break;
      }
      case 'agent-exited':
      case 'agent-stopped':
        if (!(event.agent in agents)) return;
        delete agents[event.agent];
        break;
      case 'emergency-stop':
        for (const name of event.agents) delete agents[name];
        break;
      default:
        return;
    }
    return this.flush();
  }

  /** Waits for every event already seen to be recorded, then writes the state. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
    await this.flush();
  }

  /** Writes the current state now (after any write already under way). */
  flush(): Promise<void> {
    this.#dirty = true;
    this.#writing = this.#writing.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      await this.ports.save(this.state());
    });
    return this.#writing;
  }
}
