import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { concatenate, destinationsFor, findOnPath, runExport, type ExportCommandOptions } from '../../src/cli/export.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const quickstart = path.join(repo, 'examples/quickstart/orchestra.yaml');

/** Runs the command with stdout and stderr captured (restored before returning, even on a throw). */
async function run(options: Partial<ExportCommandOptions>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await runExport({ target: 'compose', files: [quickstart], strict: false, json: false, color: false, ...options });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

t.test('unknown target: exit 1 with a suggestion and the list', async (t) => {
  const r = await run({ target: 'kubernets' });
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /Unknown export target `kubernets`/);
  t.match(r.stderr, /did you mean `kubernetes`\?/);
  t.match(r.stderr, /systemd, kubernetes, compose, nomad/);
});

t.test('an invalid manifest: exit 1, nothing on stdout', async (t) => {
  const dir = t.testdir({ 'orchestra.yaml': 'version: 1\nagents:\n  a:\n    command: ["true"]\n    restart: { when: sometimes }\n' });
  const r = await run({ target: 'systemd', files: [path.join(dir, 'orchestra.yaml')] });
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /orchestra\.yaml:5/);
});

t.test('compose without an image is an error; with --image it prints the file', async (t) => {
  const missing = await run({ target: 'compose' });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no container image/);
  t.equal(missing.stdout, '');

  const r = await run({ target: 'compose', image: 'node:20-alpine' });
  t.equal(r.code, 0);
  const doc = parse(r.stdout);
  t.equal(doc.name, 'quickstart');
  t.equal(doc.services.api.image, 'node:20-alpine');
  t.match(r.stderr, /warning/);
  t.match(r.stderr, /`worker`: `env\.WORKER_ID` is not mapped to compose/);
});

t.test('--strict turns warnings into errors', async (t) => {
  const r = await run({ target: 'compose', image: 'node:20-alpine', strict: true });
  t.equal(r.code, 1);
  t.equal(r.stdout, '', 'nothing is exported');
  t.match(r.stderr, /error/);
  t.match(r.stderr, /--strict/);
});

t.test('systemd to stdout: every file under a header', async (t) => {
  const r = await run({ target: 'systemd' });
  t.equal(r.code, 0);
  t.match(r.stdout, /^# file: quickstart-store\.service\n/);
  t.match(r.stdout, /\n# file: quickstart\.target\n/);
  t.match(r.stdout, new RegExp(`ExecStart=${findOnPath('node') ?? '/usr/bin/env node'} store\\.js`));
  t.match(r.stdout, new RegExp(`WorkingDirectory=${path.join(repo, 'examples/quickstart')}\n`));
});

t.test('-o DIR writes the units and says so; a second run overwrites', async (t) => {
  const dir = path.join(t.testdir({}), 'units');
  const first = await run({ target: 'systemd', out: dir });
  t.equal(first.code, 0);
  t.equal(first.stdout, '');
  t.same(readdirSync(dir).sort(), [
    'quickstart-api.service',
    'quickstart-migrate.service',
    'quickstart-store.service',
    'quickstart-worker-0.service',
    'quickstart-worker-1.service',
    'quickstart.target',
  ]);
  t.match(first.stderr, /^wrote .*quickstart-api\.service$/m);
  const second = await run({ target: 'systemd', out: dir });
  t.equal(second.code, 0);
  t.match(second.stderr, /^overwrote .*quickstart\.target$/m);
});

t.test('-o FILE for a single-file target, --json output', async (t) => {
  const dir = t.testdir({});
  const file = path.join(dir, 'job.json');
  const r = await run({ target: 'nomad', out: file, json: true });
  t.equal(r.code, 0);
  t.ok(existsSync(file));
  t.equal(JSON.parse(readFileSync(file, 'utf8')).Job.ID, 'quickstart');
  const report = JSON.parse(r.stdout);
  t.equal(report.ok, true);
  t.same(report.written, [{ path: file, overwritten: false }]);
  t.ok(report.diagnostics.warnings > 0);
  t.equal(r.stderr, '', '--json keeps stderr quiet');

  const printed = await run({ target: 'kubernetes', image: 'x:1', json: true });
  t.equal(printed.code, 0);
  t.same(JSON.parse(printed.stdout).files.map((f: { path: string }) => f.path), ['quickstart.k8s.yaml']);
});

t.test('destinations and helpers', async (t) => {
  const dir = t.testdir({ 'a-file': 'x' });
  const one = [{ path: 'x.yaml', content: '' }];
  const two = [...one, { path: 'y.yaml', content: '' }];
  t.same(destinationsFor(path.join(dir, 'out.yaml'), one), { list: [{ file: one[0], to: path.join(dir, 'out.yaml') }] });
  t.same(destinationsFor(dir, one), { list: [{ file: one[0], to: path.join(dir, 'x.yaml') }] });
  t.same(destinationsFor(path.join(dir, 'new') + '/', one), { list: [{ file: one[0], to: path.join(dir, 'new', 'x.yaml') }] });
  const bad = destinationsFor(path.join(dir, 'a-file'), two);
  t.ok('error' in bad && bad.error.code === 'export-out-not-directory');
  t.equal(concatenate(one), '');
  t.equal(concatenate([{ path: 'a', content: 'A\n' }, { path: 'b', content: 'B\n' }]), '# file: a\nA\n\n# file: b\nB\n');
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'tool'), '#!/bin/sh\n');
  chmodSync(path.join(bin, 'tool'), 0o755);
  writeFileSync(path.join(bin, 'not-executable'), 'x');
  t.equal(findOnPath('tool', ['relative', bin].join(path.delimiter)), path.join(bin, 'tool'));
  t.equal(findOnPath('no-such-tool-here', bin), undefined);
  t.equal(findOnPath('not-executable', bin), undefined);
});

t.test('x-export.image in the manifest reaches the container targets', async (t) => {
  const dir = t.testdir({
    'orchestra.yaml': [
      'version: 1',
      'name: imgs',
      'agents:',
      '  web:',
      '    command: ["node", "web.js"]',
      '    x-export: { image: "ghcr.io/acme/web:2" }',
      '',
    ].join('\n'),
  });
  const r = await run({ target: 'compose', files: [path.join(dir, 'orchestra.yaml')] });
  t.equal(r.code, 0, r.stderr);
  t.equal(parse(r.stdout).services.web.image, 'ghcr.io/acme/web:2');
  const k = await run({ target: 'kubernetes', files: [path.join(dir, 'orchestra.yaml')] });
  t.equal(k.code, 0);
  t.match(k.stdout, /image: ghcr\.io\/acme\/web:2/);
  t.match(k.stderr, /`web`: `restart` is approximated/, 'the default restart policy is not the kubelet\'s');
  const s = await run({ target: 'systemd', files: [path.join(dir, 'orchestra.yaml')], strict: true });
  t.equal(s.code, 0, 'systemd loses nothing of a plain agent, so --strict passes');
  t.equal(s.stderr, '');
});
