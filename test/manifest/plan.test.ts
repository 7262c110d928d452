import { basename, join } from 'node:path';
import t from 'tap';
import { resolvedManifest } from '../../src/manifest/resolved.js';
import { codes, instance, loadFiles, loadPlan } from './fixtures/load-helpers.js';

t.test('the Plan applies every default', async (t) => {
  const plan = await loadPlan(t, { 'orchestra.yaml': 'version: 1\nagents:\n  api:\n    command: [node, api.js]\n    readiness: { tcp: "127.0.0.1:80" }\n    liveness: { http: "http://127.0.0.1/" }\n    thresholds: { memory: { warn: 1MiB } }\n' });
  const api = instance(plan, 'api');
  t.same(api.restart, { when: 'on-failure', strategy: 'exponential', delayMs: 1000, maxDelayMs: 60_000, maxAttempts: 10, resetAfterMs: 300_000 });
  t.same(api.stop, { signal: 'SIGTERM', timeoutMs: 10_000, mode: 'group' });
  t.same(api.startup, { timeoutMs: 60_000, retries: 0 });
  t.same(api.readiness, { kind: 'tcp', host: '127.0.0.1', port: 80, intervalMs: 1000, timeoutMs: 2000, failures: 3, initialDelayMs: 0 });
  t.same(api.liveness, { kind: 'http', url: 'http://127.0.0.1/', intervalMs: 10_000, timeoutMs: 2000, failures: 3, initialDelayMs: 0 });
  t.same(api.thresholds, { memory: { warn: 1024 * 1024, forMs: 0 }, onCritical: 'alert' });
  t.same(api.logs, { maxSizeBytes: 10 * 1024 * 1024, keep: 3 });
  t.equal(api.type, 'service');
  t.equal(api.inheritEnv, true);
  t.equal(api.priority, 0);
  t.equal(api.disabled, false);
  t.equal(api.shell, false);
  t.equal(api.cwd, plan.dir);
  t.same(api.replica, { index: 0, count: 1 });
  t.same(plan.monitor, { intervalMs: 2000 });
  t.equal(plan.name, basename(plan.dir).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 63).replace(/-+$/, '') || 'orchestra');
  t.equal(plan.baseDir, plan.dir);
});

t.test('units, shell commands, exec probes, env files and cwd', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': [
      'version: 1',
      'name: fleet',
      'monitor: { interval: 500ms }',
      'notify: { webhook: "http://127.0.0.1:9/hook" }',
      'agents:',
      '  api:',
      '    command: "node api.js | tee out"',
      '    reload: { signal: SIGHUP, on_change: [conf/app.conf] }',
      '    shell: true',
      '    cwd: sub/dir',
      '    env_file: [.env.a, .env.b]',
      '    env: { PORT: 8080, DEBUG: true, B: "from env" }',
      '    readiness: { exec: "curl -f localhost", interval: 1m30s, initial_delay: 250ms }',
      '    liveness: { exec: [test, -f, ok] }',
      '    stop: { signal: SIGINT, timeout: 1h, command: "api --quit" }',
      '    thresholds: { cpu: { warn: 80%, critical: 95.5%, for: 10s }, memory: { critical: 1GB }, on_critical: restart }',
      '    logs: { max_size: 512KiB, keep: 0 }',
      '    nice: 5',
      '    user: nobody',
      '    type: oneshot',
      '    readiness_x: null',
    ].filter((l) => !l.includes('readiness_x')).join('\n') + '\n',
    '.env.a': 'A=1\nB=from a\n',
    '.env.b': 'B=from b\n',
  });
  const api = instance(plan, 'api');
  t.equal(plan.name, 'fleet');
  t.same(plan.monitor, { intervalMs: 500 });
  t.same(plan.notify, { webhook: 'http://127.0.0.1:9/hook', events: ['applied', 'rejected', 'alert', 'failed'], timeoutMs: 5000, retries: 3 });
  t.same(api.command, ['sh', '-c', 'node api.js | tee out']);
  t.same(api.reload, { signal: 'SIGHUP', onChange: [join(plan.baseDir, 'conf/app.conf')] }, 'on_change paths are absolute');
  t.equal(api.shell, true);
  t.equal(api.cwd, join(plan.dir, 'sub/dir'));
  t.same(api.envFiles, [join(plan.dir, '.env.a'), join(plan.dir, '.env.b')]);
  t.same(api.env, { A: '1', B: 'from env', PORT: '8080', DEBUG: 'true' }, 'env files in order, then env, values stringified');
  t.same(api.readiness, { kind: 'exec', command: ['sh', '-c', 'curl -f localhost'], intervalMs: 90_000, timeoutMs: 2000, failures: 3, initialDelayMs: 250 });
  t.same(api.liveness?.kind === 'exec' && api.liveness.command, ['test', '-f', 'ok']);
  t.same(api.stop, { signal: 'SIGINT', timeoutMs: 3_600_000, mode: 'group', command: ['sh', '-c', 'api --quit'] });
  t.same(api.thresholds, { cpu: { warn: 80, critical: 95.5, forMs: 10_000 }, memory: { critical: 1e9, forMs: 0 }, onCritical: 'restart' });
  t.same(api.logs, { maxSizeBytes: 512 * 1024, keep: 0 });
  t.equal(api.nice, 5);
  t.equal(api.user, 'nobody');
  t.equal(api.type, 'oneshot');
});

t.test('replica expansion and templates per replica', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': [
      'version: 1',
      'vars: { base: 8000 }',
      'agents:',
      '  one:',
      '    command: [x, "{{agent.instance}}", "{{replica.index}}/{{replica.count}}"]',
      '  many:',
      '    command: [x, "{{agent.name}}", "{{agent.instance}}"]',
      '    replicas: 3',
      '    env: { PORT: "{{add vars.base replica.index}}", J: "{{json vars}}", D: "{{default vars.none \'dflt\'}}" }',
      '  none:',
      '    command: [x]',
      '    replicas: 0',
      '  explicit-one:',
      '    command: [x]',
      '    replicas: 1',
    ].join('\n') + '\n',
  });
  t.same(plan.agents, [
    { name: 'one', instances: ['one'] },
    { name: 'many', instances: ['many-0', 'many-1', 'many-2'] },
    { name: 'none', instances: [] },
    { name: 'explicit-one', instances: ['explicit-one'] },
  ]);
  t.same(instance(plan, 'one').command, ['x', 'one', '0/1']);
  t.same(instance(plan, 'many-2').command, ['x', 'many', 'many-2']);
  t.same(instance(plan, 'many-2').replica, { index: 2, count: 3 });
  t.same(instance(plan, 'many-1').env, { PORT: '8001', J: '{"base":8000}', D: 'dflt' });
  t.equal(plan.instances.length, 5);
});

t.test('a generated instance name that collides with another agent is an error', async (t) => {
  const r = await loadFiles(t, { 'orchestra.yaml': 'version: 1\nagents:\n  api:\n    command: [x]\n    replicas: 2\n  api-1:\n    command: [x]\n' });
  t.same(codes(r), ['instance-name-collision']);
  t.equal(r.plan, undefined);
});

t.test('secrets: the key pattern, top-level and agent lists; masked in the resolved manifest', async (t) => {
  const plan = await loadPlan(t, {
    'orchestra.yaml': 'version: 1\nsecrets: [DSN]\nagents:\n  api:\n    command: [x]\n    secrets: [OWN]\n    env: { API_KEY: k, DB_PASSWORD: p, GITHUB_TOKEN: t, DSN: d, OWN: o, PORT: "1" }\n',
  });
  const api = instance(plan, 'api');
  t.same(api.secretKeys, ['API_KEY', 'DB_PASSWORD', 'DSN', 'GITHUB_TOKEN', 'OWN']);
  const masked = resolvedManifest(plan, { showSecrets: false }) as { agents: Record<string, { env: Record<string, string> }> };
  t.same(masked.agents['api']!.env, { API_KEY: '***', DB_PASSWORD: '***', GITHUB_TOKEN: '***', DSN: '***', OWN: '***', PORT: '1' });
  const shown = resolvedManifest(plan, { showSecrets: true }) as { agents: Record<string, { env: Record<string, string> }> };
  t.equal(shown.agents['api']!.env['API_KEY'], 'k');
});

t.test('extensions keep the agent x-* keys unrendered', async (t) => {
  const plan = await loadPlan(t, { 'orchestra.yaml': 'version: 1\nx-common: &c { command: [x] }\nagents:\n  api:\n    <<: *c\n    x-export: { unit: "{{not.rendered}}" }\n' });
  const api = instance(plan, 'api');
  t.same(api.command, ['x'], 'YAML merge keys work');
  t.same(api.extensions, { 'x-export': { unit: '{{not.rendered}}' } });
});

t.test('origins: the location of the value that won the merge, for every leaf', async (t) => {
  const plan = await loadPlan(
    t,
    {
      'orchestra.yaml': 'version: 1\ntemplates:\n  t:\n    command: [x]\n    env: { FROM_T: a }\nagents:\n  api:\n    extends: t\n    env: { PORT: "1" }\n',
      'over.yaml': 'agents:\n  api:\n    env: { PORT: "2" }\n',
    },
    { order: ['orchestra.yaml', 'over.yaml'], set: ['agents.api.priority=4'] },
  );
  const o = plan.origins;
  t.match(o['agents.api.env.PORT'], { file: join(plan.dir, 'over.yaml'), range: { start: { line: 3, column: 18 } } });
  t.match(o['agents.api.env.FROM_T'], { file: join(plan.dir, 'orchestra.yaml'), range: { start: { line: 5, column: 20 } } });
  t.match(o['agents.api.command'], { file: join(plan.dir, 'orchestra.yaml'), range: { start: { line: 4, column: 14 } } });
  t.match(o['agents.api.priority'], { file: '<--set>', range: { start: { line: 1, column: 21 } } });
  t.match(o['version'], { file: join(plan.dir, 'orchestra.yaml'), range: { start: { line: 1, column: 10 } } });
});

t.test('resolvedManifest writes the Plan back in manifest shape', async (t) => {
  const plan = await loadPlan(t, { 'orchestra.yaml': 'version: 1\nname: demo\nagents:\n  api:\n    command: "run it"\n    shell: true\n    replicas: 2\n    depends_on: { db: { condition: ready, restart: true } }\n  db:\n    command: [db]\n    readiness: { tcp: "[::1]:5432" }\n' });
  const doc = resolvedManifest(plan, { showSecrets: false }) as Record<string, any>;
  t.same(Object.keys(doc['agents']), ['api-0', 'api-1', 'db']);
  t.equal(doc['agents']['api-0'].command, 'run it');
  t.equal(doc['agents']['api-0'].shell, true);
  t.same(doc['agents']['api-0'].depends_on, { db: { condition: 'ready', restart: true } });
  t.same(doc['agents']['db'].readiness, { tcp: '[::1]:5432', interval: '1s', timeout: '2s', failures: 3, initial_delay: '0ms' });
  t.same(doc['agents']['db'].restart, { when: 'on-failure', strategy: 'exponential', delay: '1s', max_delay: '1m', max_attempts: 10, reset_after: '5m' });
  t.equal(doc['name'], 'demo');
});
