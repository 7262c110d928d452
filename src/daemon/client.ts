/**
 * The CLI's only way to reach the daemon: JSON over HTTP on the unix socket
 * in the state directory, typed by the route table in api.ts. Failures to
 * connect are a typed DaemonUnreachable so commands can exit 3.
 */

import { request } from 'node:http';
import type { AnyRoute, RouteBody, RouteLine, RouteQuery, RouteReply } from './api.js';

/** The daemon did not answer on its socket. */
export class DaemonUnreachable extends Error {
  constructor(readonly socketPath: string, cause: string) {
    super(`orchestra daemon is not reachable at ${socketPath} (${cause})`);
  }
}

/** The daemon answered with an error status. */
export class DaemonError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface CallOptions {
  body?: unknown;
  /** Called with each line of an NDJSON streaming response. */
  onLine?: (value: unknown) => void;
  timeoutMs?: number;
}

/** How to call one route: its body and query as the table types them. */
export type RouteCall<R extends AnyRoute> = {
  onLine?: (line: RouteLine<R>) => void;
  timeoutMs?: number;
  query?: RouteQuery<R>;
} & (RouteBody<R> extends undefined ? { body?: undefined } : { body: RouteBody<R> });

/** A typed client of one daemon socket. */
export class DaemonClient {
  constructor(readonly socketPath: string) {}

  /** Calls `route` and resolves with its reply (the last line for streams); rejects with DaemonError or DaemonUnreachable. */
  call<R extends AnyRoute>(route: R, ...[options]: RouteBody<R> extends undefined ? [RouteCall<R>?] : [RouteCall<R>]): Promise<RouteReply<R>> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries((options?.query ?? {}) as Record<string, unknown>)) if (v !== undefined) query.set(k, String(v));
    const path = query.size > 0 ? `${route.path}?${query}` : route.path;
    const raw: CallOptions = {};
    if (options?.body !== undefined) raw.body = options.body;
    if (options?.onLine) raw.onLine = options.onLine as (value: unknown) => void;
    if (options?.timeoutMs !== undefined) raw.timeoutMs = options.timeoutMs;
    return callDaemon(this.socketPath, route.method, path, raw) as Promise<RouteReply<R>>;
  }
}

/** Calls one endpoint by method and path, untyped; resolves with the parsed JSON (the last line for streams). */
export function callDaemon(socketPath: string, method: string, path: string, options: CallOptions = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      {
        socketPath,
        // One connection per call: a kept-alive socket outlives a daemon that exits after answering.
        agent: false,
        method,
        path,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        timeout: options.timeoutMs ?? 0,
      },
      (res) => {
        res.setEncoding('utf8');
        let buffer = '';
        let last: unknown;
        const streaming = (res.headers['content-type'] ?? '').includes('ndjson');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          if (!streaming) return;
          let i;
          while ((i = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, i);
            buffer = buffer.slice(i + 1);
            if (!line.trim()) continue;
            last = JSON.parse(line);
            options.onLine?.(last);
          }
        });
        res.on('end', () => {
          try {
            const value = streaming ? last : buffer ? JSON.parse(buffer) : undefined;
            if ((res.statusCode ?? 500) >= 400) {
              const details = (value ?? {}) as Record<string, unknown>;
              reject(new DaemonError(res.statusCode ?? 500, String(details.error ?? `HTTP ${res.statusCode}`), details));
            } else {
              resolve(value);
            }
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // ECONNRESET/EPIPE: the daemon went away mid-call (it exits right after answering `down`, and a ping then may meet it closing).
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'ENOTSOCK' || error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        reject(new DaemonUnreachable(socketPath, error.code));
      } else {
        reject(error);
      }
    });
    if (payload) req.write(payload);
    req.end();
  });
}
