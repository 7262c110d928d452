import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { alive, foreverManifest, Project } from './project.js';

t.test('page renders the live fleet; dashboard serves it behind its token and controls it', async (t) => {
  const p = new Project(
    t,
    foreverManifest({ store: [], api: ['depends_on: { store: started }', 'env: { API_TOKEN: "s3cret-value-123" }'] }),
  );
  t.equal(p.cli('page').code, 3, 'no daemon yet: exit 3');
  t.equal(p.cli('apply', '--yes').code, 0);

  const page = p.cli('page', '-o', 'status.html');
  t.equal(page.code, 0, page.stderr);
  const html = readFileSync(join(p.dir, 'status.html'), 'utf8');
  t.match(html, /<!doctype html>/i);
  t.match(html, /store/);
  t.match(html, /api/);
  t.notMatch(html, /s3cret-value-123/, 'secrets masked');
  t.notMatch(html, /src="https?:/, 'no external assets');

  const dash = p.cli('dashboard', '--json');
  t.equal(dash.code, 0, dash.stderr);
  const { url } = JSON.parse(dash.stdout) as { url: string };
  const parsed = new URL(url);
  t.equal(parsed.hostname, '127.0.0.1');
  const token = parsed.searchParams.get('token')!;
  t.ok(token && token.length >= 32, 'a long random token');

  const withToken = await fetch(url);
  t.equal(withToken.status, 200);
  t.match(await withToken.text(), /store/);
  const without = await fetch(`${parsed.origin}/`);
  t.equal(without.status, 401);
  const noHeader = await fetch(`${parsed.origin}/api/agents/api/stop?token=${token}`, { method: 'POST' });
  t.equal(noHeader.status, 401, 'the query token is not enough to change anything');

  const before = p.pids();
  const stop = await fetch(`${parsed.origin}/api/agents/api/stop`, {
    method: 'POST',
    headers: { 'x-orchestra-token': token, 'content-type': 'application/json', origin: parsed.origin },
    body: '{}',
  });
  t.equal(stop.status, 200, await stop.clone().text());
  t.notOk(alive(before.api!), 'the api process is gone');
  t.ok(alive(before.store!), 'its dependency keeps running');
  const status = JSON.parse(p.cli('status', '--json').stdout) as { agents: { name: string; state: string }[] };
  t.equal(status.agents.find((a) => a.name === 'api')?.state, 'stopped');

  const again = p.cli('dashboard', '--json');
  t.equal((JSON.parse(again.stdout) as { url: string }).url, url, 'one dashboard per daemon');
  t.equal(p.cli('dashboard', '--port', 'x').code, 1);
});

t.test("the daemon's status.html is current when a command returns, and follows an agent's own exit shortly after", async (t) => {
  const p = new Project(t, foreverManifest({ solo: ['restart: { when: always, strategy: immediate }'] }));
  const file = join(p.dir, '.orchestra', 'status.html');
  const read = () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const card = () => /<li class="card[^"]*" data-agent="solo" data-state="(\w+)">[\s\S]*?<dt>PID<\/dt><dd>([^<]*)<[\s\S]*?<dt>Restarts<\/dt><dd>(\d+)</.exec(read())?.slice(1) ?? [];
  t.equal(p.cli('apply', '--yes').code, 0);
  t.same(card(), ['running', String(p.pids().solo), '0'], 'written before apply returned');
  t.equal(p.cli('stop', 'solo').code, 0);
  t.same(card()[0], 'stopped', 'and again before stop returned');
  t.equal(p.cli('start', 'solo').code, 0);
  const first = p.pids().solo!;
  t.same(card(), ['running', String(first), '0'], 'and start');

  // Not an operation: the page follows a few seconds after the events stop.
  process.kill(first, 'SIGKILL');
  const deadline = Date.now() + 30_000;
  while (card()[2] !== '1' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const [state, pid, restarts] = card();
  t.same([state, restarts], ['running', '1'], 'rewritten after the agent was killed and restarted');
  t.not(pid, String(first), 'with the new pid');
});
