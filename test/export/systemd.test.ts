import t from 'tap';
import { exportSystemd } from '../../src/export/systemd.js';
import type { ExportFile } from '../../src/export/types.js';
import { makePlan, probe, quickstartLikePlan } from './fixtures/plan.js';
import { systemdVersion, verifyUnits } from './fixtures/systemd-verify.js';

const resolveProgram = (p: string): string | undefined =>
  ({ node: process.execPath, sh: '/bin/sh', true: '/bin/true' })[p];

const file = (files: readonly ExportFile[], name: string): string => {
  const f = files.find((x) => x.path === name);
  if (!f) throw new Error(`no file ${name} among ${files.map((x) => x.path).join(', ')}`);
  return f.content;
};

t.test('one unit per instance plus the target', async (t) => {
  const r = exportSystemd(quickstartLikePlan(), { resolveProgram });
  t.same(
    r.files.map((f) => f.path),
    ['quickstart-store.service', 'quickstart-migrate.service', 'quickstart-api.service', 'quickstart-worker-0.service', 'quickstart-worker-1.service', 'quickstart.target'],
  );
  const target = file(r.files, 'quickstart.target');
  t.match(target, /^Wants=quickstart-worker-1\.service$/m);
  t.match(target, /^WantedBy=multi-user\.target$/m);
  const api = file(r.files, 'quickstart-api.service');
  t.match(api, /^Requires=quickstart-migrate\.service\nAfter=quickstart-migrate\.service$/m);
  t.match(api, /^PartOf=quickstart-store\.service$/m, 'restart: true propagates restarts');
  t.match(api, new RegExp(`^ExecStart=${process.execPath} api\\.js$`, 'm'));
  t.match(api, /^MemoryMax=400M$/m);
  t.match(api, /^CPUQuota=95%$/m);
  t.match(api, /^RestartSteps=6\nRestartMaxDelaySec=30s$/m);
  t.match(api, /need systemd >= 254/);
  t.match(api, /^StartLimitBurst=5$/m);
  t.match(api, /^StartLimitIntervalSec=607500ms$/m);
  t.match(api, /^WantedBy=quickstart\.target$/m);
  const worker1 = file(r.files, 'quickstart-worker-1.service');
  t.match(worker1, /^Environment=WORKER_ID=1$/m, 'each instance keeps its own values');
  const migrate = file(r.files, 'quickstart-migrate.service');
  t.match(migrate, /^Type=oneshot\nRemainAfterExit=yes$/m);
  t.match(migrate, /^TimeoutStartSec=infinity$/m);
  t.notMatch(migrate, /RestartSteps/, 'delayed strategy has no backoff steps');

  const codes = r.warnings.map((w) => `${w.code} ${w.message}`);
  t.ok(codes.some((c) => /`store`: `readiness\.tcp` is not mapped/.test(c)), 'tcp readiness is reported');
  t.ok(codes.some((c) => /`api`: `liveness` is not mapped/.test(c)));
  t.ok(codes.some((c) => /`store`: `priority` is not mapped/.test(c)));
  t.ok(codes.some((c) => /`store`: `thresholds\.memory\.warn`/.test(c)));
  t.ok(r.warnings.every((w) => w.severity === 'warning'));
});

t.test('systemd < 254 gets no exponential-backoff keys, and a warning', async (t) => {
  const r = exportSystemd(quickstartLikePlan(), { resolveProgram, systemdVersion: 252 });
  t.notMatch(file(r.files, 'quickstart-api.service'), /RestartSteps|RestartMaxDelaySec/);
  t.ok(r.warnings.some((w) => w.code === 'export-approximated' && /`restart\.strategy`/.test(w.message)));
});

t.test('edge cases map as documented', async (t) => {
  const plan = makePlan({
    base: {
      command: ['node', '-e', 'console.log("100% of $HOME")', ';', '', 'a\\b'],
      env: { SPACED: 'a b', QUOTES: 'say "hi"', DOLLAR: '$HOME', PCT: '50%', NL: 'x\ny' },
      readiness: probe({ kind: 'exec' as const, command: ['true'] }, { intervalMs: 250, initialDelayMs: 1000 }),
      user: 'nobody',
      nice: 5,
      description: 'multi\nline 10%',
      restart: { when: 'always', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 60_000 },
    },
    job: {
      type: 'oneshot',
      command: ['sh', '-c', 'echo done > /dev/null'],
      shell: true,
      dependsOn: [{ agent: 'base', condition: 'started' }],
      restart: { when: 'always', strategy: 'delayed', delayMs: 2000, maxDelayMs: 2000, maxAttempts: 2, resetAfterMs: 10_000 },
    },
    off: { disabled: true, restart: { when: 'never', strategy: 'delayed', delayMs: 1, maxDelayMs: 1, maxAttempts: 1, resetAfterMs: 1 } },
  });
  const r = exportSystemd(plan, { resolveProgram });
  const base = file(r.files, 'demo-base.service');
  t.match(base, /^ExecStart=\S+ -e "console\.log\(\\"100%% of \$\$HOME\\"\)" \\; "" "a\\\\b"$/m);
  t.match(base, /^Environment="QUOTES=say \\"hi\\""$/m);
  t.match(base, /^Environment="DOLLAR=\$HOME"$/m);
  t.match(base, /^Environment="PCT=50%%"$/m);
  t.match(base, /^Environment="NL=x\\ny"$/m);
  t.match(base, /^Description=multi line 10%%$/m);
  t.match(base, /^ExecStartPost=\/bin\/sh -c "sleep 1; until timeout 2 \\"\$\$@\\"; do sleep 0\.25; done" sh \/bin\/true$/m);
  t.match(base, /^User=nobody$/m);
  t.match(base, /^Nice=5$/m);
  t.match(base, /^Restart=always\nRestartSec=0s$/m);
  t.match(base, /^StartLimitIntervalSec=0$/m);
  t.notMatch(base, /StartLimitBurst/);
  const job = file(r.files, 'demo-job.service');
  t.match(job, /^Wants=demo-base\.service\nAfter=demo-base\.service$/m);
  t.match(job, /^Restart=on-failure$/m);
  t.match(job, /^ExecStart=\/bin\/sh -c "echo done > \/dev\/null"$/m);
  t.ok(r.warnings.some((w) => /`job`: `restart\.when` is approximated/.test(w.message)));
  const off = file(r.files, 'demo-off.service');
  t.match(off, /^Restart=no$/m);
  t.notMatch(off, /\[Install\]/);
  t.notMatch(file(r.files, 'demo.target'), /demo-off/);
});

t.test('systemd-analyze verify accepts the units', async (t) => {
  const version = await systemdVersion();
  if (version === undefined) {
    t.pass('skipped: systemd-analyze is not installed, so the units cannot be verified here', { skip: true });
    return;
  }
  const plans = {
    quickstart: quickstartLikePlan(),
    edges: makePlan({
      weird: {
        command: ['node', '-e', 'console.log("100% of $HOME")', ';', ''],
        env: { SPACED: 'a b', QUOTES: 'say "hi"', DOLLAR: '$HOME', PCT: '50%', NL: 'x\ny' },
        readiness: probe({ kind: 'exec' as const, command: ['sh', '-c', 'test -d /'] }),
        nice: -5,
        user: 'nobody',
        thresholds: { memory: { critical: 123_456_789, forMs: 0 }, cpu: { critical: 150, forMs: 0 }, onCritical: 'stop' },
      },
      once: { type: 'oneshot', command: ['true'], dependsOn: [{ agent: 'weird', condition: 'started', restart: true }] },
    }),
  };
  for (const [name, plan] of Object.entries(plans)) {
    for (const i of plan.instances) i.cwd = '/';
    const exact = await verifyUnits(t.testdir({}), exportSystemd(plan, { resolveProgram, systemdVersion: version }).files);
    t.same(exact.problems, [], `${name}: no problem for systemd ${version}`);
    t.equal(exact.exitCode, 0, `${name}: verify exits 0`);
    const modern = await verifyUnits(t.testdir({}), exportSystemd(plan, { resolveProgram }).files);
    const unexpected = modern.problems.filter((l) => !(version < 254 && /Unknown key '(RestartSteps|RestartMaxDelaySec)'/.test(l)));
    t.same(unexpected, [], `${name}: units for systemd >= 254 only add the two backoff keys older versions skip`);
  }
});

t.test('the verify helper does catch a broken unit', async (t) => {
  if ((await systemdVersion()) === undefined) {
    t.pass('skipped: systemd-analyze is not installed', { skip: true });
    return;
  }
  const broken = { path: 'broken.service', content: '[Service]\nExecStart=/bin/true\nRestartz=always\nNice=banana\n' };
  const r = await verifyUnits(t.testdir({}), [broken]);
  t.equal(r.problems.length, 2, r.lines.join('\n'));
});

t.test('stop.mode main becomes KillMode=mixed; group and all stay control-group', async (t) => {
  for (const [mode, kill] of [['main', 'mixed'], ['group', 'control-group'], ['all', 'control-group']] as const) {
    const base = quickstartLikePlan();
    const plan = { ...base, instances: base.instances.map((i) => ({ ...i, stop: { ...i.stop, mode } })) };
    const unit = file(exportSystemd(plan, { resolveProgram }).files, 'quickstart-store.service');
    t.match(unit, new RegExp(`^KillMode=${kill}$`, 'm'), `${mode} → ${kill}`);
  }
});

t.test('forking services, stop and reload commands map to Type=forking, PIDFile=, ExecStop= and ExecReload=', async (t) => {
  const r = exportSystemd(
    makePlan({
      nginx: {
        type: 'forking',
        pidFile: '/srv/demo/run/nginx.pid',
        command: ['sh', '-c', 'nginx'],
        stop: { signal: 'SIGTERM', timeoutMs: 10_000, command: ['sh', '-c', 'nginx -s quit'] },
        reload: { command: ['sh', '-c', 'nginx -s reload'], onChange: [] },
      },
      app: { reload: { signal: 'SIGHUP', onChange: [] } },
    }),
    { resolveProgram },
  );
  const nginx = file(r.files, 'demo-nginx.service');
  t.match(nginx, /^Type=forking\nPIDFile=\/srv\/demo\/run\/nginx\.pid$/m);
  t.match(nginx, /^ExecStop=\/bin\/sh -c "nginx -s quit"$/m);
  t.match(nginx, /^ExecReload=\/bin\/sh -c "nginx -s reload"$/m);
  t.match(file(r.files, 'demo-app.service'), /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
});
