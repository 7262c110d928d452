/**
 * Agent names end up in paths (logs/<name>.log), so a hostile name must never
 * get that far: not through the manifest, not through `--set`, not through the
 * API. Each attempt must be refused and leave no file outside the state dir.
 */

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { foreverManifest, Project } from '../cli/project.js';
import { api } from '../reliability/helpers.js';

const HOSTILE = ['../x', '../../escape', 'a/b', '..', '.hidden', 'UPPER', 'x y', '%2e%2e'];

t.test('hostile names in the manifest are refused with a located error', async (t) => {
  for (const name of HOSTILE) {
    const p = new Project(t, `version: 1\nname: n\nagents:\n  "${name}":\n    command: ["node", "-e", "setInterval(()=>{},1e9)"]\n`);
    const r = p.cli('apply', '--yes');
    t.equal(r.code, 1, `"${name}" refused`);
    t.match(r.stderr, /orchestra\.yaml:4:\d+/, `"${name}": the error points at the line`);
    t.notOk(existsSync(join(p.stateDir, 'logs')), `"${name}": no logs folder made`);
  }
});

t.test('hostile names through --set are refused', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  for (const name of ['../x', '..', 'a/b', '.x']) {
    const r = p.cli('apply', '--yes', '--set', `agents.${name}.command=["node","-e","1"]`);
    t.equal(r.code, 1, `--set agents.${name} refused`);
    t.match(r.stderr, /<--set>/, `--set agents.${name}: the error names the argument`);
  }
  t.notOk(existsSync(p.stateDir) && existsSync(join(p.stateDir, 'state.json')), 'nothing applied');
  t.notOk(existsSync(join(p.dir, 'x.log')) || existsSync(join(p.dir, '..', 'x.log')), 'no log file outside the state dir');
});

t.test('hostile names through the API are refused and touch no path', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const socket = join(p.stateDir, 'daemon.sock');
  // The daemon writes status.html on its own schedule (seconds after the
  // apply's events), atomically through a temp file: neither is the API's doing.
  const own = (f: string): boolean => f === 'status.html' || f.includes('.tmp-');
  const listing = (dir: string): string[] => readdirSync(dir).filter((f) => !own(f)).sort();
  const before = listing(p.dir);
  const beforeState = listing(p.stateDir);
  for (const action of ['stop', 'start', 'restart']) {
    for (const name of ['../x', '../../../../tmp/orchestra-evil', '/etc/passwd', '..', 'a\u0000b']) {
      const r = await api(socket, 'POST', `/v1/agents/${action}`, JSON.stringify({ names: [name] }));
      t.ok(r.status >= 400 && r.status < 500, `${action} ${JSON.stringify(name)} → ${r.status}`);
    }
  }
  t.same(listing(p.dir), before, 'no file appeared next to the state dir');
  t.same(listing(p.stateDir), beforeState, 'no file appeared in the state dir');
  t.notOk(existsSync('/tmp/orchestra-evil.log'), 'no file written through ../');
  const ping = await api(socket, 'GET', '/v1/ping');
  t.equal(ping.status, 200, 'the daemon is still up');
});
