// orchestra dashboard: the log view. One instance's output in a dialog, the
// last lines first, then live over a server-sent event stream (read-only, so
// the token goes in the query). Every line goes in through textContent: a
// line holding markup shows the characters it holds. Follow keeps the view at
// the bottom until the person scrolls up; the filter hides non-matching lines.
(() => {
  'use strict';
  const { token, focusView } = window.orchestraDashboard;
  const dialog = document.getElementById('log-dialog');
  const view = document.getElementById('log-view');
  const nameBox = document.getElementById('log-name');
  const filter = document.getElementById('log-filter');
  const follow = document.getElementById('log-follow');
  const status = document.getElementById('log-status');
  /** Lines kept in the page; older ones are dropped as new ones arrive. */
  const MAX_LINES = 5000;
  let stream = null;
  let agent = null;
  let count = 0;

  const matches = (text) => filter.value === '' || text.toLowerCase().includes(filter.value.toLowerCase());
  const atBottom = () => view.scrollTop + view.clientHeight >= view.scrollHeight - 4;
  const toBottom = () => { view.scrollTop = view.scrollHeight; };

  function describe() {
    const shown = filter.value === '' ? count : view.querySelectorAll('.log-line:not([hidden])').length;
    const lines = `${count} line${count === 1 ? '' : 's'}`;
    status.textContent = filter.value === '' ? `${lines}, live` : `${shown} of ${lines} match, live`;
  }

  function append(lines) {
    const fragment = document.createDocumentFragment();
    for (const text of lines) {
      const line = document.createElement('div');
      line.className = 'log-line';
      line.textContent = text;
      line.hidden = !matches(text);
      fragment.append(line);
    }
    view.append(fragment);
    count += lines.length;
    while (view.childElementCount > MAX_LINES) { view.firstElementChild.remove(); count--; }
    if (follow.checked) toBottom();
  }

  function open(name) {
    close();
    agent = name;
    count = 0;
    nameBox.textContent = name;
    view.setAttribute('aria-label', `Logs of ${name}`);
    view.replaceChildren();
    filter.value = '';
    follow.checked = true;
    status.textContent = 'connecting…';
    dialog.showModal();
    filter.focus();
    stream = new EventSource(`/api/agents/${encodeURIComponent(name)}/logs?token=${encodeURIComponent(token)}`);
    stream.addEventListener('lines', (event) => {
      const { lines, initial } = JSON.parse(event.data);
      // A reconnect starts over with the tail: replace rather than repeat.
      if (initial) { view.replaceChildren(); count = 0; }
      append(lines);
      if (initial && count === 0) status.textContent = `The log of ${name} is empty so far; new lines appear here.`;
      else describe();
    });
    stream.addEventListener('missing', () => {
      view.replaceChildren();
      count = 0;
      status.textContent = `No log yet for ${name}: it has not printed anything since it was first started. New lines appear here.`;
    });
    stream.addEventListener('error', () => {
      status.textContent = stream.readyState === EventSource.CLOSED ? 'log stream closed; close and reopen the view' : 'reconnecting…';
    });
  }

  function close() {
    stream?.close();
    stream = null;
  }

  view.addEventListener('scroll', () => {
    // Scrolling up stops following; scrolling back to the bottom resumes it.
    if (follow.checked !== atBottom()) follow.checked = atBottom();
  });
  follow.addEventListener('change', () => { if (follow.checked) toBottom(); });
  filter.addEventListener('input', () => {
    for (const line of view.children) line.hidden = !matches(line.textContent);
    describe();
    if (follow.checked) toBottom();
  });
  document.getElementById('log-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    close();
    if (agent !== null) focusView('logs', agent);
  });

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-view="logs"]') : null;
    if (button) open(button.dataset.agent);
  });
})();
