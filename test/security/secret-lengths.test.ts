/**
 * One secrets rule everywhere: secrets of several lengths are planted in env,
 * on the command line, in a probe and in what the agent prints, and every
 * output is searched for them: validate, config, plan (text and JSON),
 * apply, status, page, history, diff, logs, export's warnings, the event
 * log and every state file but secrets.json. Values shorter than the rule's
 * minimum are still masked where they are the value of a secret key.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { MIN_MASKED_LENGTH } from '../../src/plan/secrets.js';
import { Project } from '../cli/project.js';

// Letters that no id, time or word of orchestra's output is likely to hold.
const HUNTED = { DB_PASSWORD: 'QxZ', LISTED_KEY: 'WvQk', API_TOKEN: 'Jq8ZrW2xKvPw', PRIVATE_URL: 'https://u:Zk3Xq9Vw7Rt2Yp5Hm8Lc@db.invalid/x' };
const SHORT = { ONE_SECRET: 'Q', TWO_SECRET: 'Zx' };

function manifest(token: string): string {
  const env = { ...HUNTED, API_TOKEN: token, ...SHORT, PLAIN: 'visible-value' };
  const print = 'for (const k of ["DB_PASSWORD","LISTED_KEY","API_TOKEN","PRIVATE_URL"]) console.log(k + "=" + process.env[k]); console.log("argv " + process.argv.slice(1).join(" ")); setInterval(() => {}, 1e9)';
  return [
    'version: 1',
    'name: lengths',
    'secrets: [LISTED_KEY]',
    'agents:',
    '  web:',
    `    command: ["node", "-e", ${JSON.stringify(print)}, "--", "--db=${HUNTED.DB_PASSWORD}", "--key", "${HUNTED.LISTED_KEY}", "--token=${token}"]`,
    '    stop: { timeout: 2s }',
    `    readiness: { exec: ["node", "-e", "process.exit(0)", "${token}"], interval: 100ms }`,
    `    env: ${JSON.stringify(env)}`,
    '',
  ].join('\n');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

t.test('secrets of every length at or above the minimum appear in no output', async (t) => {
  t.ok(Object.values(HUNTED).every((v) => v.length >= MIN_MASKED_LENGTH), 'the hunted secrets are long enough to be hunted');
  t.equal(HUNTED.DB_PASSWORD.length, MIN_MASKED_LENGTH, 'the shortest hunted secret is exactly the minimum');
  const second = 'Hy7TzW4nQv2K';
  const p = new Project(t, manifest(HUNTED.API_TOKEN));
  const outputs: Record<string, string> = {};
  const run = async (label: string, args: string[], keep: 'all' | 'stderr' = 'all'): Promise<string> => {
    const r = await p.cliAsync(...args);
    t.equal(r.code, 0, `${label} ran ${r.stderr}`);
    outputs[label] = keep === 'all' ? r.stdout + r.stderr : r.stderr;
    return r.stdout;
  };
  await run('validate', ['validate']);
  await run('config', ['config']);
  await run('config --json', ['config', '--json']);
  await run('plan', ['plan']);
  await run('plan --json', ['plan', '--json']);
  // export writes the values into the units on purpose (they must run); its warnings must not.
  await run('export compose (warnings)', ['export', 'compose', '--image', 'node:20'], 'stderr');
  await run('export systemd (warnings)', ['export', 'systemd'], 'stderr');
  await run('apply', ['apply', '--yes']);
  const logged = (): string => {
    try {
      return readFileSync(join(p.stateDir, 'logs', 'web.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  while (!logged().includes('argv ') && Date.now() < deadline) await sleep(100);
  t.ok(logged().includes(`API_TOKEN=${HUNTED.API_TOKEN}`), 'the agent printed its secrets (the log file itself is raw, 0600)');
  await run('logs', ['logs', 'web']);
  await run('status', ['status']);
  await run('status --json', ['status', '--json']);
  await run('page', ['page']);
  p.write(manifest(second));
  await run('plan (token changed)', ['plan']);
  await run('apply (token changed)', ['apply', '--yes']);
  await run('history', ['history']);
  await run('diff 1 2', ['diff', '1', '2']);

  t.match(outputs['config'], /visible-value/, 'a plain value is shown, so the search can see values at all');
  t.match(outputs['logs'], /API_TOKEN=\*\*\*/, 'logs show the mask where the agent printed a secret');
  t.match(outputs['plan (token changed)'], /--db=\*\*\*/, 'the plan masks the shortest hunted secret inside the command');
  t.match(outputs['export compose (warnings)'], /env: \{"DB_PASSWORD":"\*\*\*"/, 'warnings show the source line masked');
  const state = walk(p.stateDir).filter((f) => !f.endsWith('.sock') && !f.endsWith('secrets.json') && !f.includes('/logs/'));
  for (const file of state) outputs[relative(p.stateDir, file)] = readFileSync(file, 'utf8');
  t.ok(Object.keys(outputs).includes('events.jsonl'), 'the event log is searched');
  for (const [label, text] of Object.entries(outputs)) {
    const found = [...Object.values(HUNTED), second].filter((s) => text.includes(s));
    t.same(found, [], `${label}: no secret`);
  }
  const config = JSON.parse(outputs['config --json']!) as { agents: { web: { env: Record<string, string> } } };
  for (const key of Object.keys(SHORT)) t.equal(config.agents.web.env[key], '***', `config: short secret ${key} is masked as a value`);
  t.equal(config.agents.web.env['PLAIN'], 'visible-value');
});
