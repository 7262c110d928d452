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

t.test('the daemon rewrites .orchestra/status.html shortly after an event', async (t) => {
  const p = new Project(t, foreverManifest({ solo: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const file = join(p.dir, '.orchestra', 'status.html');
  const read = () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const until = async (f: () => boolean, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!f()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await until(() => /solo/.test(read()) && /running/.test(read()), 'page written after the apply');
  t.equal(p.cli('stop', 'solo').code, 0);
  await until(() => /stopped/.test(read()) && !/>running</.test(read()), 'page rewritten after the stop');
  t.pass('the page followed the stop');
});
