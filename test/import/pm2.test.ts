import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { importPm2 } from '../../src/import/pm2.js';
import { fixtures, importFile, located, writeAndLoad } from './helpers.js';

const own = path.join(fixtures, 'own', 'pm2');

t.test('an ecosystem JSON file from the docs, field by field', async (t) => {
  const dir = t.testdir({ jobs: {} });
  const result = importFile(importPm2, path.join(own, 'ecosystem.config.json'), dir);
  const { text, errors } = await writeAndLoad(result, dir);
  t.same(errors, []);
  const m = parse(text);
  t.same(m.agents.api, {
    command: ['node', '--max-old-space-size=512', './server.js', '--port', '3000', '--mode', 'fast start'],
    cwd: path.relative(dir, own),
    env: { NODE_ENV: 'development', PRICE: '$5' },
    replicas: 2,
    restart: { strategy: 'exponential', delay: '100ms', max_delay: '15s' },
    stop: { timeout: '3s' },
    thresholds: { memory: { critical: '300MiB' }, on_critical: 'restart' },
  });
  t.same(m.agents.worker.restart, { when: 'never', max_attempts: 5, reset_after: '5s', strategy: 'delayed', delay: '2500ms' });
  t.same(m.environments, { production: { agents: { api: { env: { NODE_ENV: 'production' } } } } });
  t.same(located(result.diagnostics, own), ['ecosystem.config.json:14:7 warning: app `API`: `cron_restart` is not imported: orchestra does not restart agents on a schedule']);
});

t.test('the pure importer does not run a .js ecosystem file (the CLI evaluates it first)', async (t) => {
  const result = importFile(importPm2, path.join(own, 'ecosystem.config.js'), own);
  t.equal(result.draft, undefined);
  t.match(located(result.diagnostics, own)[0], /^ecosystem\.config\.js error: an ecosystem \.js file is a program: evaluate it first/);
});
