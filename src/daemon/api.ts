/**
 * The daemon's API as one table: every route with its method, path, request
 * body, query, reply and (for NDJSON streams) line type. The server registers
 * handlers against these entries (routes.ts) and the client calls them
 * (client.ts), so a changed route fails to compile on both sides instead of
 * at run time. Types only, plus the table itself: no I/O.
 */

import type { OrchestraEvent } from '../events/event.js';
import type { ChangeSet } from '../plan/change-set.js';
import type { ExecutionOutcome } from '../reconcile/execute-changes.js';
import type { ApplyRequest, PlanState, ReloadOutcome } from '../reconcile/outcomes.js';
import type { StatusSnapshot } from '../report/status-snapshot.js';

/** One route. The type parameters exist only for the compiler (`types` is never set). */
export interface Route<Body, Query, Reply, Line = never> {
  method: 'GET' | 'POST';
  path: string;
  /** Whether the reply is NDJSON (lines of `Line`, the last one being `Reply`). */
  stream: boolean;
  readonly types?: { body: Body; query: Query; reply: Reply; line: Line };
}

type NoQuery = Record<string, never>;

function route<Body, Reply, Query = NoQuery, Line = never>(method: 'GET' | 'POST', path: string, stream = false): Route<Body, Query, Reply, Line> {
  return { method, path, stream };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route, whatever its types
export type AnyRoute = Route<any, any, any, any>;
export type RouteBody<R extends AnyRoute> = NonNullable<R['types']>['body'];
export type RouteQuery<R extends AnyRoute> = NonNullable<R['types']>['query'];
export type RouteReply<R extends AnyRoute> = NonNullable<R['types']>['reply'];
export type RouteLine<R extends AnyRoute> = NonNullable<R['types']>['line'];

/** `GET /v1/ping`. */
export interface PingReply {
  ok: boolean;
  pid: number;
  version: number;
  startedAt: string;
}

/** The body of `POST /v1/apply` (checked by routes.ts before use): the Reconciler's ApplyRequest. */
export type ApplyBody = ApplyRequest;

/** The last line of an apply stream. */
export type ApplyEnd =
  | { type: 'result'; changes: ChangeSet; serial: number; revision?: number; outcome?: ExecutionOutcome }
  | { type: 'error'; status: number; error: string; hint?: string }
  | { type: 'timeout'; afterMs: number };

/** A progress line of an apply stream. */
export interface ApplyProgress {
  type: 'event';
  event: OrchestraEvent;
}

/** `{ names }` or `{ all: true }`, with an optional bound on how long to wait. */
export type ControlBody = ({ names: string[] } | { all: true }) & { timeoutMs?: number };

export interface ControlReply {
  ok: boolean;
  action: 'start' | 'stop' | 'restart';
  agents: string[];
  settled: boolean;
}

/** `POST /v1/agents/reload`: each instance reloaded, or why not. */
export type ReloadReply = { ok: boolean; action: 'reload' } & ReloadOutcome;

export interface OkReply {
  ok: boolean;
}

/** Every route of the daemon. */
export const api = {
  ping: route<undefined, PingReply>('GET', '/v1/ping'),
  state: route<undefined, PlanState>('GET', '/v1/state'),
  status: route<undefined, StatusSnapshot>('GET', '/v1/status'),
  apply: route<ApplyBody, ApplyEnd, { timeout?: number }, ApplyProgress | ApplyEnd>('POST', '/v1/apply', true),
  start: route<ControlBody, ControlReply>('POST', '/v1/agents/start'),
  stop: route<ControlBody, ControlReply>('POST', '/v1/agents/stop'),
  restart: route<ControlBody, ControlReply>('POST', '/v1/agents/restart'),
  reload: route<ControlBody, ReloadReply>('POST', '/v1/agents/reload'),
  rejected: route<{ message: string; diagnostics: unknown[] }, OkReply>('POST', '/v1/rejected'),
  kill: route<undefined, OkReply>('POST', '/v1/kill'),
  down: route<undefined, OkReply>('POST', '/v1/down'),
  dashboard: route<{ port?: number }, { url: string; port: number }>('POST', '/v1/dashboard'),
  /** Recent events, then (with follow=1) every new one until the caller hangs up. */
  events: route<undefined, OrchestraEvent | undefined, { follow?: 1; tail?: number }, OrchestraEvent>('GET', '/v1/events', true),
} as const;

export type Api = typeof api;

/** The HTTP status a daemon error maps to, by reconciler error code. */
export const STATUS_OF = { 'stale-plan': 409, 'nothing-applied': 409, 'unknown-agent': 404 } as const;
