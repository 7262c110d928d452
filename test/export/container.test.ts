/**
 * What the container targets carry over from the host: regression tests for
 * `restart: no` written plain (a boolean to YAML 1.1 readers), the missing
 * image error located at an unrelated line, and loopback addresses and host
 * paths copied into containers without a word.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { exportCompose } from '../../src/export/compose.js';
import { exportKubernetes } from '../../src/export/kubernetes.js';
import { exportNomad } from '../../src/export/nomad.js';
import { loadManifest } from '../../src/manifest/load.js';
import type { Plan } from '../../src/plan/spec.js';

async function planOf(t: Test, lines: string[]): Promise<Plan> {
  const dir = t.testdir({});
  const file = join(dir, 'orchestra.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  const loaded = await loadManifest({ files: [file], cwd: dir });
  t.same(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  return loaded.plan!;
}

t.test('restart: no and other YAML 1.1 booleans are quoted', async (t) => {
  const plan = await planOf(t, [
    'version: 1',
    'agents:',
    '  seed:',
    '    type: oneshot',
    '    command: ["node", "seed.js"]',
    '    restart: { when: never }',
    '    env: { FLAG: "on", ANSWER: "yes" }',
  ]);
  const compose = exportCompose(plan, { image: 'node:20' }).files[0]!.content;
  t.match(compose, /\n {4}restart: "no"\n/);
  t.match(compose, /FLAG: "on"/);
  t.match(compose, /ANSWER: "yes"/);
  const k8s = exportKubernetes(plan, { image: 'node:20' }).files[0]!.content;
  t.match(k8s, /value: "on"/);
});

t.test('the missing image error points at the agent, not at its restart line', async (t) => {
  const plan = await planOf(t, [
    'version: 1',
    'defaults:',
    '  restart: { when: always }',
    'agents:',
    '  api:',
    '    command: ["node", "api.js"]',
  ]);
  for (const run of [exportCompose, exportKubernetes]) {
    const error = run(plan, {}).warnings.find((d) => d.code === 'export-no-image');
    t.ok(error, 'reported');
    t.equal(error?.severity, 'error');
    t.same(error?.location?.range?.start, { line: 5, column: 3 }, 'at `api:`');
  }
});

t.test('loopback addresses no agent serves and host paths are warned about', async (t) => {
  const plan = await planOf(t, [
    'version: 1',
    'agents:',
    '  db:',
    '    command: ["node", "db.js"]',
    '    readiness: { tcp: "127.0.0.1:7001" }',
    '  api:',
    '    command: ["node", "/home/someone/tools/api.js", "--data", "/usr/share/api"]',
    '    env:',
    '      DB: "127.0.0.1:7001"',
    '      CACHE: "redis://localhost:6379/0"',
    '      UPLOADS: "/mnt/uploads"',
  ]);
  const { files, warnings } = exportCompose(plan, { image: 'node:20' });
  const codes = warnings.map((w) => `${w.code} ${w.message}`);
  t.ok(codes.some((c) => /^export-loopback .*`env\.CACHE` names localhost:6379/.test(c)), 'an address no agent serves');
  t.notOk(codes.some((c) => /`env\.DB` names/.test(c)), 'an address another agent serves is rewritten, not warned about');
  t.match(files[0]!.content, /DB: db:7001/);
  t.ok(codes.some((c) => /^export-host-path .*`command` holds the host path \/home\/someone\/tools\/api\.js/.test(c)));
  t.ok(codes.some((c) => /^export-host-path .*`env\.UPLOADS` holds the host path \/mnt\/uploads/.test(c)));
  t.notOk(codes.some((c) => c.includes('/usr/share/api')), 'a path of the image is fine');
  const cache = warnings.find((w) => w.message.includes('env.CACHE'));
  t.same(cache?.location?.range?.start.line, 10, 'located at the value');
  const k8s = exportKubernetes(plan, { image: 'node:20' }).warnings.map((w) => w.code);
  t.ok(k8s.includes('export-loopback') && k8s.includes('export-host-path'), 'kubernetes warns too');
});

t.test('forking, a stop command and reload are named where containers cannot carry them', async (t) => {
  const plan = await planOf(t, [
    'version: 1',
    'agents:',
    '  web:',
    '    type: forking',
    '    pid_file: web.pid',
    '    command: ["nginx"]',
    '    stop: { command: ["nginx", "-s", "quit"] }',
    '    reload: { command: ["nginx", "-s", "reload"] }',
  ]);
  for (const [target, run] of [['compose', exportCompose], ['kubernetes', exportKubernetes], ['nomad', exportNomad]] as const) {
    const warnings = run(plan, { image: 'nginx:1' }).warnings;
    const about = (field: string): string[] => warnings.filter((w) => w.message.startsWith(`agent \`web\`: \`${field}\` is`)).map((w) => w.code);
    t.same(about('type'), ['export-approximated'], `${target}: forking is named as approximated`);
    t.same(about('stop.command'), ['export-unmapped'], `${target}: the stop command is named as not mapped`);
    t.same(about('reload'), ['export-unmapped'], `${target}: reload is named as not mapped`);
  }
});
