/**
 * A refused `apply` stops the daemon it started for nothing (decisions.md):
 * after each refusal no daemon-main for the state directory is left in
 * /proc and `status` reports nothing applied; a daemon that was already
 * running is left alone.
 */

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import t, { type Test } from 'tap';
import { daemonProcesses, foreverManifest, Project } from './project.js';
import { cliPath } from './run-cli.js';

function assertNoDaemon(t: Test, p: Project): void {
  t.same(daemonProcesses(p.stateDir), [], 'no daemon process left for the state directory');
  const status = p.cli('status');
  t.match(status.stderr, /nothing is applied/, 'status: nothing applied');
  t.same(daemonProcesses(p.stateDir), [], 'status started none either');
}

t.test('not a terminal and no --yes', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  const r = p.cli('apply');
  t.equal(r.code, 1);
  t.match(r.stderr, /not a terminal/);
  assertNoDaemon(t, p);
});

t.test('the plan has no changes', async (t) => {
  const p = new Project(t, 'version: 1\nname: test\nagents: {}\n');
  const r = p.cli('apply', '--yes');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /No changes/);
  assertNoDaemon(t, p);
});

t.test('the manifest is invalid', async (t) => {
  const p = new Project(t, 'version: 1\nname: test\nagents:\n  a: { comand: [x] }\n');
  const r = p.cli('apply', '--yes');
  t.equal(r.code, 1);
  assertNoDaemon(t, p);
});

t.test('the user answers no on a terminal', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  // script(1) gives the CLI a terminal; "no" is typed into it.
  const r = spawnSync('script', ['-qec', `${process.execPath} ${cliPath} apply`, '/dev/null'], { cwd: p.dir, input: 'no\n', encoding: 'utf8', timeout: 60_000 });
  t.match(r.stdout, /Apply cancelled/, r.stdout + r.stderr);
  assertNoDaemon(t, p);
});

t.test('a stale saved plan', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  t.equal(p.cli('plan', '--out', 'saved.json').code, 0);
  t.equal(p.cli('down').code, 0);
  rmSync(p.stateDir, { recursive: true, force: true });
  const r = p.cli('apply', 'saved.json', '--yes');
  t.equal(r.code, 1);
  t.match(r.stderr, /stale/);
  assertNoDaemon(t, p);
});

t.test('a daemon that was already running is left alone', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const daemon = p.daemonPid();
  t.ok(daemon);
  const r = p.cli('apply');
  t.match(r.stdout, /No changes/);
  t.same(daemonProcesses(p.stateDir), [daemon], 'the same daemon still runs');
});
