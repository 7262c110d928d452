/**
 * The JSONL event log: appends each event as one line to the file it is
 * handed (`events.jsonl` of the state directory, named by src/daemon/paths.ts). Synchronous appends through one O_APPEND
 * descriptor keep lines whole and in order even if the process dies right
 * after. Writes only; reading the history is the daemon's job.
 */

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OrchestraEvent } from './event.js';

export class EventLog {
  #fd: number | undefined;

  constructor(readonly file: string) {
    // Private like the rest of the state directory: events name agents, commands and exit reasons.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.#fd = openSync(file, 'a', 0o600);
  }

  /** Appends one event as a JSON line. */
  append(event: OrchestraEvent): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, JSON.stringify(event) + '\n');
  }

  /** Closes the file; later appends are dropped. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
