/**
 * A state directory too deep for a unix socket is a user error naming the
 * directory and the way out, not "internal error: listen EADDRINUSE".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { socketPathProblem, statePaths } from '../../src/daemon/paths.js';
import { runCli } from './run-cli.js';

t.test('socketPathProblem names the limit only past 107 bytes', async (t) => {
  t.equal(socketPathProblem(statePaths('/tmp/short/.orchestra')), undefined);
  const deep = `/tmp/${'d'.repeat(120)}`;
  t.match(socketPathProblem(statePaths(deep)), /too deep for the daemon's unix socket \(\d+ bytes, at most 107\); choose a shorter one with --state-dir/);
});

t.test('up and apply in a too-deep folder say so and start nothing', async (t) => {
  const root = t.testdir({});
  const dir = path.join(root, 'x'.repeat(100));
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'orchestra.yaml'), 'version: 1\nagents:\n  a:\n    command: ["sleep", "30"]\n');
  const up = runCli(['up'], { cwd: dir });
  t.equal(up.code, 1);
  t.match(up.stderr, /^orchestra up: the state directory .* is too deep for the daemon's unix socket/m);
  t.notMatch(up.stderr, /internal error/);
  const apply = runCli(['apply', '--yes'], { cwd: dir });
  t.equal(apply.code, 3);
  t.match(apply.stderr, /too deep for the daemon's unix socket/);
  t.notMatch(apply.stderr, /internal error|\n\s+at /);
});
