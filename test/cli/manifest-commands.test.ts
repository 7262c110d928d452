import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { runCli } from './run-cli.js';

const quickstart = 'examples/quickstart/orchestra.yaml';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('validate accepts the quickstart', async (t) => {
  const r = runCli(['validate', '-f', quickstart]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^quickstart: valid, 4 agents, 5 instances$/m);
});

t.test('validate --env production counts the overlay replicas', async (t) => {
  const r = runCli(['validate', '-f', quickstart, '--env', 'production']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /valid \(environment production\), 4 agents, 7 instances/);
});

t.test('validate reports every error with file:line:col and exits 1, no stack trace', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'orchestra.yaml');
  writeFileSync(
    file,
    ['version: 1', 'agents:', '  api:', '    command: ["node", "api.js"]', '    depend_on: { db: ready }', '  web:', '    command: ["node"]', '    stop: { timeout: 10 }', ''].join('\n'),
  );
  const r = runCli(['validate', '-f', file], { cwd: dir });
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /orchestra\.yaml:5:5 error: .*depend_on/);
  t.match(r.stderr, /did you mean "depends_on"\?/);
  t.match(r.stderr, /orchestra\.yaml:8:\d+ error: .*duration/);
  t.notMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
});

t.test('validate --json prints diagnostics as JSON', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'orchestra.yaml');
  writeFileSync(file, 'version: 1\nagents:\n  api:\n    command: ["x"]\n    depends_on: { nope: ready }\n');
  const r = runCli(['validate', '--json', '-f', file], { cwd: dir });
  t.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { valid: boolean; diagnostics: unknown };
  t.equal(out.valid, false);
  t.match(JSON.stringify(out.diagnostics), /nope/);
});

t.test('a missing manifest is a user error naming the file', async (t) => {
  const dir = tempDir(t);
  const r = runCli(['validate'], { cwd: dir });
  t.equal(r.code, 1);
  t.match(r.stderr, /orchestra\.yaml/);
});

t.test('config prints the resolved manifest with secrets masked', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'orchestra.yaml');
  writeFileSync(
    file,
    'version: 1\nname: demo\nagents:\n  api:\n    command: ["node", "api.js"]\n    env: { DB_PASSWORD: hunter2, PORT: "8080" }\n',
  );
  const masked = runCli(['config', '-f', file], { cwd: dir });
  t.equal(masked.code, 0, masked.stderr);
  t.notMatch(masked.stdout, /hunter2/);
  const doc = parse(masked.stdout) as { agents: Record<string, { env: Record<string, string> }> };
  t.equal(doc.agents.api!.env.DB_PASSWORD, '***');
  t.equal(doc.agents.api!.env.PORT, '8080');
  const shown = runCli(['config', '--json', '--show-secrets', '-f', file], { cwd: dir });
  t.equal(shown.code, 0, shown.stderr);
  t.equal((JSON.parse(shown.stdout) as typeof doc).agents.api!.env.DB_PASSWORD, 'hunter2');
});

t.test('config applies --set and -f overlays', async (t) => {
  const r = runCli(['config', '--json', '-f', quickstart, '--set', 'agents.worker.replicas=3']);
  t.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { agents: Record<string, unknown> };
  t.ok(doc.agents['worker-2'], 'a third worker instance');
});

t.test('graph shows levels, dot and mermaid', async (t) => {
  const text = runCli(['graph', '-f', quickstart]);
  t.equal(text.code, 0, text.stderr);
  t.equal(
    text.stdout,
    [
      'level 0',
      '  store',
      'level 1',
      '  migrate (oneshot)  <- store ready',
      'level 2',
      '  api  <- migrate completed; store ready, restarts with it',
      'level 3',
      '  worker (×2)  <- api ready',
      '',
    ].join('\n'),
  );
  const dot = runCli(['graph', '-f', quickstart, '--format', 'dot']);
  t.match(dot.stdout, /"store" -> "migrate" \[label="ready"\]/);
  t.match(dot.stdout, /"store" -> "api" \[label="ready", style=bold\]/);
  const mermaid = runCli(['graph', '-f', quickstart, '--format', 'mermaid']);
  t.match(mermaid.stdout, /^flowchart LR/);
  t.match(mermaid.stdout, /-->\|completed\|/);
  const bad = runCli(['graph', '-f', quickstart, '--format', 'svg']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /svg/);
});

t.test('init writes a manifest that validates, and refuses to overwrite', async (t) => {
  const dir = tempDir(t);
  const r = runCli(['init'], { cwd: dir });
  t.equal(r.code, 0, r.stderr);
  const text = readFileSync(join(dir, 'orchestra.yaml'), 'utf8');
  t.match(text, /^# yaml-language-server: \$schema=.*orchestra\.schema\.json$/m);
  const v = runCli(['validate'], { cwd: dir });
  t.equal(v.code, 0, v.stderr);
  const again = runCli(['init'], { cwd: dir });
  t.equal(again.code, 1);
  t.match(again.stderr, /already exists/);
  t.equal(readFileSync(join(dir, 'orchestra.yaml'), 'utf8'), text, 'left untouched');
});

t.test('unknown commands and flags get a suggestion', async (t) => {
  const cmd = runCli(['valdate']);
  t.equal(cmd.code, 1);
  t.match(cmd.stderr, /Did you mean validate\?/);
  const flag = runCli(['validate', '--jsn']);
  t.equal(flag.code, 1);
  t.match(flag.stderr, /Did you mean --json\?/);
});

t.test('--help on every command', async (t) => {
  const main = runCli(['--help']);
  t.equal(main.code, 0);
  for (const command of ['validate', 'config', 'graph', 'init', 'up', 'export']) {
    t.match(main.stdout, new RegExp(`^  ${command}\\b`, 'm'), `lists ${command}`);
    const r = runCli([command, '--help']);
    t.equal(r.code, 0, `${command} --help`);
    t.match(r.stdout, new RegExp(`Usage: orchestra ${command}`));
  }
});
