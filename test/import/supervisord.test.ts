import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { globFiles } from '../../src/cli/import.js';
import { importSupervisord } from '../../src/import/supervisord.js';
import { keyValuePairs, shlexSplit } from '../../src/import/python-words.js';
import { writeManifest } from '../../src/import/write-manifest.js';
import { fixtures, located, readText, writeAndLoad } from './helpers.js';

const peers = path.join(fixtures, 'supervisord');
const own = path.join(fixtures, 'own', 'supervisord');
const update = process.env['ORCHESTRA_UPDATE_GOLDEN'] === '1';

function importConf(file: string, outDir: string) {
  return importSupervisord({ file, text: readFileSync(file, 'utf8'), outDir, readText, glob: globFiles });
}

function confFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? confFiles(p) : name.endsWith('.conf') ? [p] : [];
  });
}

t.test('every supervisord fixture imports without a crash into a manifest orchestra accepts', async (t) => {
  const files = confFiles(peers);
  t.equal(files.length, 15);
  for (const file of files) {
    const dir = t.testdir({});
    const result = importConf(file, dir);
    for (const d of result.diagnostics) t.ok(d.location?.file, `${path.basename(file)}: ${d.message} is located`);
    t.ok(result.draft, `${path.basename(file)} imports`);
    const { errors } = await writeAndLoad(result, dir, { HOME: '/root' });
    t.same(located(errors, dir), [], `${path.basename(file)} validates`);
  }
});

t.test('%(ENV_X)s takes [supervisord] environment before the process environment (issue 1170)', async (t) => {
  const dir = t.testdir({});
  const m = parse((await writeAndLoad(importConf(path.join(peers, 'issue-1170a.conf'), dir), dir)).text);
  t.same(m.agents.echo.command, ['bash', '-c', "echo 'set from [supervisord] section'"]);
  t.same(m.agents.echo.restart, { when: 'never', max_attempts: 1, reset_after: '0s' });
  t.same(m.defaults.env, { FOO: 'set from [supervisord] section' });
  const c = importConf(path.join(peers, 'issue-1170c.conf'), dir);
  t.same(located(c.diagnostics, peers), ['issue-1170c.conf:8:1 warning: [eventlistener:echo] is not imported: orchestra has no event listeners']);
});

t.test('fixtures field by field: %(here)s, startretries, autorestart, include', async (t) => {
  const dir = t.testdir({});
  const m733 = parse((await writeAndLoad(importConf(path.join(peers, 'issue-733.conf'), dir), dir)).text);
  t.same(m733.agents.nonexistent.command, [path.join(peers, 'nonexistent')], '%(here)s is the folder of the file');
  const m836 = parse((await writeAndLoad(importConf(path.join(peers, 'issue-836.conf'), dir), dir)).text);
  t.same(m836.agents.cat, { command: ['/bin/cat'], restart: { when: 'never', max_attempts: 1 } });
  const sample = parse((await writeAndLoad(importConf(path.join(peers, 'sample.conf'), dir), dir)).text);
  t.same(sample.agents, {}, 'the sample has only commented-out programs');
  const include = importConf(path.join(peers, 'include.conf'), dir);
  t.same(include.diagnostics, [], 'example/included.conf is read');
});

t.test('own configuration from the docs: golden and field by field', async (t) => {
  const result = importConf(path.join(own, 'supervisord.conf'), own);
  const text = writeManifest(result.draft!);
  const golden = path.join(import.meta.dirname, 'golden', 'supervisord.yaml');
  if (update) writeFileSync(golden, text);
  t.equal(text, readFileSync(golden, 'utf8'));
  const m = parse(text);
  t.same(m.agents.web, {
    command: ['/usr/bin/python3', '-m', 'http.server', '8{{add 1 replica.index}}', '--bind', '127.0.0.1'],
    cwd: 'app',
    env: { PORT: '8{{add 1 replica.index}}', APP_ENV: 'eu-west' },
    user: 'www-data',
    replicas: 3,
    priority: 899,
    restart: { when: 'always', max_attempts: 11, reset_after: '5s' },
    stop: { signal: 'SIGINT', timeout: '30s', mode: 'group' },
    logs: { max_size: '1MiB', keep: 5 },
  });
  t.same(m.agents.worker, { command: ['node', 'worker.js', '--region=eu-west', '--home=${HOME}', '--verbose'], disabled: true, stop: { signal: 'SIGWINCH' } });
  t.same(m.agents.cron, { command: ['/usr/sbin/cron', '-f'], restart: { when: 'never', reset_after: '0s' } }, 'from conf.d/*.conf');
  t.same(located(result.diagnostics, own).map((l) => l.replace(/: .*/, '')), [
    'supervisord.conf:35:1 warning',
    'supervisord.conf:21:1 warning',
    'supervisord.conf:8:13 warning',
    'supervisord.conf:9:1 warning',
    'supervisord.conf:33:1 warning',
    'supervisord.conf:30:1 warning',
    'supervisord.conf:39:1 warning',
  ]);
  const dir = t.testdir({ app: {} });
  t.same((await writeAndLoad(importConf(path.join(own, 'supervisord.conf'), dir), dir, { HOME: '/root' })).errors, []);
});

t.test('located errors: unknown expansion, unclosed quote, bad syntax', async (t) => {
  const dir = t.testdir({
    'a.conf': '[program:a]\ncommand=run %(nope)s\n[program:b]\ncommand=echo "unclosed\n[program:c]\n',
    'b.conf': 'key=value before any section\n',
  });
  const a = importConf(path.join(dir, 'a.conf'), dir);
  t.equal(a.draft, undefined);
  t.same(located(a.diagnostics, dir), [
    'a.conf:2:9 error: [program:a] command: `%(nope)s` names nothing supervisord can expand here',
    'a.conf:4:9 error: [program:b]: `command` cannot be split into words (an unclosed quote?)',
    'a.conf:5:1 error: [program:c] has no `command` (supervisord refuses it too)',
  ]);
  const b = importConf(path.join(dir, 'b.conf'), dir);
  t.same(located(b.diagnostics, dir), ['b.conf:1:1 error: an option before the first `[section]` header']);
});

t.test('shlex and key=value lists', async (t) => {
  t.same(shlexSplit(`a "b c" 'd e' f\\ g "h\\"i"`), ['a', 'b c', 'd e', 'f g', 'h"i']);
  t.equal(shlexSplit('a "b'), undefined);
  t.same(keyValuePairs('A="1,2",B=x, C=\'y z\''), [['A', '1,2'], ['B', 'x'], ['C', 'y z']]);
  t.equal(keyValuePairs('novalue'), undefined);
});
