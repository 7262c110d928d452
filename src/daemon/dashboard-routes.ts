/**
 * The dashboard server's URL space: which paths exist, which method each
 * takes, which token transport each accepts. Pure; the server does the I/O.
 */

export type ActionVerb = 'start' | 'stop' | 'restart';
/** Verbs that make sense for one agent only (a reload of "all" would be a different question). */
export type AgentVerb = ActionVerb | 'reload';

export type DashboardRoute =
  | { kind: 'page' }
  | { kind: 'favicon' }
  | { kind: 'status' }
  | { kind: 'fragment' }
  | { kind: 'events' }
  | { kind: 'agent-action'; name: string; verb: AgentVerb }
  | { kind: 'agent-logs'; name: string }
  | { kind: 'agent-detail'; name: string }
  | { kind: 'history' }
  | { kind: 'revision'; number: number; verb: RevisionVerb }
  | { kind: 'all-action'; verb: ActionVerb }
  | { kind: 'kill' };

export type RouteMatch =
  | { ok: true; route: DashboardRoute; method: 'GET' | 'POST'; queryToken: boolean; public?: true }
  | { ok: false; status: 400 | 404; error: string };

/** diff and rollback-plan only read; rollback changes the fleet. */
export type RevisionVerb = 'diff' | 'rollback-plan' | 'rollback';

const VERBS = new Set<string>(['start', 'stop', 'restart']);
const AGENT_VERBS = new Set<string>([...VERBS, 'reload']);

/** Matches a request path (without query) to a route, or says why not. */
export function matchRoute(pathname: string): RouteMatch {
  const get = (route: DashboardRoute, queryToken = false): RouteMatch => ({ ok: true, route, method: 'GET', queryToken });
  const post = (route: DashboardRoute): RouteMatch => ({ ok: true, route, method: 'POST', queryToken: false });
  switch (pathname) {
    case '/':
      return get({ kind: 'page' }, true);
    case '/favicon.ico':
      // Browsers ask for it on every page; answering 204 keeps their consoles quiet. No token: it reveals nothing.
      return { ok: true, route: { kind: 'favicon' }, method: 'GET', queryToken: false, public: true };
    case '/api/status':
      return get({ kind: 'status' });
    case '/api/fragment':
      return get({ kind: 'fragment' });
    case '/api/events':
      // EventSource cannot send headers; the stream is read-only, so the query token is enough here.
      return get({ kind: 'events' }, true);
    case '/api/kill':
      return post({ kind: 'kill' });
    case '/api/history':
      return get({ kind: 'history' });
  }
  const parts = pathname.split('/');
  // ['', 'api', 'all', verb] or ['', 'api', 'agents', name, verb]
  if (parts.length === 4 && parts[1] === 'api' && parts[2] === 'all') {
    const verb = parts[3]!;
    if (VERBS.has(verb)) return post({ kind: 'all-action', verb: verb as ActionVerb });
    return { ok: false, status: 404, error: `unknown action \`${verb}\`; expected start, stop or restart` };
  }
  // ['', 'api', 'revisions', N, verb]
  if (parts.length === 5 && parts[1] === 'api' && parts[2] === 'revisions') {
    const number = Number(parts[3]);
    if (!/^[1-9][0-9]{0,8}$/.test(parts[3]!)) return { ok: false, status: 400, error: `invalid revision \`${parts[3]}\`: expected a revision number such as 3` };
    const verb = parts[4]!;
    if (verb === 'diff' || verb === 'rollback-plan') return get({ kind: 'revision', number, verb });
    if (verb === 'rollback') return post({ kind: 'revision', number, verb });
    return { ok: false, status: 404, error: `unknown revision action \`${verb}\`; expected diff, rollback-plan or rollback` };
  }
  if (parts.length === 5 && parts[1] === 'api' && parts[2] === 'agents') {
    const verb = parts[4]!;
    if (!AGENT_VERBS.has(verb) && verb !== 'logs' && verb !== 'detail') {
      return { ok: false, status: 404, error: `unknown action \`${verb}\`; expected start, stop, restart, reload, logs or detail` };
    }
    let name: string;
    try {
      name = decodeURIComponent(parts[3]!);
    } catch {
      return { ok: false, status: 400, error: 'malformed agent name in the path (bad percent-encoding)' };
    }
    if (name.length === 0) return { ok: false, status: 400, error: 'missing agent name in the path' };
    // A log stream is read by EventSource, which cannot send headers; it changes nothing, so the query token will do.
    if (verb === 'logs') return get({ kind: 'agent-logs', name }, true);
    if (verb === 'detail') return get({ kind: 'agent-detail', name });
    return post({ kind: 'agent-action', name, verb: verb as AgentVerb });
  }
  return { ok: false, status: 404, error: `no such endpoint: ${pathname}` };
}
