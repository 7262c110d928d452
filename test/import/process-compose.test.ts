import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { importProcessCompose } from '../../src/import/process-compose.js';
import { pcText } from '../../src/import/process-compose-text.js';
import { writeManifest } from '../../src/import/write-manifest.js';
import { fixtures, importFile, located, writeAndLoad } from './helpers.js';

const peers = path.join(fixtures, 'process-compose');
const own = path.join(fixtures, 'own');
const update = process.env['ORCHESTRA_UPDATE_GOLDEN'] === '1';

// process-compose itself refuses these: a dependency loop, and an env_file its test creates on the fly.
const REFUSED: Record<string, string> = {
  'process-compose-circular.yaml': 'dependency-cycle',
  'process-compose-env-file.yaml': 'missing-env-file',
};

t.test('every process-compose fixture imports without a crash into a manifest orchestra accepts', async (t) => {
  const files = readdirSync(peers).filter((f) => /\.ya?ml$/.test(f));
  t.equal(files.length, 23);
  for (const name of files) {
    const dir = t.testdir({});
    const result = importFile(importProcessCompose, path.join(peers, name), dir);
    for (const d of result.diagnostics) t.ok(d.location?.file, `${name}: ${d.message} is located`);
    t.ok(result.draft, `${name} imports`);
    const { errors } = await writeAndLoad(result, dir);
    if (REFUSED[name]) t.same(errors.map((e) => e.code), [REFUSED[name]], `${name} is refused by validate`);
    else t.same(located(errors, dir), [], `${name} validates`);
  }
});

t.test('chain-with-errors: restart policy field by field', async (t) => {
  const dir = t.testdir({});
  const result = importFile(importProcessCompose, path.join(peers, 'process-compose-chain-with-errors.yaml'), dir);
  const m = parse((await writeAndLoad(result, dir)).text);
  t.same(m.defaults, { restart: { when: 'never', strategy: 'delayed', delay: '1s', max_attempts: 0 }, env: { ABC: '222' } });
  t.same(m.agents.process1, { command: ['bash', '-c', 'echo process1'], cwd: path.relative(dir, peers), depends_on: { process2: 'completed' } });
  t.same(m.agents.process3.command, ['bash', '-c', "echo 'process3 error' >&2 && exit 1"]);
  t.equal(m.agents.process3.type, 'oneshot');
  t.same(m.agents.process4.depends_on, { process5: 'completed' });
  // max_restarts: 1 is one restart, so two failed runs.
  t.same(m.agents.process5.restart, { when: 'on-failure', max_attempts: 2 });
  t.same(m.agents.process6.restart, { when: 'always', delay: '2s', max_attempts: 2 });
  t.same(located(result.diagnostics, peers), [
    'process-compose-chain-with-errors.yaml:2:1 warning: `log_level` is not imported: orchestra has no log level for its own output',
    'process-compose-chain-with-errors.yaml:30:20 warning: process `process4`: `process_completed` on `process5` waits for any exit code; orchestra\'s `completed` needs exit code 0, so a failing `process5` now blocks `process4`',
    'process-compose-chain-with-errors.yaml:47:7 warning: process `process6`: `availability.max_restarts` is approximated: orchestra counts only failed runs towards `max_attempts`; clean exits restart without limit',
  ]);
});

t.test('shutdown-inorder: names, shutdown.command and start conditions', async (t) => {
  const dir = t.testdir({});
  const result = importFile(importProcessCompose, path.join(peers, 'process-compose-shutdown-inorder.yaml'), dir);
  const m = parse((await writeAndLoad(result, dir)).text);
  t.same(Object.keys(m.agents), ['proca', 'procb', 'procc', 'procd']);
  t.same(m.agents.procb.depends_on, { procc: 'started', procd: 'started' });
  t.same(m.agents.proca.command, ['bash', '-c', 'echo "A: starting"\nsleep 30\n']);
  t.same(m.agents.proca.stop, { command: ['bash', '-c', 'printf "A: exit\\n" >> "${PC_TEST_SHUTDOWN_LOG:-}"; exit 1'] });
});

t.test('extends: a base file and process-level extends merge as process-compose does', async (t) => {
  const dir = t.testdir({});
  const withExtends = parse((await writeAndLoad(importFile(importProcessCompose, path.join(peers, 'process-compose-with-extends.yaml'), dir), dir)).text);
  t.same(withExtends.agents.process1.command, ['bash', '-c', 'echo extending']);
  t.same(withExtends.agents.process2.cwd, '/tmp', 'the base file\'s working_dir is kept');
  t.equal(Object.keys(withExtends.agents).length, 8);
  const processExtends = parse((await writeAndLoad(importFile(importProcessCompose, path.join(peers, 'process-compose-process-extends.yaml'), dir), dir)).text);
  t.same(processExtends.agents.derived, { command: ['bash', '-c', 'echo base'], cwd: '/tmp', env: { SHARED: 'base', FOO: 'override', EXTRA: '2' }, restart: { when: 'always' } });
  t.same(processExtends.agents.chain_top.command, ['bash', '-c', 'echo top']);
  t.same(processExtends.agents.chain_top.env, { SHARED: 'base', FOO: 'override', EXTRA: '2' });
});

t.test('a base file that loops back is a located error', async (t) => {
  const dir = t.testdir({ 'a.yaml': 'extends: b.yaml\nprocesses:\n  x: { command: "true" }\n', 'b.yaml': 'extends: a.yaml\nprocesses: {}\n' });
  const result = importFile(importProcessCompose, path.join(dir, 'a.yaml'), dir);
  t.equal(result.draft, undefined);
  t.same(located(result.diagnostics, dir), ['b.yaml:1:10 error: `extends` loops back to a.yaml']);
});

t.test('log-line readiness, exit_on_failure and descriptions', async (t) => {
  const dir = t.testdir({});
  const result = importFile(importProcessCompose, path.join(peers, 'process-compose-dependent-on-failing-log-line.yml'), dir);
  const m = parse((await writeAndLoad(result, dir)).text);
  t.same(m.agents.failer.readiness, { log: 'ready to accept connections' });
  t.same(m.agents.oblivious.depends_on, { failer: 'ready' });
  t.equal(m.agents.oblivious.description, 'Tries to do setup after "failer" is ready (it will never be)');
  t.match(located(result.diagnostics, peers).join('\n'), /:8:7 warning: process `failer`: `availability.restart` is approximated: `exit_on_failure`/);
});

t.test('scale: replicas', async (t) => {
  const dir = t.testdir({});
  const m = parse((await writeAndLoad(importFile(importProcessCompose, path.join(peers, 'process-compose-scale.yaml'), dir), dir)).text);
  t.equal(m.agents.process1.replicas, 2);
});

t.test('own fixture from the docs: golden output and warnings', async (t) => {
  const dir = path.join(own);
  const result = importFile(importProcessCompose, path.join(own, 'process-compose.yaml'), dir);
  const text = writeManifest(result.draft!);
  const golden = path.join(path.dirname(new URL(import.meta.url).pathname), 'golden', 'process-compose.yaml');
  if (update) writeFileSync(golden, text);
  t.equal(text, readFileSync(golden, 'utf8'));
  const m = parse(text);
  t.same(m.agents.db.stop, { signal: 'SIGINT', timeout: '30s', mode: 'main' });
  t.same(m.agents.db.readiness.exec, ['bash', '-c', 'pg_isready -p $${PGPORT}']);
  t.equal(m.agents.db.liveness.failures, 4);
  t.same(m.agents.migrate.restart, { when: 'on-failure', max_attempts: 3 });
  t.same(m.agents.web.command, ['python3', '-m', 'http.server', '8080']);
  t.equal(m.agents.web.liveness.http, 'http://127.0.0.1:8080/health');
  t.same(m.agents.web.depends_on, { migrate: 'completed', cache: 'ready' });
  t.equal(m.agents.cache.readiness.log, 'Ready to accept connections \\(tcp\\)');
  t.equal(m.agents.nginx.type, 'oneshot');
  t.same(m.agents.nginx.stop, { command: ['docker', 'stop', 'nginx_test'] });
  t.equal(m.agents.report_job.disabled, true);
  t.same(located(result.diagnostics, own), [
    'process-compose.yaml:4:1 warning: `log_level` is not imported: orchestra has no log level for its own output',
    'process-compose.yaml:51:5 warning: process `web`: `namespace` is not imported: orchestra has no namespaces; every agent belongs to the one manifest',
    "process-compose.yaml:46:7 warning: process `web`: `liveness_probe`: process-compose wants status 200 exactly; orchestra's http probe accepts any 2xx or 3xx answer",
    'process-compose.yaml:57:5 warning: process `nginx`: `is_daemon` is not imported: process-compose never learns the pid of the background process, so orchestra cannot supervise it; if the daemon writes a pid file, set `type: forking` and `pid_file` here (it is imported as a command that runs to completion)',
  ]);
  const dir2 = t.testdir({});
  const { errors } = await writeAndLoad(importFile(importProcessCompose, path.join(own, 'process-compose.yaml'), dir2), dir2);
  t.same(errors, []);
});

t.test('environment expansion: unset is empty in process-compose, so ${VAR:-}', async (t) => {
  const warnings: string[] = [];
  const ctx = { envExpansion: true, warn: (m: string) => warnings.push(m) };
  t.equal(pcText('a $HOME ${USER} ${X:-d} ${Y-e} ${Z:=f} $$LIT $$ $1 $', ctx), 'a ${HOME:-} ${USER:-} ${X:-d} ${Y-e} ${Z:-f} $$LIT $$ $1 $');
  t.equal(pcText('${A:-${B}}', ctx), '${A:-${B:-}}');
  t.equal(pcText('${#A}', ctx), '$${#A}');
  t.equal(pcText('${A^^}', ctx), '${A:-}');
  t.equal(warnings.length, 2);
  t.equal(pcText('echo $HOME $$ ${X}', { envExpansion: false, warn: () => {} }), 'echo $HOME $$$$ $${X}', 'disable_env_expansion keeps every $');
  const vars = new Map([['PORT', '80']]);
  t.equal(pcText('{{.PORT}} {{.PC_REPLICA_NUM}} {{ "{{.State}}" }}', { envExpansion: true, vars, warn: () => {} }), '80 {{replica.index}} \\{{.State}}');
  t.equal(pcText('{{ .PORT }}', { envExpansion: true, warn: () => {} }), '\\{{ .PORT }}', 'outside rendered fields templates are literal');
});
