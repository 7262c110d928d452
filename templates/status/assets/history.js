// orchestra dashboard: the History section. `Diff revision N` shows what
// changed from revision N to the applied one, as `orchestra diff` words it;
// `Roll back to revision N` first shows the rollback's plan in the
// confirmation dialog, and only an explicit confirm runs it (through the
// daemon's serial queue, with progress and a line in the operations log).
// Plans and diffs are text (textContent); the section itself is HTML the
// server rendered and escaped with the status page's own templates.
(() => {
  'use strict';
  const { request, run, confirmAction } = window.orchestraDashboard;
  const holder = document.getElementById('history-region');
  const diffDialog = document.getElementById('diff-dialog');
  const diffText = document.getElementById('diff-text');
  let opener = null;

  async function readJson(path) {
    const res = await request('GET', path);
    let data;
    try { data = await res.json(); } catch { data = { ok: false, error: `HTTP ${res.status}` }; }
    if (!res.ok || !data.ok) throw new Error(data.error || `HTTP ${res.status}`);
    return data;
  }

  // Re-renders the section, keeping focus on the same button when it still exists.
  async function refreshHistory() {
    const res = await request('GET', '/api/history');
    if (!res.ok) return;
    const active = document.activeElement;
    const key = active && holder.contains(active) ? { action: active.dataset.action, view: active.dataset.revisionView, n: active.dataset.revision } : null;
    const parsed = new DOMParser().parseFromString(`<!doctype html><body>${await res.text()}</body>`, 'text/html');
    holder.replaceChildren(...parsed.body.childNodes);
    if (key) {
      const selector = key.view ? `button[data-revision-view="${key.view}"]` : `button[data-action="${key.action}"]`;
      const again = [...holder.querySelectorAll(selector)].find((b) => b.dataset.revision === key.n);
      (again ?? holder.querySelector('h2'))?.focus?.();
    }
  }

  function failure(title, error) {
    document.getElementById('diff-title').textContent = title;
    document.getElementById('diff-intro').textContent = '';
    diffText.textContent = error.message;
    diffDialog.showModal();
  }

  async function showDiff(button) {
    const n = button.dataset.revision;
    opener = button;
    try {
      const { text } = await readJson(`/api/revisions/${n}/diff`);
      document.getElementById('diff-title').textContent = `Diff revision ${n}`;
      document.getElementById('diff-intro').textContent = `What changed from revision ${n} to the revision applied now (secret values masked).`;
      diffText.textContent = text;
      diffDialog.showModal();
      diffText.focus();
    } catch (error) {
      failure(`Diff revision ${n}`, error);
    }
  }

  async function rollBack(button) {
    const n = button.dataset.revision;
    let plan;
    try {
      plan = await readJson(`/api/revisions/${n}/rollback-plan`);
    } catch (error) {
      opener = button;
      failure(`Roll back to revision ${n}`, error);
      return;
    }
    const confirmed = await confirmAction({
      title: `Roll back to revision ${n}?`,
      text: plan.changes
        ? `Applies revision ${n} again as a new revision. This is its plan; nothing happens until you confirm.`
        : `What runs already matches revision ${n}: nothing would change.`,
      plan: plan.text,
      ok: 'Roll back',
    });
    if (!confirmed) { button.focus(); return; }
    await run({ path: `/api/revisions/${n}/rollback`, doing: `Rolling back to revision ${n}…`, label: `Roll back to revision ${n}` });
    await refreshHistory();
  }

  document.getElementById('diff-close').addEventListener('click', () => diffDialog.close());
  diffDialog.addEventListener('close', () => opener?.focus());

  holder?.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    if (!button || button.disabled) return;
    if (button.dataset.revisionView === 'diff') showDiff(button);
    else if (button.dataset.action === 'rollback') rollBack(button);
  });

  // An apply from the CLI (or a rollback in another tab) makes a new revision: the region shows it, then so does History.
  let shown = document.querySelector('[data-applied-revision]')?.dataset.appliedRevision;
  document.addEventListener('orchestra:region-updated', () => {
    const now = document.querySelector('[data-applied-revision]')?.dataset.appliedRevision;
    if (now !== shown) { shown = now; refreshHistory(); }
  });
})();
