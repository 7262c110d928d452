import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import fc from 'fast-check';
import type { StatusSnapshot } from '../../src/report/status-snapshot.js';
import { renderStatusPage, renderStatusRegion } from '../../src/report/status-page.js';

const fixture = (name: string): StatusSnapshot =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8')) as StatusSnapshot;

const FIXTURES = ['healthy', 'degraded', 'empty'] as const;

/** What handlebars turns a string into; written out here so the test does not trust the code under test. */
function escaped(text: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return text.replace(/[&<>"'`=]/g, (c) => map[c]!);
}

/** The markup of one agent card, found by its escaped data-agent attribute. */
function card(html: string, name: string): string {
  const start = html.indexOf(`<li class="card level-`);
  const marker = `data-agent="${escaped(name)}"`;
  let at = html.indexOf(marker, start);
  t.ok(at >= 0, `card for ${name} exists`);
  at = html.lastIndexOf('<li class="card', at);
  const end = html.indexOf('</li>\n', html.indexOf('<details class="more">', at));
  return html.slice(at, end);
}

const reEscape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const count = (text: string, needle: string): number => text.split(needle).length - 1;

t.test('every fixture renders a self-contained page', async (t) => {
  for (const name of FIXTURES) {
    for (const live of [undefined, { token: 'a'.repeat(64), nonce: 'bm9uY2U=' }]) {
      const html = renderStatusPage(fixture(name), live ? { live } : {});
      t.match(html, /^<!doctype html>/, `${name}: a document`);
      t.notMatch(html, /src="https?:/i, `${name}: no external src`);
      t.notMatch(html, /href="https?:/i, `${name}: no external href`);
      t.notMatch(html, /@import/, `${name}: no @import`);
      t.notMatch(html, /<link\b/i, `${name}: no <link>`);
      t.notMatch(html, /url\(\s*['"]?https?:/i, `${name}: no remote url() in CSS`);
      t.equal(count(html, '<style'), 1, `${name}: one inline stylesheet`);
      t.equal(count(html, '<script'), live ? 1 : 0, `${name}: script only on the live page`);
    }
  }
});

t.test('header shows project and revision', async (t) => {
  const html = renderStatusPage(fixture('healthy'));
  t.match(html, '<span class="project">research-fleet</span>');
  t.match(html, '#7');
  t.match(html, 'production');
  t.match(html, 'title="3f9c2a1d8e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a">3f9c2a1d8e</code>');
  t.notMatch(html, '>dirty<', 'clean tree has no dirty badge');
  t.match(renderStatusPage(fixture('degraded')), '>dirty</span>');
  t.match(renderStatusPage(fixture('empty')), 'nothing applied yet');
});

t.test('every agent has a card with its state in words and its figures', async (t) => {
  for (const name of ['healthy', 'degraded'] as const) {
    const snapshot = fixture(name);
    const html = renderStatusPage(snapshot);
    t.equal(count(html, '<li class="card level-'), snapshot.agents.length, `${name}: one card per agent`);
    for (const agent of snapshot.agents) {
      const c = card(html, agent.name);
      t.match(c, `<li class="card level-${agent.healthLevel}"`, `${agent.name}: health level class`);
      t.match(c, `<span class="state-word">${agent.state}</span>`, `${agent.name}: state in words`);
      t.match(c, `<svg class="ind ind-${agent.healthLevel}"`, `${agent.name}: shaped indicator`);
      t.match(c, `<dt>Restarts</dt><dd>${agent.restarts}</dd>`, `${agent.name}: restarts`);
      t.match(c, `<dt>Health</dt><dd>${Math.round(agent.health)} `, `${agent.name}: health score`);
      if (agent.pid !== undefined) t.match(c, `<dt>PID</dt><dd>${agent.pid}</dd>`, `${agent.name}: pid`);
      else t.match(c, '<dt>PID</dt><dd>—</dd>', `${agent.name}: no pid`);
      const lines = count(c, '<polyline class="spark-line"');
      const expected = (agent.history.cpuPercent.length > 1 ? 1 : 0) + (agent.history.rssBytes.length > 1 ? 1 : 0);
      t.equal(lines, expected, `${agent.name}: sparklines for the history it has`);
      t.equal(count(c, '<li class="alert alert-'), agent.alerts.length, `${agent.name}: every alert`);
      if (agent.lastExit) t.match(c, 'class="last-exit"', `${agent.name}: last exit`);
      if (agent.reason) t.match(c, `<p class="reason">${escaped(agent.reason)}</p>`, `${agent.name}: reason`);
    }
  }
});

t.test('figures are formatted for people', async (t) => {
  const html = renderStatusPage(fixture('healthy'));
  const redis = card(html, 'redis');
  t.match(redis, '<dt>CPU</dt><dd>3.2%</dd>');
  t.match(redis, '<dt>Memory</dt><dd>17.6MiB</dd>');
  t.match(redis, '<dt>Uptime</dt><dd>1h58m</dd>');
  const api = card(html, 'api-0');
  t.match(api, 'signal SIGTERM');
  t.match(api, 'config change: env.PORT');
  t.match(card(html, 'migrate'), 'exit 0');
  t.match(card(html, 'migrate'), '<span class="tag">oneshot</span>');
});

t.test('the dependency graph has one node per agent and one edge per dependency', async (t) => {
  for (const name of ['healthy', 'degraded'] as const) {
    const snapshot = fixture(name);
    const html = renderStatusPage(snapshot);
    const nodes = snapshot.graph.levels.flat();
    t.equal(count(html, '<g class="node level-'), nodes.length, `${name}: nodes`);
    for (const node of nodes) {
      t.match(html, new RegExp(`<g class="node level-[a-z]+" data-agent="${reEscape(escaped(node))}">\\s*<title>`), `node ${node}`);
    }
    t.equal(count(html, '<g class="edge'), snapshot.graph.edges.length, `${name}: edges`);
    t.equal(count(html, '<g class="edge edge-restart"'), snapshot.graph.edges.filter((e) => e.restart).length, `${name}: restart edges styled apart`);
    for (const e of snapshot.graph.edges) {
      t.match(html, `<g class="edge${e.restart ? ' edge-restart' : ''}" data-from="${e.from}" data-to="${e.to}">`, `${e.from} -> ${e.to}`);
    }
    t.match(html, '>completed</text>', 'edge labelled with its condition');
    t.match(html, '>ready ↻</text>', 'restart edge labelled');
  }
  t.notMatch(renderStatusPage(fixture('empty')), '<svg class="graph"', 'no graph without agents');
});

t.test('a fleet where no agent depends on another gets a sentence, not a column of every agent', async (t) => {
  const snapshot = fixture('healthy');
  const independent = { ...snapshot, graph: { levels: [snapshot.graph.levels.flat()], edges: [] } };
  const html = renderStatusPage(independent);
  t.notMatch(html, '<svg class="graph"', 'no graph');
  t.equal(count(html, '<g class="node level-'), 0, 'no nodes');
  t.match(html, /<h2 id="graph-h">Dependencies<\/h2>\s*<p class="empty">No agent depends on another.<\/p>/, 'the section says why');
  t.equal(count(html, '<li class="card'), snapshot.agents.length, 'every agent still has its card');
});

t.test('recent events, newest first', async (t) => {
  const snapshot = fixture('healthy');
  const html = renderStatusPage(snapshot);
  const positions = snapshot.events.map((e) => html.indexOf(`<span class="event-msg">${escaped(e.message)}</span>`));
  t.ok(positions.every((p) => p > 0), 'every event shown');
  t.same([...positions].sort((a, b) => b - a), positions, 'the last event of the snapshot comes first');
});

t.test('the empty fleet says so', async (t) => {
  const html = renderStatusPage(fixture('empty'));
  t.match(html, 'No agents.');
  t.match(html, 'No events yet.');
  t.equal(count(html, '<li class="card'), 0);
});

const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '"><svg onload=alert(1)>'];

t.test('user text is escaped everywhere, SVG included', async (t) => {
  const snapshot = fixture('degraded');
  for (const html of [renderStatusPage(snapshot), renderStatusPage(snapshot, { live: { token: 'b'.repeat(64), nonce: 'x' } })]) {
    for (const payload of PAYLOADS) {
      t.notMatch(html, payload, `raw ${payload} absent`);
      t.notMatch(html, payload.replace('"', ''), `raw ${payload} without its quote absent`);
    }
    t.notMatch(html, /<img\b/i, 'no injected img element');
    t.notMatch(html, /\sonerror=/i, 'no event handler attribute');
    t.notMatch(html, /\sonload=/i, 'no event handler attribute');
    // project name, command, description, reason, alert, last exit, event message, agent-less event
    t.match(html, `<span class="project">fleet ${escaped(PAYLOADS[0]!)}</span>`, 'project name');
    t.match(html, `<p class="desc">${escaped(PAYLOADS[0]!)}</p>`, 'description');
    t.match(html, `<p class="desc">Cache ${escaped(PAYLOADS[1]!)}</p>`, 'description with a quote');
    t.match(html, escaped(`redis-server '<script>alert(1)</script>'`), 'command');
    t.match(html, `exit code 2 ${escaped(PAYLOADS[1]!)}`, 'reason');
    t.match(html, `memory 505.4MiB &gt; 512MiB for 10s ${escaped(PAYLOADS[0]!)}`, 'alert message');
    t.match(html, `<span class="event-msg">agent-less ${escaped(PAYLOADS[1]! + PAYLOADS[0]!)}</span>`, 'agent-less event');
    t.match(html, `staging${escaped(PAYLOADS[1]!)}`, 'environment');
    t.match(html, `<p class="rev-summary">${escaped(PAYLOADS[0]!)}</p>`, 'revision summary');
    // inside SVG: node title, node text, edge attributes
    const evil = 'probe"><svg onload=alert(1)>';
    t.match(html, new RegExp(`<g class="node level-green" data-agent="${reEscape(escaped(evil))}">\\s*<title>${reEscape(escaped(evil))}: stopped</title>`), 'SVG attribute and title');
    t.match(html, `<text class="node-name" x="`, 'node text present');
    t.match(html, `>${escaped('probe"><svg onload=…')}</text>`, 'SVG text, shortened then escaped');
    t.match(html, `data-project="fleet ${escaped(PAYLOADS[0]!)}"`, 'body attribute');
  }
});

t.test('live controls appear only on the dashboard', async (t) => {
  const snapshot = fixture('healthy');
  const page = renderStatusPage(snapshot);
  t.notMatch(page, 'data-action=');
  t.notMatch(page, '<dialog');
  t.notMatch(page, 'orchestra-token');
  const token = 'c'.repeat(64);
  const live = renderStatusPage(snapshot, { live: { token, nonce: 'abc123' } });
  t.match(live, `<meta name="orchestra-token" content="${token}">`);
  t.match(live, '<style nonce="abc123">');
  t.match(live, '<script nonce="abc123">');
  for (const action of ['start-all', 'stop-all', 'restart-all', 'kill']) t.match(live, `data-action="${action}"`);
  for (const agent of snapshot.agents) {
    for (const verb of ['start', 'stop', 'restart']) t.match(live, `data-action="${verb}" data-agent="${agent.name}"`);
  }
  t.match(card(live, 'redis'), 'data-action="start" data-agent="redis" disabled', 'Start is disabled on a running agent');
  t.match(card(live, 'migrate'), 'data-action="stop" data-agent="migrate" disabled', 'Stop is disabled on an exited agent');
  t.notMatch(live, 'data-action="reload"', 'no Reload button for agents without `reload`');
  const withReload = structuredClone(snapshot);
  withReload.agents.find((a) => a.name === 'redis')!.reloadable = true;
  withReload.agents.find((a) => a.name === 'migrate')!.reloadable = true;
  const reloadable = renderStatusPage(withReload, { live: { token, nonce: 'abc123' } });
  t.match(card(reloadable, 'redis'), /data-action="reload" data-agent="redis">Reload</, 'Reload on a running agent that has one');
  t.match(card(reloadable, 'migrate'), 'data-action="reload" data-agent="migrate" disabled', 'disabled when not running');
  t.equal(count(live, '<dialog'), 5, 'confirmation, emergency stop, diff, agent detail and log view dialogs');
  t.notMatch(live, /\sstyle="/, 'no style attributes, which a nonce-based CSP would block');
  t.notMatch(live, /\son[a-z]+="/, 'no inline event handlers, which CSP would block');
});

t.test('the region is the part of the page that changes', async (t) => {
  const snapshot = fixture('degraded');
  const region = renderStatusRegion(snapshot, { live: { token: 'd'.repeat(64) } });
  const page = renderStatusPage(snapshot, { live: { token: 'd'.repeat(64) } });
  t.ok(page.includes(region.trim()), 'the page embeds the region verbatim');
  t.notMatch(region, '<script');
});

t.test('templates never use triple-stash', async (t) => {
  const dir = new URL('../../templates/status/', import.meta.url);
  const files = ['page.hbs', ...readdirSync(new URL('partials/', dir)).map((f) => `partials/${f}`)];
  for (const f of files) t.notMatch(readFileSync(new URL(f, dir), 'utf8'), '{{{', f);
});

t.test('any text in user fields adds no markup (property)', async (t) => {
  const base = fixture('degraded');
  const markup = (html: string): number[] => ['<', '>', '"', "'", '='].map((c) => count(html, c));
  const withText = (text: string): StatusSnapshot => {
    const s = structuredClone(base);
    s.agents[0]!.description = text;
    s.agents[0]!.reason = text;
    s.agents[0]!.command = [text];
    s.events[0]!.message = text;
    s.revision!.summary = text;
    return s;
  };
  const reference = markup(renderStatusPage(withText('x')));
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('<', '>', '"', "'", '=', '&', '/', 'a', ' ', '`'), minLength: 1 }), (text) => {
      t.strictSame(markup(renderStatusPage(withText(text))), reference);
    }),
    { numRuns: 60 },
  );
});
