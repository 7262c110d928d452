import t, { type Test } from 'tap';
import { exportNomad } from '../../src/export/nomad.js';
import type { Plan } from '../../src/plan/spec.js';
import { makePlan, probe, quickstartLikePlan } from './fixtures/plan.js';

type Obj = Record<string, any>;
const S = 1_000_000_000;
const resolveProgram = (p: string): string | undefined => (p === 'node' ? '/usr/bin/node' : undefined);

function job(plan: Plan, options = {}): { job: Obj; warnings: ReturnType<typeof exportNomad>['warnings'] } {
  const r = exportNomad(plan, { resolveProgram, ...options });
  t.same(r.files.map((f) => f.path), [`${plan.name}.nomad.json`]);
  return { job: JSON.parse(r.files[0]!.content) as Obj, warnings: r.warnings };
}

/** The fields and types the Nomad HTTP API requires of a job with raw_exec tasks. */
function checkStructure(t: Test, doc: Obj): void {
  t.same(Object.keys(doc), ['Job']);
  const j = doc['Job'];
  t.type(j['ID'], 'string');
  t.type(j['Name'], 'string');
  t.equal(j['Type'], 'service');
  t.ok(Array.isArray(j['Datacenters']) && j['Datacenters'].length > 0);
  t.ok(Array.isArray(j['TaskGroups']) && j['TaskGroups'].length > 0);
  const names = new Set<string>();
  for (const g of j['TaskGroups']) {
    t.type(g['Name'], 'string');
    t.notOk(names.has(g['Name']), `group ${g['Name']} is unique`);
    names.add(g['Name']);
    t.ok(Number.isInteger(g['Count']) && g['Count'] >= 0, `${g['Name']}.Count`);
    const rp = g['RestartPolicy'];
    for (const k of ['Attempts', 'Interval', 'Delay']) t.ok(Number.isInteger(rp[k]) && rp[k] >= 0, `${g['Name']}.RestartPolicy.${k} is an integer`);
    t.ok(rp['Interval'] >= 1 * S, 'Interval is in nanoseconds (≥ 1s)');
    t.ok(rp['Interval'] >= rp['Attempts'] * rp['Delay'], 'Nomad requires Interval ≥ Attempts × Delay');
    t.ok(['fail', 'delay'].includes(rp['Mode']));
    t.ok(g['Tasks'].length > 0);
    t.ok(g['Tasks'].some((task: Obj) => !task['Lifecycle']), 'a group has a main task');
    for (const task of g['Tasks']) {
      t.equal(task['Driver'], 'raw_exec');
      t.type(task['Config']['command'], 'string');
      t.ok(task['Config']['command'].startsWith('/'), 'raw_exec needs an absolute command');
      t.ok(task['Config']['args'].every((a: unknown) => typeof a === 'string'));
      t.ok(Number.isInteger(task['KillTimeout']) && task['KillTimeout'] % 1_000_000 === 0, 'KillTimeout in ns');
      if (task['Env']) t.ok(Object.values(task['Env']).every((v) => typeof v === 'string'));
      if (task['Lifecycle']) t.same(task['Lifecycle'], { Hook: 'prestart', Sidecar: false });
    }
    for (const svc of g['Services'] ?? []) {
      t.equal(svc['Provider'], 'nomad');
      const labels = g['Networks'].flatMap((n: Obj) => n['ReservedPorts'].map((p: Obj) => p['Label']));
      t.ok(labels.includes(svc['PortLabel']), 'the service port label is reserved');
      for (const c of svc['Checks']) {
        t.ok(['http', 'tcp'].includes(c['Type']));
        t.ok(Number.isInteger(c['Interval']) && c['Interval'] >= S);
        t.ok(Number.isInteger(c['Timeout']));
      }
    }
  }
}

t.test('the quickstart job is well-formed', async (t) => {
  const { job: doc, warnings } = job(quickstartLikePlan());
  checkStructure(t, doc);
  const groups = doc['Job']['TaskGroups'] as Obj[];
  t.same(groups.map((g) => g['Name']), ['store', 'api', 'worker'], 'the oneshot runs inside its dependents');
  const api = groups[1]!;
  t.same(api['Tasks'].map((x: Obj) => x['Name']), ['migrate', 'api']);
  t.same(api['Tasks'][0]['Lifecycle'], { Hook: 'prestart', Sidecar: false });
  t.same(api['Tasks'][0]['RestartPolicy'], { Attempts: 2, Interval: 362 * S, Delay: 1 * S, Mode: 'fail' });
  const main = api['Tasks'][1];
  t.same(main['Config'], { command: '/bin/sh', args: ['-c', 'cd "$0" && exec "$@"', '/srv/demo', '/usr/bin/node', 'api.js'] });
  t.equal(main['KillTimeout'], 5 * S);
  t.equal(main['KillSignal'], 'SIGTERM');
  t.same(main['Resources'], { CPU: 950, MemoryMB: 400 });
  t.same(api['RestartPolicy'], { Attempts: 4, Interval: 607.5 * S, Delay: 0.5 * S, Mode: 'fail' });
  const checks = api['Services'][0]['Checks'];
  t.same(checks.map((c: Obj) => [c['Type'], c['Path']]), [['http', '/health'], ['http', '/health']]);
  t.same(checks[1]['CheckRestart'], { Limit: 3, Grace: 0, IgnoreWarnings: false }, 'liveness restarts the task');
  const worker = groups[2]!;
  t.equal(worker['Count'], 2);
  t.equal(worker['Tasks'][0]['Env']['WORKER_ID'], '${NOMAD_ALLOC_INDEX}', 'per-replica index becomes the allocation index');
  t.notOk(warnings.some((w) => /WORKER_ID/.test(w.message)), 'no warning for a value Nomad reproduces');
  t.ok(warnings.some((w) => /`api`: `depends_on\.store` is not mapped/.test(w.message)));
});

t.test('edge cases', async (t) => {
  const plan = makePlan({
    solo: {
      type: 'oneshot',
      command: ['./bin/run', '--id', 'x'],
      restart: { when: 'never', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 0 },
    },
    forever: {
      replicas: 3,
      command: ['node', 'w.js'],
      replicaEnv: (i) => ({ LOG: `/var/log/w-${i}.log`, PORT: String(9000 + i) }),
      restart: { when: 'always', strategy: 'exponential', delayMs: 1000, maxDelayMs: 60_000, maxAttempts: 0, resetAfterMs: 300_000 },
      readiness: probe({ kind: 'exec' as const, command: ['true'] }),
      thresholds: { cpu: { critical: 50, forMs: 0 }, onCritical: 'restart' },
      user: 'svc',
      disabled: true,
    },
  });
  const { job: doc, warnings } = job(plan, { cpuMhzPerCore: 2400 });
  checkStructure(t, doc);
  const [solo, forever] = doc['Job']['TaskGroups'] as Obj[];
  t.same(solo!['RestartPolicy'], { Attempts: 0, Interval: 1 * S, Delay: 0, Mode: 'fail' });
  t.equal(solo!['Tasks'][0]['Config']['args'][3], '/srv/demo/bin/run', 'relative programs resolve against the cwd');
  t.equal(forever!['Count'], 0, 'disabled agents are scaled to 0');
  t.same(forever!['RestartPolicy'], { Attempts: 1, Interval: 60 * S, Delay: 1 * S, Mode: 'delay' });
  const task = forever!['Tasks'][0];
  t.equal(task['Env']['LOG'], '/var/log/w-${NOMAD_ALLOC_INDEX}.log');
  t.equal(task['Env']['PORT'], '9000', 'arithmetic per replica keeps replica 0’s value');
  t.same(task['Resources'], { CPU: 1200 });
  t.equal(task['User'], 'svc');
  t.notOk(forever!['Services'], 'no port, no service');
  const messages = warnings.map((w) => w.message);
  t.ok(messages.some((m) => /`forever`: `env\.PORT` is not mapped/.test(m)));
  t.ok(messages.some((m) => /`forever`: `readiness\.exec` is not mapped/.test(m)));
  t.ok(messages.some((m) => /`solo`: `type` is approximated/.test(m)));
});
