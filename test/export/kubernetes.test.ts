import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { exportKubernetes, WAIT_IMAGE } from '../../src/export/kubernetes.js';
import type { Plan } from '../../src/plan/spec.js';
import { validateObject } from './fixtures/k8s-models.js';
import { makePlan, probe, quickstartLikePlan } from './fixtures/plan.js';

type Obj = Record<string, any>;

function objects(plan: Plan, image: string | null = 'node:20-alpine'): { objs: Obj[]; warnings: ReturnType<typeof exportKubernetes>['warnings'] } {
  const r = exportKubernetes(plan, image === null ? {} : { image });
  t.equal(r.files.length, 1);
  return { objs: parseAllDocuments(r.files[0]!.content).map((d) => d.toJS() as Obj), warnings: r.warnings };
}

const find = (objs: Obj[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x['kind'] === kind && x['metadata']['name'] === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};

t.test('every generated object passes the Kubernetes schema (kubernetes-models)', async (t) => {
  const plans: Plan[] = [
    quickstartLikePlan(),
    makePlan({
      my_agent: {
        command: ['sh', '-c', 'exec server'],
        readiness: probe({ kind: 'exec' as const, command: ['test', '-f', '/tmp/ready'] }, { initialDelayMs: 1500 }),
        liveness: probe({ kind: 'tcp' as const, host: '10.0.0.5', port: 9000 }),
        user: '1000',
        thresholds: { memory: { critical: 1_000_000, forMs: 0 }, onCritical: 'restart' },
        replicas: 3,
        disabled: true,
      },
      batch: { type: 'oneshot', replicas: 2, restart: { when: 'never', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 0 } },
      tail: { readiness: probe({ kind: 'log' as const, pattern: 'listening' }), dependsOn: [{ agent: 'my_agent', condition: 'started' }] },
    }),
  ];
  for (const plan of plans) {
    const { objs } = objects(plan);
    t.ok(objs.length > 0);
    for (const o of objs) t.doesNotThrow(() => validateObject(o), `${o['kind']} ${o['metadata']['name']} is valid`);
  }
  t.throws(() => validateObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } }), 'the validator rejects a bad object');
});

t.test('Deployments, a Job, Services and dependency waits', async (t) => {
  const { objs, warnings } = objects(quickstartLikePlan());
  t.same(objs.map((o) => `${o['kind']}/${o['metadata']['name']}`), ['Deployment/store', 'Service/store', 'Job/migrate', 'Deployment/api', 'Service/api', 'Deployment/worker']);
  const worker = find(objs, 'Deployment', 'worker');
  t.equal(worker['spec']['replicas'], 2, 'one Deployment per manifest agent, replicas = instances');
  const wait = worker['spec']['template']['spec']['initContainers'][0];
  t.equal(wait['image'], WAIT_IMAGE);
  t.match(wait['command'][2], /until wget -q -T 2 -O \/dev\/null http:\/\/api:7480\/health;/);
  const api = find(objs, 'Deployment', 'api')['spec']['template']['spec'];
  t.equal(api['terminationGracePeriodSeconds'], 5);
  const c = api['containers'][0];
  t.same(c['command'], ['node']);
  t.same(c['args'], ['api.js']);
  t.equal(c['workingDir'], '/app');
  t.same(c['resources'], { limits: { memory: '400Mi', cpu: '950m' } });
  t.same(c['readinessProbe']['httpGet'], { path: '/health', port: 7480, scheme: 'HTTP' });
  t.equal(c['livenessProbe']['periodSeconds'], 5);
  t.same(c['env'].find((e: Obj) => e['name'] === 'STORE_ADDR'), { name: 'STORE_ADDR', value: 'store:7401' }, 'loopback address of another agent points at its Service');
  t.match(api['initContainers'][0]['command'][2], /nc -z -w 2 store 7401/);
  const job = find(objs, 'Job', 'migrate');
  t.equal(job['spec']['backoffLimit'], 2, 'max_attempts 3 = 2 retries');
  t.equal(job['spec']['template']['spec']['restartPolicy'], 'OnFailure');
  t.same(find(objs, 'Service', 'store')['spec']['ports'], [{ name: 'main', port: 7401, targetPort: 7401, protocol: 'TCP' }]);
  const messages = warnings.map((w) => w.message);
  t.ok(messages.some((m) => /`api`: `depends_on\.migrate` is not mapped/.test(m)));
  t.ok(messages.some((m) => /`worker`: `env\.WORKER_ID` is not mapped/.test(m)));
});

t.test('images, names, users and unmapped fields', async (t) => {
  const plan = makePlan({
    my_agent: {
      extensions: { 'x-export': { image: 'ghcr.io/me/agent:1' } },
      user: 'www-data',
      nice: 3,
      stop: { signal: 'SIGINT', timeoutMs: 1500 },
      readiness: probe({ kind: 'log' as const, pattern: 'up' }),
    },
    plain: {},
  });
  const { objs, warnings } = objects(plan, null);
  const d = find(objs, 'Deployment', 'my-agent');
  t.equal(d['spec']['template']['spec']['containers'][0]['image'], 'ghcr.io/me/agent:1');
  t.equal(d['spec']['template']['spec']['terminationGracePeriodSeconds'], 2);
  const errors = warnings.filter((w) => w.severity === 'error');
  t.same(errors.map((e) => e.code), ['export-no-image'], 'only the agent without an image is an error');
  t.match(errors[0]!.message, /`plain`/);
  const fields = warnings.filter((w) => w.severity === 'warning').map((w) => /`([a-z_.]+)` is (?:not mapped|approximated)/.exec(w.message)?.[1]);
  t.same(fields.sort(), ['nice', 'readiness.log', 'stop.signal', 'user', 'restart', 'restart'].sort());
});
