/**
 * A small JSON router for the daemon's API: routes by method and path,
 * parses and bounds JSON bodies, and turns thrown ApiErrors into status
 * codes. Knows nothing about agents; routes are registered by the daemon.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyRoute, RouteLine, RouteReply } from './api.js';

/** An error with an HTTP status, shown to the caller as `{ error }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  request: IncomingMessage;
  response: ServerResponse;
}

/** A handler returns JSON to send, or `undefined` when it wrote the response itself (streams). */
export type Handler = (context: RouteContext) => Promise<unknown> | unknown;

interface Registered {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Routes requests to handlers registered with `on`. */
export class ApiRouter {
  private readonly routes: Registered[] = [];

  /** Registers `handler` for `method` and a path such as `/v1/agents/:name/stop`. */
  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/:([a-z]+)/g, (_, key: string) => {
          keys.push(key);
          return '([^/]+)';
        }) +
        '$',
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  /** Registers the handler of one entry of the API table; it must answer with that route's reply type. */
  route<R extends AnyRoute>(route: R, handler: (context: RouteContext) => Promise<RouteReply<R> | undefined> | RouteReply<R> | undefined): this {
    return this.on(route.method, route.path, handler);
  }

  /** Node's request listener. */
  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    void this.dispatch(request, response).catch((error: unknown) => {
      const status = error instanceof ApiError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      const details = error instanceof ApiError ? error.details : undefined;
      if (!response.headersSent) sendJson(response, status, { error: message, ...details });
      else response.end();
    });
  };

  private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://daemon');
    const matches = this.routes.filter((r) => r.pattern.test(url.pathname));
    if (matches.length === 0) throw new ApiError(404, `no such endpoint: ${url.pathname}`);
    const route = matches.find((r) => r.method === request.method);
    if (!route) {
      response.setHeader('Allow', matches.map((r) => r.method).join(', '));
      throw new ApiError(405, `${request.method} is not allowed on ${url.pathname}`);
    }
    const values = route.pattern.exec(url.pathname)!.slice(1);
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => {
      try {
        params[key] = decodeURIComponent(values[i]!);
      } catch {
        // A bad request, not a daemon fault: `%E0%A4%A` is no character.
        throw new ApiError(400, `malformed escape in ${url.pathname}`);
      }
    });
    const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await readJson(request);
    const result = await route.handler({ params, query: url.searchParams, body, request, response });
    if (result !== undefined && !response.headersSent) sendJson(response, 200, result);
  }
}

/** Starts an NDJSON reply of a streaming route; returns the function that writes one line. */
export function startStream<R extends AnyRoute>(_route: R, response: ServerResponse): (line: RouteLine<R>) => void {
  response.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  return (line) => {
    if (!response.writableEnded) response.write(JSON.stringify(line) + '\n');
  };
}

/** Writes a JSON response. */
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'request body is not valid JSON');
  }
}

/** Reads a required string-array field from a request body, or fails with 400. */
export function stringList(body: unknown, field: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ApiError(400, `expected "${field}" to be a list of strings`);
  }
  return value as string[];
}
