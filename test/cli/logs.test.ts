import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { logsOf } from '../../src/cli/logs.js';
import { Project } from './project.js';
import { cliPath } from './run-cli.js';

const MANIFEST = [
  'version: 1',
  'agents:',
  '  api:',
  '    replicas: 2',
  '    command: ["sh", "-c", "echo replica of api; exec sleep 1000"]',
  '    stop: { timeout: 2s }',
  '  api-2:',
  '    command: ["sh", "-c", "echo agent api-2; exec sleep 1000"]',
  '    stop: { timeout: 2s }',
  '',
].join('\n');

t.test('an agent whose name looks like a replica of another is not shown with it', async (t) => {
  const p = new Project(t, MANIFEST);
  const applied = await p.cliAsync('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  const logged = (name: string): string => {
    try {
      return readFileSync(join(p.stateDir, 'logs', `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  while (['api-0', 'api-1', 'api-2'].some((n) => logged(n) === '') && Date.now() < deadline) await sleep(100);

  const api = await p.cliAsync('logs', 'api');
  t.equal(api.code, 0, api.stderr);
  t.equal(api.stdout, 'api-0 | replica of api\napi-1 | replica of api\n', 'the two replicas of api, and not agent api-2');
  const other = await p.cliAsync('logs', 'api-2');
  t.equal(other.stdout, 'agent api-2\n');
  const one = await p.cliAsync('logs', 'api-1');
  t.equal(one.stdout, 'replica of api\n', 'one instance by its name');
  const unknown = await p.cliAsync('logs', 'apx');
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /no logs for "apx"; did you mean "api"\?/);
});

t.test('with no revision to read, names are matched by their log files alone', async (t) => {
  const files = ['api-0', 'api-1', 'api-2', 'web'];
  t.same(logsOf('api', files, undefined), ['api-0', 'api-1', 'api-2']);
  t.same(logsOf('web', files, undefined), ['web']);
  const plan = new Map([['api', ['api-0', 'api-1']], ['api-2', ['api-2']], ['web', ['web']]]);
  t.same(logsOf('api', files, plan), ['api-0', 'api-1']);
  t.same(logsOf('old', [...files, 'old'], plan), ['old'], 'the log of an agent no longer in the plan is still found by its file');
  t.same(logsOf('ap', files, plan), []);
});

t.test('logs -f prints a line the agent was still writing once, whole', async (t) => {
  const agent = 'process.stdout.write("abc"); const go = setInterval(() => { if (require("fs").existsSync("go")) { clearInterval(go); process.stdout.write("def\\n"); } }, 50); setInterval(() => {}, 1e9);';
  const p = new Project(t, ['version: 1', 'agents:', '  web:', `    command: ["node", "-e", ${JSON.stringify(agent)}]`, '    stop: { timeout: 2s }', ''].join('\n'));
  t.equal((await p.cliAsync('apply', '--yes')).code, 0);
  const log = join(p.stateDir, 'logs', 'web.log');
  const deadline = Date.now() + 60_000;
  const read = (): string => {
    try {
      return readFileSync(log, 'utf8');
    } catch {
      return '';
    }
  };
  while (read() !== 'abc' && Date.now() < deadline) await sleep(50);
  t.equal(read(), 'abc', 'the agent has written half a line');
  const follow = spawn(process.execPath, [cliPath, 'logs', '-f', 'web'], { cwd: p.dir, env: { ...process.env, NO_COLOR: '1' } });
  t.teardown(() => {
    if (follow.exitCode === null) follow.kill('SIGKILL');
  });
  let out = '';
  follow.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  // Give the first read time to happen before the line is finished.
  await sleep(1000);
  writeFileSync(join(p.dir, 'go'), '');
  while (!out.includes('def') && Date.now() < deadline) await sleep(50);
  follow.kill('SIGTERM');
  t.equal(out, 'abcdef\n');
});
