import t from 'tap';
import { parse } from 'yaml';
import { exportCompose } from '../../src/export/compose.js';
import type { Plan } from '../../src/plan/spec.js';
import { composeValidator } from './fixtures/compose-schema.js';
import { makePlan, probe, quickstartLikePlan } from './fixtures/plan.js';

type Obj = Record<string, any>;

function compose(plan: Plan): { doc: Obj; warnings: ReturnType<typeof exportCompose>['warnings']; content: string } {
  const r = exportCompose(plan, { image: 'node:20-alpine' });
  t.equal(r.files.length, 1);
  const content = r.files[0]!.content;
  return { doc: parse(content) as Obj, warnings: r.warnings, content };
}

const edgePlan = (): Plan =>
  makePlan({
    web: {
      readiness: probe({ kind: 'exec' as const, command: ['test', '-f', '/tmp/ready'] }, { initialDelayMs: 3000 }),
      user: '1000:1000',
      nice: 2,
      stop: { signal: 'SIGINT', timeoutMs: 90_000 },
      restart: { when: 'always', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 60_000 },
      thresholds: { memory: { critical: 123_456_789, forMs: 0 }, cpu: { critical: 250, forMs: 0 }, onCritical: 'restart' },
    },
    seed: { type: 'oneshot', restart: { when: 'never', strategy: 'delayed', delayMs: 1000, maxDelayMs: 1000, maxAttempts: 1, resetAfterMs: 1000 } },
    tail: {
      readiness: probe({ kind: 'log' as const, pattern: 'up' }),
      dependsOn: [{ agent: 'web', condition: 'ready' }, { agent: 'seed', condition: 'completed' }],
    },
    last: { dependsOn: [{ agent: 'tail', condition: 'ready' }, { agent: 'web', condition: 'started' }], disabled: true, replicas: 2 },
  });

t.test('generated files pass the official compose-spec schema', async (t) => {
  const validate = composeValidator();
  for (const plan of [quickstartLikePlan(), edgePlan()]) {
    const { doc } = compose(plan);
    const valid = validate(doc);
    t.ok(valid, JSON.stringify(validate.errors, null, 2));
  }
  t.notOk(validate({ services: { a: { restart: 7, deploy: { replicas: 'x' } } } }), 'the validator rejects a bad file');
});

t.test('services, conditions, healthchecks and limits', async (t) => {
  const { doc, warnings } = compose(quickstartLikePlan());
  t.equal(doc['name'], 'quickstart');
  t.same(Object.keys(doc['services']), ['store', 'migrate', 'api', 'worker']);
  const api = doc['services']['api'];
  t.same(api['command'], ['node', 'api.js']);
  t.same(api['depends_on'], {
    migrate: { condition: 'service_completed_successfully' },
    store: { condition: 'service_healthy', restart: true },
  });
  t.equal(api['environment']['STORE_ADDR'], 'store:7401', 'loopback address of another agent uses its service name');
  t.equal(api['healthcheck']['test'][0], 'CMD-SHELL');
  t.match(api['healthcheck']['test'][1], /wget -q -T 2 -O \/dev\/null http:\/\/127\.0\.0\.1:7480\/health \|\| curl/);
  t.equal(api['healthcheck']['interval'], '200ms');
  t.same(api['deploy']['resources'], { limits: { memory: '400m', cpus: '0.95' } });
  t.equal(api['restart'], 'on-failure:4');
  t.same(api['deploy']['restart_policy'], { condition: 'on-failure', delay: '500ms', max_attempts: 4, window: '2m' });
  t.equal(api['stop_grace_period'], '5s');
  t.equal(doc['services']['worker']['deploy']['replicas'], 2);
  t.match(doc['services']['store']['healthcheck']['test'][1], /^nc -z -w 2 127\.0\.0\.1 7401 \|\| bash -c/);
  t.ok(warnings.some((w) => /`worker`: `env\.WORKER_ID` is not mapped/.test(w.message)));
  t.ok(warnings.some((w) => /`api`: `liveness` is not mapped/.test(w.message)));
});

t.test('edge cases', async (t) => {
  const { doc, warnings } = compose(edgePlan());
  const web = doc['services']['web'];
  t.same(web['healthcheck'], { test: ['CMD', 'test', '-f', '/tmp/ready'], interval: '1s', timeout: '2s', retries: 3, start_period: '3s' });
  t.equal(web['restart'], 'always');
  t.same(web['deploy']['restart_policy'], { condition: 'any', delay: '0ms', window: '1m' });
  t.equal(web['stop_signal'], 'SIGINT');
  t.equal(web['stop_grace_period'], '1m30s');
  t.equal(web['user'], '1000:1000');
  t.same(web['deploy']['resources']['limits'], { memory: '123456789b', cpus: '2.5' });
  const seed = doc['services']['seed'];
  t.equal(seed['restart'], 'no');
  t.same(seed['deploy']['restart_policy'], { condition: 'none' });
  const tail = doc['services']['tail'];
  t.same(tail['depends_on'], { web: { condition: 'service_healthy' }, seed: { condition: 'service_completed_successfully' } });
  t.notOk('healthcheck' in tail);
  const last = doc['services']['last'];
  t.same(last['depends_on'], { tail: { condition: 'service_started' }, web: { condition: 'service_started' } });
  t.equal(last['deploy']['replicas'], 0, 'disabled agents are scaled to 0');
  const messages = warnings.map((w) => w.message);
  t.ok(messages.some((m) => /`tail`: `readiness\.log` is not mapped/.test(m)));
  t.ok(messages.some((m) => /`last`: `depends_on\.tail` is approximated/.test(m)));
  t.ok(messages.some((m) => /`web`: `nice` is not mapped/.test(m)));
});
