import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { alive, fixtureAgents, Project } from './project.js';

async function logHas(file: string, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let content = '';
    try {
      content = readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    if (content.includes(text)) return;
    if (Date.now() > deadline) throw new Error(`no "${text}" in ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The agent reads app.conf at start and again on SIGHUP.
const script = `trap 'echo "reloaded with $(cat app.conf)"' HUP; echo "started with $(cat app.conf)"; while :; do sleep 1 & wait $!; done`;

function manifest(extraWeb: string[] = []): string {
  return [
    'version: 1',
    'name: test',
    'agents:',
    '  web:',
    `    command: ${JSON.stringify(script)}`,
    '    shell: true',
    '    stop: { timeout: 2s }',
    '    reload: { signal: SIGHUP, on_change: [app.conf] }',
    ...extraWeb.map((l) => `    ${l}`),
    '  plain:',
    `    command: ["node", "${fixtureAgents}forever.js"]`,
    '    stop: { timeout: 2s }',
    '',
  ].join('\n');
}

t.test('a change to a reload.on_change file is planned and applied as a reload; orchestra reload works by hand', async (t) => {
  const p = new Project(t, manifest());
  writeFileSync(join(p.dir, 'app.conf'), 'v1');
  const log = join(p.stateDir, 'logs', 'web.log');
  t.equal(p.cli('apply', '--yes').code, 0);
  await logHas(log, 'started with v1');
  const pid = p.pids().web!;

  writeFileSync(join(p.dir, 'app.conf'), 'v2');
  const plan = p.cli('plan');
  t.match(plan.stdout, /~ web \(reload\)/);
  t.match(plan.stdout, /reload\.on_change: \["app\.conf sha256:[0-9a-f]{12}"\] -> \["app\.conf sha256:[0-9a-f]{12}"\]/);
  t.match(plan.stdout, /Plan: 1 to reload\./);
  t.notMatch(plan.stdout, /plain/, 'the other agent is untouched');

  const applied = p.cli('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  await logHas(log, 'reloaded with v2');
  t.equal(p.pids().web, pid, 'the pid is kept');
  t.match(p.cli('plan').stdout, /No changes/);

  writeFileSync(join(p.dir, 'app.conf'), 'v3');
  const byHand = p.cli('reload', 'web');
  t.equal(byHand.code, 0, byHand.stderr);
  t.match(byHand.stdout, 'reloaded: web');
  await logHas(log, 'reloaded with v3');
  t.equal(p.pids().web, pid);

  const status = JSON.parse(p.cli('status', '--json').stdout) as { agents: { name: string; restarts: number }[] };
  t.equal(status.agents.find((a) => a.name === 'web')?.restarts, 0, 'reloads are not restarts');

  const refused = p.cli('reload', 'plain');
  t.equal(refused.code, 1);
  t.match(refused.stderr, 'plain not reloaded: it has no `reload`');
  const unknown = p.cli('reload', 'nope');
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /unknown agent "nope"/);
  const all = p.cli('reload', '--all', '--json');
  t.equal(all.code, 0, all.stderr);
  t.same(JSON.parse(all.stdout), { ok: true, action: 'reload', agents: ['web'], reloaded: ['web'], failed: [] });

  // A change to the command as well: a restart, not a reload.
  writeFileSync(join(p.dir, 'app.conf'), 'v4');
  p.write(manifest(['env: { X: "1" }']));
  const restart = p.cli('plan');
  t.match(restart.stdout, /-\/\+ web \(forces restart\)/);
  t.equal(p.cli('apply', '--yes').code, 0);
  t.not(p.pids().web, pid, 'a new process');
  t.notOk(alive(pid));
});
