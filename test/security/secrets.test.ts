/**
 * Planted secrets never reach an output: an env key that matches the secret
 * pattern, and one named under `secrets:`, are checked against every CLI
 * output (plan, apply, config, status, status --json, page, history, diff) and
 * every state file, revisions included, except secrets.json, the one private
 * file that holds the values (rollback needs them). A rollback must run the
 * old secret again.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, relative } from 'node:path';
import t from 'tap';
import { Project } from '../cli/project.js';
import { seqFixture } from '../reliability/helpers.js';

const TOKEN = 'tok-7f3a9c1e5b2d48aa';
const LISTED = 'listed-2c9e71d0b6f4';
const TOKEN2 = 'tok-second-91b0e2f7c3';

function manifest(token: string): string {
  return [
    'version: 1',
    'name: secrets',
    'secrets: [DB_URL]',
    'agents:',
    '  web:',
    `    command: ["node", "${seqFixture}", "1000"]`,
    '    stop: { timeout: 2s }',
    `    env: { API_TOKEN: "${token}", DB_URL: "${LISTED}", PLAIN: visible-value }`,
    '',
  ].join('\n');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? walk(path) : [path];
  });
}

t.test('secrets are masked in every output and state file', async (t) => {
  const p = new Project(t, manifest(TOKEN));
  const outputs: Record<string, string> = {};
  const run = async (label: string, ...args: string[]): Promise<void> => {
    const r = await p.cliAsync(...args);
    t.equal(r.code, 0, `${label} ran ${r.stderr}`);
    outputs[label] = r.stdout + r.stderr;
  };
  await run('plan (first)', 'plan');
  await run('apply', 'apply', '--yes');
  await run('config', 'config');
  await run('status', 'status');
  await run('status --json', 'status', '--json');
  await run('page', 'page');
  p.write(manifest(TOKEN2));
  await run('plan (secret changed)', 'plan');
  await run('plan --json', 'plan', '--json');
  await run('apply (secret changed)', 'apply', '--yes');
  await run('history', 'history');
  await run('diff 1 2', 'diff', '1', '2');

  t.match(outputs['config'], /visible-value/, 'a plain value is shown, so the check can see values at all');
  t.match(outputs['plan (secret changed)'], /API_TOKEN/, 'the plan names the changed secret key');
  for (const [label, text] of Object.entries(outputs)) {
    for (const secret of [TOKEN, TOKEN2, LISTED]) t.notOk(text.includes(secret), `${label}: no ${secret}`);
  }

  const files = walk(p.stateDir).filter((f) => !f.endsWith('.sock'));
  const store = join(p.stateDir, 'secrets.json');
  for (const file of files.filter((f) => f !== store)) {
    const text = readFileSync(file, 'utf8');
    for (const secret of [TOKEN, TOKEN2, LISTED]) t.notOk(text.includes(secret), `${relative(p.stateDir, file)}: no ${secret}`);
  }
  const revisions = files.filter((f) => f.includes(`${join(p.stateDir, 'revisions')}/`));
  t.ok(revisions.length >= 2, 'two revisions written');
  for (const f of revisions) {
    t.match(readFileSync(f, 'utf8'), /"API_TOKEN": "orchestra-secret:[0-9a-f]{32}"/, `${relative(p.stateDir, f)} holds a token in place of the value`);
    t.equal((statSync(f).mode & 0o777).toString(8), '600', `${relative(p.stateDir, f)} is 0600`);
  }
  const held = readFileSync(store, 'utf8');
  for (const secret of [TOKEN, TOKEN2, LISTED]) t.ok(held.includes(secret), `secrets.json holds ${secret}`);
  t.equal((statSync(store).mode & 0o777).toString(8), '600', 'secrets.json is 0600');

  // Rollback puts the old value back: the agent runs with the first token again.
  const rollback = await p.cliAsync('rollback', '1', '--yes');
  t.equal(rollback.code, 0, rollback.stderr);
  const environ = (): string => {
    try {
      return readFileSync(`/proc/${p.pids()['web']}/environ`, 'latin1');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  while (!environ().includes(`API_TOKEN=${TOKEN}\0`) && Date.now() < deadline) await sleep(200);
  t.ok(environ().includes(`API_TOKEN=${TOKEN}\0`), 'the rolled-back agent has the first token in its environment');
  t.ok(environ().includes(`DB_URL=${LISTED}\0`), 'and the listed secret');
  t.equal((statSync(join(p.stateDir, 'revisions')).mode & 0o777).toString(8), '700', 'revisions/ is 0700');
});
