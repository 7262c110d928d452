import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { runCli } from './run-cli.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/import');
const chain = path.join(fixtures, 'process-compose', 'process-compose-chain.yaml');

t.test('unknown format: exit 1 with a suggestion', async (t) => {
  const r = runCli(['import', 'process-compos', chain]);
  t.equal(r.code, 1);
  t.match(r.stderr, /Unknown import format `process-compos`/);
  t.match(r.stderr, /did you mean `process-compose`\?/);
});

t.test('a missing file is an error naming it', async (t) => {
  const r = runCli(['import', 'process-compose', 'no-such.yaml']);
  t.equal(r.code, 1);
  t.match(r.stderr, /cannot read `no-such.yaml`/);
});

t.test('a YAML syntax error is located, without a stack trace, and nothing is written', async (t) => {
  const dir = t.testdir({ 'pc.yaml': 'processes:\n  a:\n    command: "echo\n  b: [\n' });
  const r = runCli(['import', 'process-compose', 'pc.yaml', '-o', 'orchestra.yaml'], { cwd: dir });
  t.equal(r.code, 1);
  t.match(r.stderr, /^pc\.yaml:\d+:\d+ error: YAML syntax error/m);
  t.notMatch(r.stderr, /\n\s+at /);
  t.notOk(existsSync(path.join(dir, 'orchestra.yaml')));
});

t.test('-o writes the manifest; warnings are printed located; --strict refuses', async (t) => {
  const dir = t.testdir({});
  const source = path.join(fixtures, 'process-compose', 'process-compose-with-log.yaml');
  const r = runCli(['import', 'process-compose', source, '-o', path.join(dir, 'orchestra.yaml')], { cwd: dir });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /process-compose-with-log\.yaml:2:1 warning: `log_level` is not imported/);
  t.match(r.stderr, /4 warnings/);
  t.match(readFileSync(path.join(dir, 'orchestra.yaml'), 'utf8'), /^# Imported from process-compose-with-log\.yaml/);
  t.equal(runCli(['validate', '-f', 'orchestra.yaml'], { cwd: dir }).code, 0);

  const strictDir = t.testdir({});
  const strict = runCli(['import', 'process-compose', source, '--strict', '-o', path.join(strictDir, 'orchestra.yaml')], { cwd: strictDir });
  t.equal(strict.code, 1);
  t.match(strict.stderr, /error: `log_level` is not imported/);
  t.notOk(existsSync(path.join(strictDir, 'orchestra.yaml')));
});

t.test('stdout and --json', async (t) => {
  const r = runCli(['import', 'process-compose', chain]);
  t.equal(r.code, 0);
  t.match(r.stdout, /^agents:\n  process1:\n/m);
  const j = runCli(['import', 'process-compose', path.join(fixtures, 'process-compose', 'process-compose-circular.yaml'), '--json']);
  t.equal(j.code, 1);
  const parsed = JSON.parse(j.stdout) as { ok: boolean; diagnostics: { code: string; file: string }[] };
  t.equal(parsed.ok, false);
  t.equal(parsed.diagnostics[0]?.code, 'dependency-cycle');
});

t.test('pm2: an ecosystem .js file is evaluated as PM2 would, in its folder with the caller environment', async (t) => {
  const dir = t.testdir({
    // Like a project of PM2's users: CommonJS (this repository itself is "type": "module").
    'package.json': '{ "type": "commonjs" }',
    'ecosystem.config.js': [
      'console.log("printed by the config, ignored");',
      'module.exports = {',
      '  apps: [{ name: "api", script: "./server.js", instances: 2,',
      '    env: { PORT: process.env.BASE_PORT || "3000", HERE: require("node:path").basename(process.cwd()) },',
      '    cron_restart: "0 0 * * *" }],',
      '};',
      '',
    ].join('\n'),
    'broken.config.js': 'module.exports = {\n  apps: [\n    { name: "x" script: "y" }\n]};\n',
    'throws.config.cjs': 'throw new Error("no apps today");\n',
  });
  const r = runCli(['import', 'pm2', 'ecosystem.config.js', '-o', 'orchestra.yaml'], { cwd: dir, env: { BASE_PORT: '4100' } });
  t.equal(r.code, 0, r.stderr);
  const manifest = readFileSync(path.join(dir, 'orchestra.yaml'), 'utf8');
  const api = (parse(manifest) as { agents: { api: { env: Record<string, string>; replicas: number } } }).agents.api;
  t.equal(api.env['PORT'], '4100', 'process.env of the caller is seen by the file');
  t.equal(api.env['HERE'], path.basename(dir), 'the file runs in its own folder');
  t.equal(api.replicas, 2);
  t.notMatch(manifest + r.stdout, /printed by the config/);
  t.match(r.stderr, /ecosystem\.config\.js \(as JSON\):\d+:\d+ warning: app `api`: `cron_restart` is not imported/);
  t.equal(runCli(['validate', '-f', 'orchestra.yaml'], { cwd: dir }).code, 0);

  const broken = runCli(['import', 'pm2', 'broken.config.js'], { cwd: dir });
  t.equal(broken.code, 1);
  t.match(broken.stderr, /^broken\.config\.js:3:1 error: evaluating the ecosystem file failed: SyntaxError/m);
  t.notMatch(broken.stderr, /\n\s+at /, 'no stack trace');

  const throws = runCli(['import', 'pm2', 'throws.config.cjs'], { cwd: dir });
  t.equal(throws.code, 1);
  t.match(throws.stderr, /throws\.config\.cjs:1:1 error: evaluating the ecosystem file failed: Error: no apps today/);
});

t.test('a secret written with escapes in a quoted source line is masked in that line too', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-import-escaped-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The diagnostic for bogus_key quotes line 3, which holds the secret as YAML wrote it (`\n`, `\"`).
  writeFileSync(
    path.join(dir, 'pc.yaml'),
    'version: "0.5"\nprocesses:\n  web: { command: "sleep 100", environment: ["API_TOKEN=line1\\nsecr\\"et-Value-456"], bogus_key: 1 }\n',
  );
  const meant = 'line1\nsecr"et-Value-456';
  const written = 'line1\\nsecr\\"et-Value-456';
  for (const args of [['-o', 'orchestra.yaml'], ['--json'], []]) {
    const r = runCli(['import', 'process-compose', 'pc.yaml', ...args], { cwd: dir });
    t.equal(r.code, 0, r.stderr);
    if (args.length === 0) t.match(r.stderr, /bogus_key/, 'the line is quoted');
    for (const [name, out] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
      for (const form of [meant, written, 'et-Value-456']) t.notOk(out.includes(form), `${name} of import ${args.join(' ')} does not show ${JSON.stringify(form)}`);
    }
  }
});

t.test('a file that fails to import does not show a secret its errors quote', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-import-unparsed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // `BROKEN` has no value: the whole environment= line is refused, so no secret was parsed out of it.
  writeFileSync(path.join(dir, 'sv.conf'), '[program:api]\ncommand=/bin/sleep 100\nenvironment=API_TOKEN="s3cr\\"et-value-123",DB_PASSWORD=plainPass99,BROKEN\n');
  for (const args of [[], ['--json']]) {
    const r = runCli(['import', 'supervisord', 'sv.conf', ...args], { cwd: dir });
    t.equal(r.code, 1);
    t.match(r.stdout + r.stderr, /`environment` must be KEY=/, 'the error is shown');
    if (args.length === 0) t.match(r.stderr, /environment=API_TOKEN=/, 'with its line');
    for (const form of ['s3cr', 'et-value-123', 'plainPass99']) t.notOk((r.stdout + r.stderr).includes(form), `import ${args.join(' ')} does not show ${form}`);
  }
  t.notOk(existsSync(path.join(dir, 'orchestra.yaml')), 'nothing written');
});
