/**
 * Secrets in imported files: env values of several lengths are planted in a
 * process-compose file, a PM2 ecosystem file and a supervisord.conf, and
 * every output of `orchestra import` is searched for them (stdout, stderr,
 * --json, the written orchestra.yaml), with a warning whose source line holds
 * a secret. Only `.env` (0600) may hold the values, and the imported fleet,
 * run for real, gets them back exactly.
 */

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseDotenv } from 'dotenv';
import t from 'tap';
import type * as Tap from 'tap';
import { MIN_MASKED_LENGTH } from '../../src/plan/secrets.js';
import { Project } from '../cli/project.js';
import { runCli } from '../cli/run-cli.js';

// Letters that no id, path or word of orchestra's output is likely to hold.
const HUNTED = { DB_PASSWORD: 'QxZ', API_TOKEN: 'Jq8ZrW2xKvPw', PRIVATE_URL: 'https://u:Zk3Xq9Vw7Rt2Yp5Hm8Lc@db.invalid/x', SESSION_SECRET: 'Wv$Qk' };
const KEYS = Object.keys(HUNTED) as (keyof typeof HUNTED)[];
const AGENT = `for (const k of ${JSON.stringify(KEYS)}) console.log(k + "=" + process.env[k]); console.log("argv " + process.argv.slice(2).join(" ")); setInterval(() => {}, 1e9);`;

const processCompose = [
  'version: "0.5"',
  'processes:',
  '  web:',
  `    command: node agent.js --token=${HUNTED.API_TOKEN}`,
  '    environment:',
  // process-compose expands `$NAME` in environment values; `$$` is a literal `$`.
  ...KEYS.map((k) => `      - "${k}=${HUNTED[k].replace(/\$/g, '$$$$')}"`),
  '      - "PLAIN=visible-value"',
  '    shutdown: { timeout_seconds: 2 }',
  // A warning located on a line that holds a secret: the quoted line must show it masked.
  `  side: { command: "sleep 1000", environment: [ "API_TOKEN=${HUNTED.API_TOKEN}" ], is_tty: true }`,
  '',
].join('\n');

const pm2 = JSON.stringify({ apps: [{ name: 'web', script: 'agent.js', env: { ...HUNTED, PLAIN: 'visible-value' }, watch: true }] }) + '\n';

const supervisord = [
  '[program:web]',
  `command=node agent.js --token=${HUNTED.API_TOKEN}`,
  `environment=${KEYS.map((k) => `${k}="${HUNTED[k].replace(/%/g, '%%')}"`).join(',')},PLAIN="visible-value"`,
  'stdout_logfile_maxbytes=1MB',
  '',
].join('\n');

function hunt(t: Tap.Test, label: string, text: string): void {
  t.same(Object.values(HUNTED).filter((s) => text.includes(s)), [], `${label}: no secret`);
}

t.test('no output of the import shows a secret; .env holds them; the fleet gets them back', async (t) => {
  t.ok(Object.values(HUNTED).every((v) => v.length >= MIN_MASKED_LENGTH), 'the hunted secrets are long enough to be hunted in other text');
  for (const [format, file, text] of [
    ['process-compose', 'process-compose.yaml', processCompose],
    ['pm2', 'ecosystem.config.json', pm2],
    ['supervisord', 'supervisord.conf', supervisord],
  ] as const) {
    await t.test(format, async (t) => {
      const p = new Project(t);
      writeFileSync(join(p.dir, file), text);
      writeFileSync(join(p.dir, 'agent.js'), AGENT);
      const printed = runCli(['import', format, file], { cwd: p.dir });
      t.equal(printed.code, 0, printed.stderr);
      hunt(t, 'stdout', printed.stdout);
      hunt(t, 'stderr', printed.stderr);
      t.match(printed.stdout, /API_TOKEN: \$\{API_TOKEN\}/, 'the printed manifest refers to the secret');
      t.match(printed.stderr, /secret values left out: the manifest refers to .*\$\{API_TOKEN\}/);
      const json = runCli(['import', format, file, '--json'], { cwd: p.dir });
      t.equal(json.code, 0, json.stderr);
      hunt(t, '--json', json.stdout + json.stderr);
      t.match(JSON.parse(json.stdout), { ok: true, secrets: [{ key: 'DB_PASSWORD', variable: 'DB_PASSWORD' }] });

      const written = runCli(['import', format, file, '-o', 'orchestra.yaml'], { cwd: p.dir });
      t.equal(written.code, 0, written.stderr);
      hunt(t, 'stderr with -o', written.stdout + written.stderr);
      t.match(written.stderr, /secret values moved to \.env \(keep it out of version control\): .*API_TOKEN/);
      const manifest = readFileSync(p.manifest, 'utf8');
      hunt(t, 'orchestra.yaml', manifest);
      t.match(manifest, /visible-value/, 'a plain value is written, so the search can see values at all');
      const dotenv = join(p.dir, '.env');
      t.equal(statSync(dotenv).mode & 0o777, 0o600, '.env is readable by its owner only');
      t.match(parseDotenv(readFileSync(dotenv, 'utf8')), HUNTED, '.env holds the exact values');
      if (format === 'process-compose') t.match(written.stderr, /is_tty: true[^\n]*\n/, 'a warning quotes the line');
      if (format === 'process-compose') t.match(written.stderr, /API_TOKEN=\*\*\*/, 'the quoted line shows the secret masked');

      const again = runCli(['import', format, file, '-o', 'orchestra.yaml'], { cwd: p.dir });
      t.equal(again.code, 0, again.stderr);
      t.equal(readFileSync(dotenv, 'utf8').split(HUNTED.API_TOKEN).length, 2, 'a second import adds nothing to .env');

      const applied = await p.cliAsync('apply', '--yes');
      t.equal(applied.code, 0, applied.stderr);
      hunt(t, 'apply', applied.stdout + applied.stderr);
      const log = (): string => {
        try {
          return readFileSync(join(p.stateDir, 'logs', 'web.log'), 'utf8');
        } catch {
          return '';
        }
      };
      const deadline = Date.now() + 60_000;
      while (!log().includes('argv ') && Date.now() < deadline) await sleep(100);
      for (const k of KEYS) t.match(log(), `${k}=${HUNTED[k]}\n`, `the agent got ${k} exactly`);
      if (format !== 'pm2') t.match(log(), `argv --token=${HUNTED.API_TOKEN}`, 'the token on the command line too');
    });
  }
});
