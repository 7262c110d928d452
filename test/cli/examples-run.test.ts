/**
 * The README's quick start and every `npx orchestra …` line written in an
 * example's comments run as written, against a copy of examples/ in a temp
 * folder (so no state lands in the repository): the commands exit 0, a fleet
 * they start comes up, and `down` (or SIGTERM to `up`) leaves no process.
 */

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { until } from '../helpers/until.js';
import { alive } from './project.js';
import { cliPath, repoRoot, runCli, runCliAsync } from './run-cli.js';

interface Status {
  agents: { name: string; type: string; state: string; pid?: number }[];
}

/** A copy of examples/ under a fresh temp folder, removed (with anything left running in it) at teardown. */
function copyOfExamples(t: Test): string {
  const root = mkdtempSync(join(tmpdir(), 'orchestra-examples-'));
  cpSync(join(repoRoot, 'examples'), join(root, 'examples'), { recursive: true });
  t.teardown(() => {
    for (const pid of processesUnder(root)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  });
  return root;
}

/** Pids of live processes whose working directory is inside `root`. */
function processesUnder(root: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readlinkSync(`/proc/${d}/cwd`).startsWith(root) && alive(Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The `-f FILE` arguments of a command line. */
function files(args: string[]): string[] {
  return args.flatMap((a, i) => (args[i - 1] === '-f' ? ['-f', a] : []));
}

/** Every service of the fleet is running and every oneshot has exited. */
function upAndSettled(root: string, args: string[]): boolean {
  const r = runCli(['status', '--json', ...files(args)], { cwd: root });
  if (r.code !== 0) return false;
  const s = JSON.parse(r.stdout) as Status;
  return s.agents.length > 0 && s.agents.every((a) => (a.type === 'oneshot' ? a.state === 'exited' : a.state === 'running'));
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const quickStart = /```sh\n([^\n]*)\n([^\n]*)\n```/.exec(readme);

t.test('the README quick start: its first line installs and runs the quickstart fleet; down ends it', async (t) => {
  t.ok(quickStart, 'README starts with a two-line sh block');
  const [, first, second] = quickStart!;
  t.equal(second, 'npm test');
  const m = /^npm install && npx orchestra (.+)$/.exec(first!);
  t.ok(m, `first line installs, then runs orchestra: ${first}`);
  const args = m![1]!.split(/\s+/);
  const root = copyOfExamples(t);
  const apply = await runCliAsync(args, { cwd: root });
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /Apply complete/);
  await until(() => upAndSettled(root, args), 'every quickstart service running', 60_000, 200);
  const down = runCli(['down', ...files(args)], { cwd: root });
  t.equal(down.code, 0, down.stderr);
  await until(() => processesUnder(root).length === 0, 'no process left after down', 30_000, 100);
});

const commented = readdirSync(join(repoRoot, 'examples'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => [...readFileSync(join(repoRoot, 'examples', f), 'utf8').matchAll(/^#\s+npx orchestra (.+)$/gm)].map((m) => ({ file: f, args: m[1]!.trim().split(/\s+/) })));

t.ok(commented.length >= 5, 'examples document their commands');
for (const { file, args } of commented) {
  t.test(`examples/${file}: orchestra ${args.join(' ')}`, async (t) => {
    const root = copyOfExamples(t);
    if (args[0] !== 'up') {
      const r = await runCliAsync(args, { cwd: root });
      t.equal(r.code, 0, r.stderr);
      t.not(r.stdout.trim(), '', 'prints something');
      return;
    }
    // `up` runs in the foreground until SIGTERM, like docker compose up.
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until(() => child.exitCode !== null || upAndSettled(root, args), 'the fleet up', 60_000, 200);
    t.equal(child.exitCode, null, `up still runs:\n${out}`);
    child.kill('SIGTERM');
    t.equal(await exited, 0, out);
    await until(() => processesUnder(root).length === 0, 'no process left after up ends', 30_000, 100);
  });
}
