// orchestra dashboard: the agent detail. Clicking an agent's name opens a
// dialog with what the server rendered for that instance (config with secrets
// masked, probes, restart history, last events, alerts), escaped by the same
// templates as the rest of the page. Read-only: nothing here changes the fleet.
(() => {
  'use strict';
  const { request, focusView } = window.orchestraDashboard;
  const dialog = document.getElementById('detail-dialog');
  const title = document.getElementById('detail-title');
  const body = document.getElementById('detail-body');
  let agent = null;

  async function open(name) {
    agent = name;
    title.textContent = name;
    body.replaceChildren();
    let html;
    try {
      const res = await request('GET', `/api/agents/${encodeURIComponent(name)}/detail`);
      if (!res.ok) {
        let error = `HTTP ${res.status}`;
        try { error = (await res.json()).error || error; } catch { /* keep the status */ }
        throw new Error(error);
      }
      html = await res.text();
    } catch (error) {
      const p = document.createElement('p');
      p.className = 'op-error';
      p.textContent = `Cannot show ${name}: ${error.message}`;
      body.replaceChildren(p);
      dialog.showModal();
      return;
    }
    const parsed = new DOMParser().parseFromString(`<!doctype html><body>${html}</body>`, 'text/html');
    body.replaceChildren(...parsed.body.childNodes);
    dialog.showModal();
    document.getElementById('detail-close').focus();
  }

  document.getElementById('detail-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { if (agent !== null) focusView('detail', agent); });
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-view="detail"]') : null;
    if (button) open(button.dataset.agent);
  });
})();
