import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { importProcfile } from '../../src/import/procfile.js';
import { writeManifest } from '../../src/import/write-manifest.js';
import { runCli } from '../cli/run-cli.js';
import { fixtures, importFile, located, upUntil, writeAndLoad } from './helpers.js';

const own = path.join(fixtures, 'own', 'procfile');
const update = process.env['ORCHESTRA_UPDATE_GOLDEN'] === '1';

t.test('a Procfile from the docs: field by field, golden, warnings', async (t) => {
  const result = importFile(importProcfile, path.join(own, 'Procfile'), own);
  const text = writeManifest(result.draft!);
  const golden = path.join(import.meta.dirname, 'golden', 'Procfile.yaml');
  if (update) writeFileSync(golden, text);
  t.equal(text, readFileSync(golden, 'utf8'));
  const m = parse(text);
  t.same(m.defaults, { restart: { when: 'never' }, stop: { mode: 'main', timeout: '5s' }, env_file: '.env' });
  t.same(m.agents.web, { command: 'bundle exec rails server -p $PORT', shell: true, env: { PORT: '7000', PS: 'web.1' } }, '$PORT is left to the shell, PORT from the .env base');
  t.same(m.agents.worker.command, ['bundle', 'exec', 'rake', 'jobs:work']);
  t.equal(m.agents.worker.env.PORT, '7100', '+100 per line');
  t.equal(m.agents.clock.command, 'node clock.js --tz=$${TZ:-UTC} >> log/clock.log 2>&1', 'the shell, not orchestra, expands ${TZ:-UTC}');
  t.equal(m.agents.urgent_worker.env.PS, 'Urgent_Worker.1');
  t.same(m.agents['worker-2'].command, ['./bin/second-worker']);
  t.same(located(result.diagnostics, own), [
    'Procfile:7:1 warning: not a `name: command` line; foreman ignores it, and so does the import',
    'Procfile:9:1 warning: process type `worker` is declared again; foreman runs both, so this line becomes agent `worker-2`',
  ]);
  const dir = t.testdir({ '.env': 'PORT=7000\n' });
  const written = await writeAndLoad(importFile(importProcfile, path.join(own, 'Procfile'), dir), dir);
  t.same(written.errors, []);
});

t.test('a file with no process line is a located error', async (t) => {
  const dir = t.testdir({ Procfile: '# nothing\n\n' });
  const result = importFile(importProcfile, path.join(dir, 'Procfile'), dir);
  t.equal(result.draft, undefined);
  t.same(located(result.diagnostics, dir), ['Procfile:1:1 error: no `name: command` lines: nothing to import']);
});

t.test('PORT and PS reach the processes, as under foreman (real processes)', async (t) => {
  const dir = t.testdir({ Procfile: 'first: echo "port=$PORT ps=$PS"\nsecond: echo "port=$PORT ps=$PS"\n' });
  const imported = runCli(['import', 'procfile', 'Procfile', '-o', 'orchestra.yaml'], { cwd: dir });
  t.equal(imported.code, 0, imported.stderr);
  await upUntil(t, dir, [/first\s+\| ▶ exited/, /second\s+\| ▶ exited/]);
  t.equal(readFileSync(path.join(dir, '.orchestra', 'logs', 'first.log'), 'utf8'), 'port=5000 ps=first.1\n');
  t.equal(readFileSync(path.join(dir, '.orchestra', 'logs', 'second.log'), 'utf8'), 'port=5100 ps=second.1\n');
});
