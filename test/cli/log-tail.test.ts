import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readTail } from '../../src/cli/log-tail.js';
import { lastLines } from '../../src/cli/logs.js';
import { cliPath } from './run-cli.js';

t.test('readTail gives the same last lines as reading the whole file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-log-tail-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const long = 'x'.repeat(70 * 1024); // longer than a chunk: lines that span chunk boundaries
  const texts = ['', '\n', 'one', 'one\n', 'a\nb\nc', 'a\nb\nc\n', 'a\n\n\n', `é${long}\nü\n${long}é\nend`, `${long}\n${long}\n${long}\n`];
  const file = join(dir, 'a.log');
  for (const text of texts) {
    writeFileSync(file, text);
    for (const n of [0, 1, 2, 3, 5]) {
      const { text: got, size } = await readTail(file, n);
      t.equal(size, Buffer.byteLength(text));
      t.same(lastLines(got, n), lastLines(text, n), `${JSON.stringify(text.slice(0, 12))}… n=${n}`);
    }
  }
});

t.test('orchestra logs --tail on a 256 MiB log uses far less memory than the file', { skip: !existsSync('/usr/bin/time') && 'no /usr/bin/time' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-log-tail-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'orchestra.yaml'), 'version: 1\nagents:\n  big:\n    command: ["true"]\n');
  mkdirSync(join(dir, '.orchestra', 'logs'), { recursive: true, mode: 0o700 });
  const log = join(dir, '.orchestra', 'logs', 'big.log');
  const block = Buffer.from(Array.from({ length: 16 * 1024 }, (_, i) => `line ${String(i).padStart(57, '0')}\n`).join(''));
  const fd = openSync(log, 'w');
  const fileSize = 256 * 1024 * 1024;
  for (let written = 0; written < fileSize; written += block.length) writeSync(fd, block);
  writeSync(fd, 'the very last line\n');
  closeSync(fd);
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, cliPath, 'logs', 'big', '--tail', '3'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /the very last line\n$/);
  t.equal(r.stdout.split('\n').length, 4, 'three lines');
  const kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  t.ok(kib > 0, 'max RSS measured');
  t.comment(`max RSS ${(kib / 1024).toFixed(0)} MiB for a ${fileSize / 1024 / 1024} MiB log`);
  t.ok(kib * 1024 < fileSize / 2, `max RSS ${kib} KiB is far below the file size`);
});
