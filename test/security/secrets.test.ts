/**
 * Planted secrets never reach an output: an env key that matches the secret
 * pattern, and one named under `secrets:`, are checked against every CLI
 * output (plan, apply, config, status, status --json, page, history, diff) and
 * every state file except revisions/. Revisions hold the resolved Plan, which
 * rollback needs; the test records whether the secret is there in clear text
 * and checks that those files at least are private.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
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
  const revisions = files.filter((f) => f.includes(`${join(p.stateDir, 'revisions')}/`));
  for (const file of files.filter((f) => !revisions.includes(f))) {
    const text = readFileSync(file, 'utf8');
    for (const secret of [TOKEN, TOKEN2, LISTED]) t.notOk(text.includes(secret), `${relative(p.stateDir, file)}: no ${secret}`);
  }
  t.ok(revisions.length >= 2, 'two revisions written');
  const clear = revisions.filter((f) => readFileSync(f, 'utf8').includes(TOKEN) || readFileSync(f, 'utf8').includes(TOKEN2));
  // Known and accepted for now: rollback needs the real values. See docs/reliability.md, "Secrets in revisions".
  t.comment(`revisions holding a secret in clear text: ${clear.map((f) => relative(p.stateDir, f)).join(', ') || 'none'}`);
  for (const f of revisions) t.equal((statSync(f).mode & 0o777).toString(8), '600', `${relative(p.stateDir, f)} is 0600`);
  t.equal((statSync(join(p.stateDir, 'revisions')).mode & 0o777).toString(8), '700', 'revisions/ is 0700');
});
