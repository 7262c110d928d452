// orchestra live dashboard. Inlined into the page with a CSP nonce; talks only
// to the server that served the page. State-changing requests carry the token
// in the X-Orchestra-Token header (never a cookie); the read-only event stream
// takes it as a query parameter because EventSource cannot send headers.
// Everything shown from the server goes in through textContent, or is HTML the
// server rendered and escaped with the same templates as the static page.
(() => {
  'use strict';
  const token = document.querySelector('meta[name="orchestra-token"]').content;
  const project = document.body.dataset.project;
  const region = document.getElementById('region');
  const opBox = document.getElementById('op');
  const opText = document.getElementById('op-text');
  const opLog = document.getElementById('op-log');
  const conn = document.getElementById('conn');
  const connText = document.getElementById('conn-text');
  const confirmDialog = document.getElementById('confirm-dialog');
  const killDialog = document.getElementById('kill-dialog');
  const killInput = document.getElementById('kill-input');
  const killOk = document.getElementById('kill-ok');
  const agentPath = (name, verb) => `/api/agents/${encodeURIComponent(name)}/${verb}`;

  /** What each button does: its request, its progress text and, if destructive, its question. */
  const ACTIONS = {
    start: (a) => ({ path: agentPath(a, 'start'), doing: `Starting ${a}…`, label: `Start ${a}` }),
    stop: (a) => ({
      path: agentPath(a, 'stop'), doing: `Stopping ${a}…`, label: `Stop ${a}`,
      confirm: { title: `Stop ${a}?`, text: `${a} gets its stop signal, then SIGKILL after its stop timeout. It stays stopped until started again.`, ok: 'Stop' },
    }),
    restart: (a) => ({
      path: agentPath(a, 'restart'), doing: `Restarting ${a}…`, label: `Restart ${a}`,
      confirm: { title: `Restart ${a}?`, text: `${a} is stopped gracefully and started again; dependents that restart with it follow.`, ok: 'Restart' },
    }),
    reload: (a) => ({
      path: agentPath(a, 'reload'), doing: `Reloading ${a}…`, label: `Reload ${a}`,
      confirm: { title: `Reload ${a}?`, text: `${a} gets its reload signal or command and re-reads its configuration; its pid is kept.`, ok: 'Reload' },
    }),
    'start-all': () => ({ path: '/api/all/start', doing: 'Starting all agents in dependency order…', label: 'Start all' }),
    'stop-all': () => ({
      path: '/api/all/stop', doing: 'Stopping all agents in reverse dependency order…', label: 'Stop all',
      confirm: { title: 'Stop all agents?', text: `Every agent of ${project} is stopped gracefully, dependents first.`, ok: 'Stop all' },
    }),
    'restart-all': () => ({
      path: '/api/all/restart', doing: 'Restarting all agents…', label: 'Restart all',
      confirm: { title: 'Restart all agents?', text: `Every agent of ${project} is stopped in reverse dependency order and started again in dependency order.`, ok: 'Restart all' },
    }),
  };

  let busy = false;

  async function request(method, path, body) {
    const headers = { 'X-Orchestra-Token': token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetch(path, init);
  }

  // Fetches the re-rendered region; coalesces bursts so at most one request runs and one waits.
  let refreshing = false;
  let refreshAgain = false;
  async function refresh() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    try {
      do {
        refreshAgain = false;
        const res = await request('GET', '/api/fragment');
        if (res.ok) swap(await res.text());
      } while (refreshAgain);
    } catch (error) {
      setConnection('lost', `update failed: ${error.message}`);
    } finally {
      refreshing = false;
    }
  }

  // Replaces the region but keeps what the user was doing: focus, open details, scroll.
  function swap(html) {
    const active = document.activeElement;
    const focusKey = active && region.contains(active) && (active.dataset.action || active.dataset.view)
      ? { action: active.dataset.action, view: active.dataset.view, agent: active.dataset.agent } : null;
    const open = new Set();
    for (const d of region.querySelectorAll('.card details[open]')) open.add(d.closest('.card').dataset.agent);
    const scroller = region.querySelector('.graph-scroll');
    const scrollLeft = scroller ? scroller.scrollLeft : 0;
    const parsed = new DOMParser().parseFromString(`<!doctype html><body>${html}</body>`, 'text/html');
    region.replaceChildren(...parsed.body.childNodes);
    for (const card of region.querySelectorAll('.card')) {
      if (open.has(card.dataset.agent)) card.querySelector('details')?.setAttribute('open', '');
    }
    const newScroller = region.querySelector('.graph-scroll');
    if (newScroller) newScroller.scrollLeft = scrollLeft;
    if (busy) setButtonsDisabled(true);
    document.dispatchEvent(new CustomEvent('orchestra:region-updated'));
    if (focusKey?.view) focusView(focusKey.view, focusKey.agent);
    else if (focusKey) refocus(focusKey.action, focusKey.agent);
  }

  // Puts focus back on the button for (action, agent), or on the first enabled button of its card when that one is now disabled.
  function refocus(action, agent) {
    let fallback = null;
    for (const b of document.querySelectorAll('button[data-action]')) {
      if (b.dataset.agent !== agent) continue;
      if (b.dataset.action === action && !b.disabled) { b.focus(); return; }
      if (!fallback && !b.disabled && b.dataset.agent !== undefined) fallback = b;
    }
    fallback?.focus();
  }

  // Puts focus back on a view button (Logs for X, the agent's name): these are never disabled.
  function focusView(view, agent) {
    for (const b of document.querySelectorAll(`button[data-view="${view}"]`)) {
      if (b.dataset.agent === agent) { b.focus(); return; }
    }
  }

  function setButtonsDisabled(disabled) {
    for (const b of document.querySelectorAll('button[data-action]')) {
      if (disabled) {
        if (!b.disabled) { b.disabled = true; b.dataset.busyDisabled = '1'; }
      } else if (b.dataset.busyDisabled) {
        b.disabled = false;
        delete b.dataset.busyDisabled;
      }
    }
  }

  function setConnection(kind, text) {
    conn.className = `conn conn-${kind}`;
    connText.textContent = text;
  }

  function logOperation(ok, label, message) {
    opLog.querySelector('.oplog-empty')?.remove();
    const li = document.createElement('li');
    li.className = ok ? 'op-ok' : 'op-error';
    const time = document.createElement('time');
    const now = new Date();
    time.dateTime = now.toISOString();
    time.textContent = now.toLocaleTimeString();
    const strong = document.createElement('strong');
    strong.textContent = label;
    li.append(time, ' ', strong, `: ${message}`);
    opLog.prepend(li);
    while (opLog.children.length > 50) opLog.lastElementChild.remove();
  }

  async function run(spec, body) {
    busy = true;
    setButtonsDisabled(true);
    opText.textContent = spec.doing;
    opBox.hidden = false;
    document.body.setAttribute('aria-busy', 'true');
    try {
      const res = await request('POST', spec.path, body);
      let data;
      try { data = await res.json(); } catch { data = { ok: false, error: `HTTP ${res.status}` }; }
      if (res.ok && data.ok) logOperation(true, spec.label, data.message || 'done');
      else logOperation(false, spec.label, data.error || `HTTP ${res.status}`);
    } catch (error) {
      logOperation(false, spec.label, `request failed: ${error.message}`);
    } finally {
      busy = false;
      opBox.hidden = true;
      document.body.removeAttribute('aria-busy');
      setButtonsDisabled(false);
      await refresh();
    }
  }

  // Opens the confirmation dialog; resolves true only on an explicit OK.
  function confirmAction(question) {
    document.getElementById('confirm-title').textContent = question.title;
    document.getElementById('confirm-text').textContent = question.text;
    // A plan (the rollback's) is shown as the text the planner wrote, never as HTML.
    const plan = document.getElementById('confirm-plan');
    plan.textContent = question.plan ?? '';
    plan.hidden = question.plan === undefined;
    confirmDialog.classList.toggle('wide-dialog', question.plan !== undefined);
    const ok = document.getElementById('confirm-ok');
    ok.textContent = question.ok;
    return new Promise((resolve) => {
      confirmDialog.returnValue = '';
      confirmDialog.addEventListener('close', () => resolve(confirmDialog.returnValue === 'ok'), { once: true });
      confirmDialog.showModal();
      document.getElementById('confirm-cancel').focus();
    });
  }
  document.getElementById('confirm-ok').addEventListener('click', () => confirmDialog.close('ok'));
  document.getElementById('confirm-cancel').addEventListener('click', () => confirmDialog.close('cancel'));

  function openKill() {
    killInput.value = '';
    killOk.disabled = true;
    killDialog.returnValue = '';
    killDialog.showModal();
    killInput.focus();
  }
  killInput.addEventListener('input', () => { killOk.disabled = killInput.value !== project; });
  killInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !killOk.disabled) { e.preventDefault(); killDialog.close('ok'); }
  });
  killOk.addEventListener('click', () => { if (killInput.value === project) killDialog.close('ok'); });
  document.getElementById('kill-cancel').addEventListener('click', () => killDialog.close('cancel'));
  killDialog.addEventListener('close', () => {
    if (killDialog.returnValue !== 'ok') return;
    run({ path: '/api/kill', doing: 'Emergency stop: killing every agent…', label: 'Emergency stop' }, { confirm: killInput.value });
  });

  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
    if (!button || button.disabled || busy) return;
    const action = button.dataset.action;
    if (action === 'kill') { openKill(); return; }
    const make = ACTIONS[action];
    if (!make) return;
    const spec = make(button.dataset.agent);
    const agent = button.dataset.agent;
    if (spec.confirm && !(await confirmAction(spec.confirm))) {
      refocus(action, agent);
      return;
    }
    await run(spec);
    if (document.activeElement === document.body || document.activeElement === null) refocus(action, agent);
  });

  // What the other scripts of the page (log view, history, detail) use to talk to the server and to the person.
  window.orchestraDashboard = Object.freeze({ token, request, run, confirmAction, focusView });

  const events = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  events.addEventListener('open', () => setConnection('live', 'live'));
  events.addEventListener('snapshot', () => {
    setConnection('live', 'live');
    refresh();
  });
  events.addEventListener('error', () => {
    setConnection(events.readyState === EventSource.CLOSED ? 'lost' : 'connecting', events.readyState === EventSource.CLOSED ? 'disconnected; reload the page' : 'reconnecting…');
  });
})();
