/**
 * An invalid manifest changes nothing: with five agents running, a loop of
 * broken applies (syntax, unknown keys, cycles, bad units, unknown
 * dependencies, hostile names, unset variables) each exits 1 with a located
 * diagnostic, and the set of running pids, the applied revision and the /proc
 * process set stay exactly as they were.
 */

import { join } from 'node:path';
import t from 'tap';
import { alive, foreverManifest, Project, projectProcesses } from '../cli/project.js';
import { statusRows } from './helpers.js';

// One pass keeps CI short; INVALID_ROUNDS=5 for a longer soak of the same loop.
const ROUNDS = Number(process.env.INVALID_ROUNDS ?? 1);
const valid = foreverManifest({ a: [], b: [], c: [], d: [], e: [] });

const broken: Record<string, string> = {
  'yaml syntax': valid.replace('agents:', 'agents: [\n'),
  'unknown key': valid.replace('  a:\n', '  a:\n    depend_on: { b: started }\n'),
  'dependency cycle': valid.replace('  a:\n', '  a:\n    depends_on: { b: started }\n').replace('  b:\n', '  b:\n    depends_on: { a: started }\n'),
  'unknown dependency': valid.replace('  a:\n', '  a:\n    depends_on: { nosuch: started }\n'),
  'bad duration': valid.replace('stop: { timeout: 2s }', 'stop: { timeout: 2 fortnights }'),
  'bad size': valid.replace('  a:\n', '  a:\n    thresholds: { memory: { warn: lots } }\n'),
  'hostile name': valid.replace('  e:\n', '  "../e":\n'),
  'unset variable': valid.replace('  a:\n', '  a:\n    env: { X: "${ORCHESTRA_TEST_SURELY_UNSET}" }\n'),
  'unknown template name': valid.replace('  a:\n', '  a:\n    env: { X: "{{vars.nope}}" }\n'),
  'wrong type': valid.replace('  a:\n', '  a:\n    replicas: many\n'),
  'empty file': '',
  'not a map': '- just\n- a list\n',
};

t.test('invalid applies in a loop never touch the running fleet', async (t) => {
  const p = new Project(t, valid);
  t.equal(p.cli('apply', '--yes').code, 0);
  const pids = p.pids();
  t.equal(Object.keys(pids).length, 5);
  const procs = projectProcesses(p.dir).sort();
  const socket = join(p.stateDir, 'daemon.sock');
  const revision = () => (JSON.parse(p.cli('status', '--json').stdout) as { revision?: unknown }).revision;
  const rev = revision();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, text] of Object.entries(broken)) {
      p.write(text);
      const r = await p.cliAsync('apply', '--yes');
      t.equal(r.code, 1, `${label}: exit 1`);
      t.match(r.stderr, /orchestra\.yaml(:\d+:\d+)?/, `${label}: the diagnostic names the file`);
      t.notMatch(r.stderr, /\n\s+at .*\.js:\d+/, `${label}: no stack trace`);
      t.same(p.pids(), pids, `${label}: state.json pids unchanged`);
    }
  }
  t.same(projectProcesses(p.dir).sort(), procs, 'the same processes run');
  t.ok(Object.values(pids).every(alive), 'every original pid alive');
  const rows = await statusRows(socket);
  t.same(Object.fromEntries((rows ?? []).map((r) => [r.name, r.pid])), pids, 'the daemon reports the same pids');
  t.same(revision(), rev, 'no new revision');
});
