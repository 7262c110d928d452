import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type * as Tap from 'tap';
import { writeOutputFile } from '../../src/cli/output-file.js';
import { runCli } from './run-cli.js';

const MANIFEST = 'version: 1\nagents:\n  web:\n    command: ["sleep", "1000"]\n';

function project(t: Tap.Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-out-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'orchestra.yaml'), MANIFEST);
  writeFileSync(join(dir, 'afile'), 'not a folder\n');
  writeFileSync(join(dir, 'Procfile'), 'web: sleep 1000\n');
  return dir;
}

t.test('a path a flag names that cannot be written is an error naming the flag and the path, not an internal error', async (t) => {
  const dir = project(t);
  const cases: [string[], RegExp][] = [
    [['plan', '--out', 'missing/x.plan'], /^orchestra plan: cannot write --out missing\/x\.plan: its folder does not exist$/m],
    [['export', 'systemd', '-o', 'afile/units/'], /cannot write -o \S*afile\/units\/\S+\.service: a part of the path is a file, not a folder/],
    [['export', 'compose', '--image', 'node:20', '-o', 'afile/compose.yaml'], /cannot write -o \S*afile\/compose\.yaml: a part of the path is a file, not a folder/],
    [['import', 'procfile', 'Procfile', '-o', 'afile/orchestra.yaml'], /cannot write -o afile\/orchestra\.yaml: a part of the path is a file, not a folder/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args, { cwd: dir });
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.notMatch(r.stderr, /internal error|\n\s+at /, `${args.join(' ')}: no internal error, no stack`);
  }
  t.notOk(existsSync(join(dir, 'missing')), 'nothing was created for the plan');
});

t.test('writeOutputFile writes, creates folders when asked, and says why it cannot', async (t) => {
  const dir = project(t);
  t.equal(writeOutputFile(join(dir, 'a', 'b.txt'), 'x', '-o', { createFolders: true }), undefined);
  t.ok(existsSync(join(dir, 'a', 'b.txt')));
  t.equal(writeOutputFile(dir, 'x', '-o'), `cannot write -o ${dir}: it is a folder`);
});
