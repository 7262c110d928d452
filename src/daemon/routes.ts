/**
 * The daemon's HTTP API (JSON over the unix socket). Validates requests,
 * calls the Daemon, and shapes responses; streams apply progress and events
 * as NDJSON. Every malformed request gets a 4xx and changes nothing.
 */

import type { Plan } from '../plan/spec.js';
import { ReconcileError } from '../reconcile/reconcile-error.js';
import type { ApplyOutcome } from '../reconcile/outcomes.js';
import { api, STATUS_OF, type ApplyEnd } from './api.js';
import { ApiError, ApiRouter, sendJson, startStream, stringList } from './api-router.js';
import type { ApplyRequest, Daemon } from './daemon.js';
import type { DashboardHost } from './daemon-dashboard.js';

const VERSION = 1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of an apply body well enough that the engine never sees garbage. */
export function parseApplyRequest(body: unknown): ApplyRequest {
  if (!isRecord(body)) throw new ApiError(400, 'expected a JSON object with "plan" and "envFileHashes"');
  const plan = body.plan;
  if (!isRecord(plan) || plan.version !== 1 || typeof plan.name !== 'string' || !Array.isArray(plan.instances)) {
    throw new ApiError(400, '"plan" must be a resolved orchestra Plan (version 1, name, instances)');
  }
  for (const i of plan.instances as unknown[]) {
    if (!isRecord(i) || typeof i.name !== 'string' || !Array.isArray(i.command) || typeof i.cwd !== 'string') {
      throw new ApiError(400, '"plan.instances" entries need name, command and cwd');
    }
  }
  const hashes = body.envFileHashes ?? {};
  if (!isRecord(hashes) || !Object.values(hashes).every((v) => typeof v === 'string')) {
    throw new ApiError(400, '"envFileHashes" must map paths to strings');
  }
  const request: ApplyRequest = { plan: plan as unknown as Plan, envFileHashes: hashes as Record<string, string> };
  if (body.expected !== undefined) {
    const e = body.expected;
    if (!isRecord(e) || typeof e.lineage !== 'string' || typeof e.serial !== 'number') {
      throw new ApiError(400, '"expected" must be { lineage: string, serial: number }');
    }
    request.expected = { lineage: e.lineage, serial: e.serial };
  }
  if (body.rollbackOf !== undefined) {
    if (typeof body.rollbackOf !== 'number') throw new ApiError(400, '"rollbackOf" must be a number');
    request.rollbackOf = body.rollbackOf;
  }
  return request;
}

/** A reconciler refusal as the HTTP error the caller sees; anything else passes through. */
function httpError(error: unknown): unknown {
  if (!(error instanceof ReconcileError)) return error;
  return new ApiError(STATUS_OF[error.code], error.message, error.hint !== undefined ? { hint: error.hint } : undefined);
}

/** Runs a daemon call, turning reconciler refusals into HTTP errors. */
async function refusalsAsHttp<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw httpError(error);
  }
}

/** The wire form of an apply's outcome (the revision by number). */
function applyResult(outcome: ApplyOutcome): ApplyEnd {
  if (outcome.kind === 'unchanged') return { type: 'result', changes: outcome.changes, serial: outcome.serial };
  return { type: 'result', changes: outcome.changes, serial: outcome.serial, revision: outcome.revision.number, outcome: outcome.execution };
}

function targets(body: unknown): string[] | 'all' {
  if (isRecord(body) && body.all === true) return 'all';
  const names = stringList(body, 'names');
  if (names.length === 0) throw new ApiError(400, 'name at least one agent, or send { "all": true }');
  return names;
}

/** Builds the router; `shutdown` is called after `down` has answered. */
export function daemonRoutes(daemon: Daemon, dashboard: DashboardHost, shutdown: () => void): ApiRouter {
  const router = new ApiRouter();
  router.route(api.ping, () => ({ ok: true, pid: process.pid, version: VERSION, startedAt: daemon.startedAt.toISOString() }));
  router.route(api.state, () => daemon.planState());
  router.route(api.status, () => daemon.snapshotForViewer());

  router.route(api.apply, async ({ body, query, response }) => {
    const request = parseApplyRequest(body);
    const timeoutMs = Number(query.get('timeout') ?? 0);
    const send = startStream(api.apply, response);
    const unsubscribe = daemon.onEvent((event) => send({ type: 'event', event }));
    const work = daemon.apply(request).then(applyResult, (error: unknown): ApplyEnd => {
      const e = httpError(error);
      const end: ApplyEnd = { type: 'error', status: e instanceof ApiError ? e.status : 500, error: e instanceof Error ? e.message : String(e) };
      const hint = e instanceof ApiError ? e.details?.hint : undefined;
      if (typeof hint === 'string') end.hint = hint;
      return end;
    });
    const timer =
      timeoutMs > 0
        ? new Promise<ApplyEnd>((resolve) => setTimeout(() => resolve({ type: 'timeout', afterMs: timeoutMs }), timeoutMs).unref())
        : new Promise<ApplyEnd>(() => {});
    const outcome = await Promise.race([work, timer]);
    unsubscribe();
    send(outcome);
    response.end();
    return undefined;
  });

  for (const action of ['start', 'stop', 'restart'] as const) {
    router.route(api[action], async ({ body }) => {
      const timeoutMs = isRecord(body) && typeof body.timeoutMs === 'number' ? body.timeoutMs : undefined;
      const result = await refusalsAsHttp(() => daemon.control(action, targets(body), timeoutMs));
      return { ok: true, action, ...result };
    });
  }

  router.route(api.reload, async ({ body }) => ({ ok: true, action: 'reload' as const, ...(await refusalsAsHttp(() => daemon.reload(targets(body)))) }));

  router.route(api.rejected, ({ body }) => {
    if (!isRecord(body) || typeof body.message !== 'string' || !Array.isArray(body.diagnostics)) {
      throw new ApiError(400, 'expected { message: string, diagnostics: [] }');
    }
    daemon.rejected(body.message, body.diagnostics);
    return { ok: true };
  });

  router.route(api.kill, async () => {
    await refusalsAsHttp(() => daemon.kill());
    return { ok: true };
  });

  router.route(api.down, async ({ response }) => {
    await daemon.down();
    // Exit only once the answer is on its way, so the caller sees it.
    response.once('finish', shutdown);
    sendJson(response, 200, { ok: true });
    return undefined;
  });

  router.route(api.dashboard, async ({ body }) => {
    if (body !== undefined && !isRecord(body)) throw new ApiError(400, 'expected a JSON object such as { "port": 8080 }');
    const port = isRecord(body) ? body.port : undefined;
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new ApiError(400, '"port" must be a whole number from 0 to 65535');
    }
    try {
      return await dashboard.open(port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new ApiError(409, `port ${port} is already in use`);
      throw error;
    }
  });

  router.route(api.events, ({ query, response }) => {
    const send = startStream(api.events, response);
    const tail = Math.max(0, Number(query.get('tail') ?? 50) || 0);
    for (const event of daemon.recentEvents().slice(-tail)) send(event);
    if (query.get('follow') !== '1') {
      response.end();
      return undefined;
    }
    const unsubscribe = daemon.onEvent((event) => send(event));
    response.on('close', unsubscribe);
    return undefined;
  });
  return router;
}
