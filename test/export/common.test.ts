import t from 'tap';
import {
  exponentialSteps,
  hostArgv,
  indexTemplate,
  probeEndpoint,
  replicaDifferences,
  restartDelayMs,
  restartWindowMs,
  retriesAllowed,
  shellQuote,
} from '../../src/export/common.js';
import { resolveTarget } from '../../src/export/index.js';
import { locate } from '../../src/export/warnings.js';
import { agentSpec, makePlan, probe } from './fixtures/plan.js';

const restart = { when: 'on-failure' as const, strategy: 'exponential' as const, delayMs: 500, maxDelayMs: 30_000, maxAttempts: 5, resetAfterMs: 120_000 };

t.test('restart delays and the window max_attempts failures fit in', async (t) => {
  t.same([0, 1, 2, 6, 7].map((n) => restartDelayMs(restart, n)), [500, 1000, 2000, 30_000, 30_000]);
  t.equal(restartDelayMs({ ...restart, strategy: 'delayed' }, 4), 500);
  t.equal(restartDelayMs({ ...restart, strategy: 'immediate' }, 4), 0);
  // 4 restarts between 5 runs: 500 + 1000 + 2000 + 4000, plus 5 × 2m.
  t.equal(restartWindowMs(restart), 7500 + 600_000);
  t.equal(retriesAllowed(restart), 4);
  t.equal(retriesAllowed({ ...restart, maxAttempts: 0 }), 0);
  t.equal(exponentialSteps(restart), 6, '500ms · 2^6 ≥ 30s');
  t.equal(exponentialSteps({ ...restart, maxDelayMs: 500 }), 0);
});

t.test('indexTemplate finds the replica index inside a value', async (t) => {
  t.same(indexTemplate(['0', '1', '2']), { before: '', after: '' });
  t.same(indexTemplate(['worker-0.log', 'worker-1.log']), { before: 'worker-', after: '.log' });
  t.same(indexTemplate(['10-0', '10-1']), { before: '10-', after: '' }, 'skips a 0 that is not the index');
  t.equal(indexTemplate(['a0', 'a1', 'a10']), undefined, 'every replica must match');
  t.equal(indexTemplate(['8080', '8081']), undefined, 'arithmetic is not an index substitution');
});

t.test('replicaDifferences names the fields that differ', async (t) => {
  const plan = makePlan({ w: { replicas: 3, replicaEnv: (i) => ({ ID: String(i) }), env: { SAME: 'x' } } });
  t.same(replicaDifferences(plan.instances), ['env.ID']);
  const other = agentSpec('w', 1, 2, { cwd: '/elsewhere' });
  t.same(replicaDifferences([agentSpec('w', 0, 2), other]), ['cwd']);
  t.same(replicaDifferences(plan.instances.slice(0, 1)), []);
});

t.test('probe endpoints', async (t) => {
  t.same(probeEndpoint(probe({ kind: 'tcp' as const, host: '127.0.0.1', port: 7401 })), { host: '127.0.0.1', port: 7401 });
  t.same(probeEndpoint(probe({ kind: 'http' as const, url: 'http://127.0.0.1:8080/health?deep=1' })), {
    host: '127.0.0.1',
    port: 8080,
    scheme: 'http',
    path: '/health?deep=1',
  });
  t.same(probeEndpoint(probe({ kind: 'http' as const, url: 'https://[::1]/' }))?.port, 443);
  t.equal(probeEndpoint(probe({ kind: 'log' as const, pattern: 'ready' })), undefined);
});

t.test('hostArgv makes the program absolute', async (t) => {
  const spec = agentSpec('a', 0, 1, { cwd: '/srv/x' });
  t.same(hostArgv(spec, ['/bin/true'], {}), ['/bin/true']);
  t.same(hostArgv(spec, ['./run.sh', 'go'], {}), ['/srv/x/run.sh', 'go']);
  t.same(hostArgv(spec, ['node', 'a.js'], { resolveProgram: () => '/opt/node/bin/node' }), ['/opt/node/bin/node', 'a.js']);
  t.same(hostArgv(spec, ['node', 'a.js'], { resolveProgram: () => undefined }), ['/usr/bin/env', 'node', 'a.js']);
  t.same(hostArgv(spec, ['-weird'], {}), ['/usr/bin/env', '--', '-weird']);
});

t.test('shellQuote', async (t) => {
  t.equal(shellQuote('http://a:1/x'), 'http://a:1/x');
  t.equal(shellQuote("it's here"), "'it'\\''s here'");
});

t.test('unknown targets get a did-you-mean and the list', async (t) => {
  t.same(resolveTarget('nomad'), { target: 'nomad' });
  t.same(resolveTarget('k8s'), { target: 'kubernetes' });
  const r = resolveTarget('systemdd');
  t.ok('diagnostic' in r);
  if ('diagnostic' in r) {
    t.equal(r.diagnostic.code, 'unknown-export-target');
    t.match(r.diagnostic.hint, /did you mean `systemd`\?.*systemd, kubernetes, compose, nomad/);
  }
  const far = resolveTarget('helm');
  if ('diagnostic' in far) t.notMatch(far.diagnostic.hint ?? '', /did you mean/);
  else t.fail('helm is not a target');
});

t.test('locate finds the key, a descendant, an ancestor or the agent', async (t) => {
  const loc = (line: number) => ({ file: 'o.yaml', range: { start: { line, column: 1 }, end: { line, column: 2 }, offset: 0, length: 1 } });
  const origins = { 'agents.api.readiness.http': loc(3), 'agents.api.env.PORT': loc(5), 'agents.api.command': loc(2) };
  t.equal(locate(origins, 'api', 'env.PORT')?.range?.start.line, 5);
  t.equal(locate(origins, 'api', 'readiness')?.range?.start.line, 3);
  t.equal(locate(origins, 'api', 'env.PORT.x')?.range?.start.line, 5);
  t.equal(locate(origins, 'api', 'nice')?.range?.start.line, 3);
  t.equal(locate(origins, 'other', 'nice'), undefined);
});

t.test('secrets, empty agents and located warnings, on every target', async (t) => {
  const { EXPORTERS, EXPORT_TARGETS } = await import('../../src/export/index.js');
  const plan = makePlan({ api: { env: { API_TOKEN: 's3cr3t', DB_PASS: 'x', PLAIN: 'y' }, secretKeys: ['DB_PASS'] } });
  plan.agents.push({ name: 'ghost', instances: [] });
  const loc = { file: '/srv/demo/orchestra.yaml', range: { start: { line: 7, column: 5 }, end: { line: 7, column: 9 }, offset: 60, length: 4 } };
  plan.origins['agents.api.env.API_TOKEN'] = loc;
  for (const target of EXPORT_TARGETS) {
    const r = EXPORTERS[target](plan, { image: 'x:1' });
    const secrets = r.warnings.filter((w) => w.code === 'export-secret');
    t.same(secrets.map((w) => /`env\.([A-Z_]+)`/.exec(w.message)?.[1]), ['API_TOKEN', 'DB_PASS'], `${target}: both secret keys are reported`);
    t.same(secrets[0]!.location, loc, `${target}: the warning points at the key`);
    t.ok(r.warnings.some((w) => w.code === 'export-unmapped' && /`ghost`: `replicas`/.test(w.message)), `${target}: an agent with no instances is reported`);
    t.notOk(r.files.some((f) => f.content.includes('ghost')), `${target}: and not exported`);
  }
});
