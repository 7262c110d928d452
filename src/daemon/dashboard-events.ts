/**
 * The dashboard's server-sent event stream: one subscription to the backend
 * shared by every open stream, a `snapshot` message to each whenever the
 * backend reports a change (bursts coalesced into one), and a heartbeat
 * comment so proxies and the browser keep the connection open. An open
 * stream holds a watch on the backend's usage (its figures stay fresh while
 * the page is open). Owns the open streams; does not authenticate (the server did).
 */

import type { ServerResponse } from 'node:http';
import type { DashboardBackend } from './dashboard-backend.js';

export interface EventHubOptions {
  heartbeatMs: number;
  /** Called with a failure to read the snapshot; the stream stays open and tries again on the next change. */
  onError?: (error: unknown) => void;
}

export class DashboardEventHub {
  readonly #backend: DashboardBackend;
  readonly #options: EventHubOptions;
  readonly #clients = new Set<ServerResponse>();
  readonly #unsubscribe: () => void;
  /** Armed only while a stream is open: a dashboard nobody has open does not wake the daemon. */
  #heartbeat: NodeJS.Timeout | undefined;
  #scheduled = false;
  #closed = false;

  constructor(backend: DashboardBackend, options: EventHubOptions) {
    this.#backend = backend;
    this.#options = options;
    this.#unsubscribe = backend.subscribe(() => this.#schedule());
  }

  /** How many streams are open. */
  get size(): number {
    return this.#clients.size;
  }

  /** Takes over `res` as an event stream and sends it the current snapshot at once. */
  async add(res: ServerResponse, headers: Record<string, string>): Promise<void> {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), this.#options.heartbeatMs);
      // The heartbeat alone must not keep a process alive that has nothing else to do.
      this.#heartbeat.unref();
    }
    const release = this.#backend.watch?.();
    res.on('close', () => {
      this.#clients.delete(res);
      release?.();
      if (this.#clients.size === 0) (clearInterval(this.#heartbeat), (this.#heartbeat = undefined));
    });
    const message = await this.#message();
    if (message !== undefined && !res.writableEnded) res.write(message);
  }

  /** Ends every stream and stops listening to the backend. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    // A burst of changes (a whole level starting) becomes one message carrying the latest state.
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#clients.size === 0) return;
      void this.#message().then((message) => {
        if (message !== undefined) this.#write(message);
      });
    });
  }

  async #message(): Promise<string | undefined> {
    try {
      const snapshot = await this.#backend.snapshot();
      return `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;
    } catch (error) {
      this.#options.onError?.(error);
      return undefined;
    }
  }

  #write(text: string): void {
    for (const res of this.#clients) if (!res.writableEnded) res.write(text);
  }
}
