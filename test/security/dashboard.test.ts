/**
 * The live dashboard, started with `orchestra dashboard --json` against a
 * real daemon, answers nothing but its favicon without the access token: no
 * status, no page, no controls. With the token it works, and it does not leak
 * a planted secret either.
 */

import t from 'tap';
import { Project } from '../cli/project.js';
import { seqFixture } from '../reliability/helpers.js';

const SECRET = 'dash-secret-6b1f0c93ae';

t.test('dashboard refuses requests without its token', async (t) => {
  const p = new Project(
    t,
    ['version: 1', 'name: dash', 'agents:', '  a:', `    command: ["node", "${seqFixture}", "1000"]`, `    env: { MY_PASSWORD: "${SECRET}" }`, ''].join('\n'),
  );
  t.equal(p.cli('apply', '--yes').code, 0);
  const r = p.cli('dashboard', '--json');
  t.equal(r.code, 0, r.stderr);
  const { url } = JSON.parse(r.stdout) as { url: string };
  const u = new URL(url);
  const token = u.searchParams.get('token') ?? '';
  t.ok(token.length >= 32, 'the URL carries a long token');
  t.equal(u.hostname, '127.0.0.1', 'bound to loopback');
  const base = `${u.protocol}//${u.host}`;

  const refused = async (label: string, path: string, init: RequestInit = {}): Promise<void> => {
    const res = await fetch(base + path, init);
    await res.text();
    t.ok(res.status === 401 || res.status === 403, `${label} → ${res.status}`);
  };
  await refused('page without token', '/');
  await refused('page with a wrong token', `/?token=${'0'.repeat(64)}`);
  await refused('status without token', '/api/status');
  await refused('status with the token in the query only', `/api/status?token=${token}`);
  await refused('status with a wrong header', '/api/status', { headers: { 'x-orchestra-token': 'f'.repeat(64) } });
  await refused('events without token', '/api/events');
  await refused('stop without token', '/api/agents/a/stop', { method: 'POST' });
  await refused('kill without token', '/api/kill', { method: 'POST' });
  await refused('stop all with a short token', '/api/all/stop', { method: 'POST', headers: { 'x-orchestra-token': token.slice(0, 10) } });

  const status = await fetch(base + '/api/status', { headers: { 'x-orchestra-token': token } });
  t.equal(status.status, 200, 'status with the token header');
  const body = await status.text();
  t.match(body, /"name":"a"/, 'the status names the agent');
  t.notOk(body.includes(SECRET), 'no secret in the dashboard status');
  const page = await fetch(`${base}/?token=${token}`);
  t.equal(page.status, 200, 'the page with its token');
  t.notOk((await page.text()).includes(SECRET), 'no secret in the dashboard page');
  t.ok(p.pids()['a'], 'the refused stop and kill did nothing');
});
