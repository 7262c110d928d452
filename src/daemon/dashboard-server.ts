/**
 * The live dashboard's HTTP server: serves the dashboard page, the snapshot
 * as JSON, the re-rendered page region, a server-sent event stream, and the
 * start / stop / restart / kill actions, all through a DashboardBackend.
 * Loopback only, token required, Host and Origin checked, strict CSP.
 * Actions run one at a time. Never touches processes itself and never prints;
 * failures reach the caller as responses or a rejected start.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderAgentDetail, renderHistorySection, renderStatusPage, renderStatusRegion } from '../report/status-page.js';
import type { DashboardBackend } from './dashboard-backend.js';
import { DashboardEventHub } from './dashboard-events.js';
import { describe, HttpError, readJsonBody, send, sendJson, sendText } from './dashboard-http.js';
import { checkAgentName, checkInstanceName } from './dashboard-names.js';
import { serveLogStream } from './dashboard-log-stream.js';
import { SerialQueue } from '../util/serial-queue.js';
import { matchRoute, type ActionVerb, type AgentVerb, type DashboardRoute } from './dashboard-routes.js';
import {
  baseHeaders,
  generateNonce,
  generateToken,
  headerValue,
  hostAllowed,
  originAllowed,
  pagePolicy,
  TOKEN_HEADER,
  tokenMatches,
  tokenProblem,
} from './dashboard-security.js';

export interface DashboardServerOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Only loopback is supported; the option exists so callers state it. */
  host?: '127.0.0.1';
  /** The access token; a random one when absent. */
  token?: string;
  /** Interval of the event stream's heartbeat comment; 15 s unless given. */
  heartbeatMs?: number;
  /** Actions allowed to wait in the queue before new ones get 429. */
  maxQueuedActions?: number;
}

/** Lines of history a log view starts with. */
export const LOG_TAIL_LINES = 200;

export interface DashboardServer {
  /** The page's URL, token included: what `orchestra dashboard` prints and opens. */
  url: string;
  token: string;
  port: number;
  /** Ends every event stream and connection and stops listening. */
  close(): Promise<void>;
}

/** Starts the dashboard server on 127.0.0.1; resolves once it listens. */
export async function startDashboardServer(backend: DashboardBackend, options: DashboardServerOptions = {}): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`Expected the \`host\` option to be 127.0.0.1, got \`${String(host)}\`.`);
  const token = options.token ?? generateToken();
  const problem = tokenProblem(token);
  if (problem) throw new Error(problem);
  const queue = new SerialQueue();
  const maxQueued = options.maxQueuedActions ?? 32;
  let port = 0;
  const hub = new DashboardEventHub(backend, { heartbeatMs: options.heartbeatMs ?? 15_000 });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const failure = error instanceof HttpError ? error : new HttpError(500, `internal error: ${describe(error)}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      if (failure.plain) sendText(res, failure.status, `orchestra dashboard: ${failure.message}\n`);
      else sendJson(res, failure.status, { ok: false, error: failure.message }, failure.headers);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(headerValue(req.headers, 'host'), port)) {
      throw new HttpError(403, `Host must be 127.0.0.1:${port} or localhost:${port}`);
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const match = matchRoute(url.pathname);
    if (!match.ok) throw new HttpError(match.status, match.error);
    if (req.method !== match.method && !(match.method === 'GET' && req.method === 'HEAD')) {
      throw new HttpError(405, `use ${match.method} for ${url.pathname}`, { Allow: match.method === 'GET' ? 'GET, HEAD' : 'POST' });
    }
    if (!match.public) authorize(req, url, match.route, match.queryToken);
    await serve(match.route, req, res);
  }

  /** Throws 401 or 403 unless the request carries the token the way its route accepts; the page's 401 is plain text. */
  function authorize(req: IncomingMessage, url: URL, route: DashboardRoute, queryToken: boolean): void {
    const headerToken = headerValue(req.headers, TOKEN_HEADER);
    // The query token is accepted only where a browser cannot send a header and nothing changes.
    const presented = headerToken ?? (queryToken ? (url.searchParams.get('token') ?? undefined) : undefined);
    if (!tokenMatches(presented, token)) {
      if (route.kind === 'page') throw new HttpError(401, 'missing or wrong token; open the URL printed by `orchestra dashboard`', {}, true);
      throw new HttpError(401, `missing or wrong token: send it in the X-Orchestra-Token header`);
    }
    if (req.method === 'POST' && !originAllowed(headerValue(req.headers, 'origin'), port)) {
      throw new HttpError(403, 'cross-origin request refused');
    }
  }

  async function serve(route: DashboardRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (route.kind) {
      case 'favicon':
        send(res, 204, 'text/plain', '');
        return;
      case 'page': {
        const nonce = generateNonce();
        const html = renderStatusPage(await backend.snapshot(), { live: { token, nonce }, history: await backend.history() });
        send(res, 200, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': pagePolicy(nonce) });
        return;
      }
      case 'status':
        sendJson(res, 200, await backend.snapshot());
        return;
      case 'fragment':
        send(res, 200, 'text/html; charset=utf-8', renderStatusRegion(await backend.snapshot(), { live: { token } }));
        return;
      case 'events':
        await hub.add(res, baseHeaders());
        return;
      case 'agent-detail': {
        checkInstanceName(route.name, await backend.snapshot());
        const detail = await refusals(() => backend.detail(route.name));
        send(res, 200, 'text/html; charset=utf-8', renderAgentDetail(detail));
        return;
      }
      case 'history':
        send(res, 200, 'text/html; charset=utf-8', renderHistorySection(await backend.history(), { live: { token } }));
        return;
      case 'revision':
        if (route.verb === 'diff') {
          sendJson(res, 200, { ok: true, text: await refusals(() => backend.diffRevision(route.number)) });
        } else if (route.verb === 'rollback-plan') {
          sendJson(res, 200, { ok: true, ...(await refusals(() => backend.rollbackPlan(route.number))) });
        } else {
          await readJsonBody(req);
          await act(res, () => backend.rollback(route.number));
        }
        return;
      case 'agent-logs': {
        checkInstanceName(route.name, await backend.snapshot());
        const source = await backend.logSource(route.name);
        serveLogStream(res, baseHeaders(), { ...source, tail: LOG_TAIL_LINES, heartbeatMs: options.heartbeatMs ?? 15_000 });
        return;
      }
      case 'agent-action': {
        await readJsonBody(req);
        const snapshot = await backend.snapshot();
        checkAgentName(route.name, snapshot);
        await act(res, () => runVerb(route.verb, [route.name]));
        return;
      }
      case 'all-action':
        await readJsonBody(req);
        await act(res, () => runAll(route.verb));
        return;
      case 'kill': {
        const body = await readJsonBody(req);
        const { project } = await backend.snapshot();
        if (body?.['confirm'] !== project) {
          throw new HttpError(400, 'emergency stop needs {"confirm": "<project name>"} in the body, with the exact project name');
        }
        await act(res, () => backend.kill());
        return;
      }
    }
  }

  /** Runs a read that the backend may refuse with a `status` (404 unknown revision, 409 not possible now). */
  async function refusals<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (error instanceof Error && (status === 404 || status === 409)) throw new HttpError(status, error.message);
      throw error;
    }
  }

  function runVerb(verb: AgentVerb, names: string[]): Promise<string> {
    switch (verb) {
      case 'reload':
        return backend.reload(names);
      case 'start':
        return backend.start(names);
      case 'stop':
        return backend.stop(names);
      case 'restart':
        return backend.restart(names);
    }
  }

  function runAll(verb: ActionVerb): Promise<string> {
    switch (verb) {
      case 'start':
        return backend.startAll();
      case 'stop':
        return backend.stopAll();
      case 'restart':
        return backend.restartAll();
    }
  }

  async function act(res: ServerResponse, action: () => Promise<string>): Promise<void> {
    if (queue.pending >= maxQueued) throw new HttpError(429, `${queue.pending} actions are already waiting; try again when they finish`);
    let message: string;
    try {
      message = await queue.run(action);
    } catch (error) {
      // A rejection is the backend refusing the action in the fleet's current state.
      if (error instanceof Error) throw new HttpError((error as { status?: unknown }).status === 404 ? 404 : 409, error.message);
      throw error;
    }
    sendJson(res, 200, { ok: true, message });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      hub.close();
      reject(new Error(error.code === 'EADDRINUSE' ? `port ${options.port ?? 0} on 127.0.0.1 is already in use` : `cannot listen: ${error.message}`));
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    token,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
