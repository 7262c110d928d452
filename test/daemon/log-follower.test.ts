import { appendFileSync, copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import fc from 'fast-check';
import { followLog, readLogTail } from '../../src/daemon/log-follower.js';
import { rotateLog } from '../../src/supervise/log-rotation.js';

/** Follows a file and collects what the follower reports; `next` waits for the condition. */
function watch(t: Tap, file: string, tail: number, secrets: string[] = []) {
  const seen: { lines: string[]; initial: boolean[]; missing: number } = { lines: [], initial: [], missing: 0 };
  let wake: (() => void) | undefined;
  const stop = followLog(file, { tail, secrets, pollMs: 20 }, {
    lines: (lines, initial) => {
      seen.lines.push(...lines);
      seen.initial.push(initial);
      wake?.();
    },
    missing: () => {
      seen.missing++;
      wake?.();
    },
  });
  t.teardown(stop);
  const until = async (ok: () => boolean): Promise<void> => {
    while (!ok()) await new Promise<void>((r) => (wake = r));
  };
  return { seen, until };
}

type Tap = { teardown(fn: () => unknown): void };

function tempDir(t: Tap): string {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-follow-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('sends the last lines, then each new complete line', async (t) => {
  const file = join(tempDir(t), 'a.log');
  writeFileSync(file, Array.from({ length: 300 }, (_, i) => `old ${i}`).join('\n') + '\n');
  const { seen, until } = watch(t, file, 200);
  await until(() => seen.lines.length >= 200);
  t.equal(seen.lines[0], 'old 100');
  t.equal(seen.lines.at(-1), 'old 299');
  t.same(seen.initial, [true]);
  appendFileSync(file, 'new one\nhalf');
  await until(() => seen.lines.includes('new one'));
  t.notOk(seen.lines.includes('half'), 'a partial line waits for its newline');
  appendFileSync(file, ' done\n');
  await until(() => seen.lines.includes('half done'));
  t.same(seen.initial.slice(1), seen.initial.slice(1).map(() => false));
});

t.test('follows across a copy-truncate rotation without losing the lines written just before it', async (t) => {
  const file = join(tempDir(t), 'r.log');
  const before = Array.from({ length: 50 }, (_, i) => `before ${i}`);
  writeFileSync(file, before.join('\n') + '\n');
  const { seen, until } = watch(t, file, 200);
  await until(() => seen.lines.includes('before 49'));
  // What rotateLog does: copy everything into .1, then truncate; "unread" was never seen here, and the
  // new line is longer than the unread part, so the file's size alone would not show the rotation.
  appendFileSync(file, 'unread\n');
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  appendFileSync(file, 'after rotation, a line longer than the unread one\n');
  await until(() => seen.lines.includes('after rotation, a line longer than the unread one'));
  t.same(seen.lines, [...before, 'unread', 'after rotation, a line longer than the unread one']);
});

t.test('follows through two rotations by the supervisor\'s own rotateLog', async (t) => {
  const file = join(tempDir(t), 'real.log');
  const block = (tag: string) => Array.from({ length: 40 }, (_, i) => `${tag} ${i}`);
  writeFileSync(file, block('a').join('\n') + '\n');
  const { seen, until } = watch(t, file, 200);
  await until(() => seen.lines.includes('a 39'));
  for (const tag of ['b', 'c']) {
    appendFileSync(file, 'unseen ' + tag + '\n');
    await rotateLog(file, 3, undefined, []);
    appendFileSync(file, block(tag).join('\n') + '\n');
    await until(() => seen.lines.includes(`${tag} 39`));
  }
  t.same(seen.lines, [...block('a'), 'unseen b', ...block('b'), 'unseen c', ...block('c')], 'every line once, in order');
});

t.test('says when the file does not exist, then shows it once it does', async (t) => {
  const file = join(tempDir(t), 'later.log');
  const { seen, until } = watch(t, file, 200);
  await until(() => seen.missing === 1);
  writeFileSync(file, 'born\n');
  await until(() => seen.lines.includes('born'));
  t.equal(seen.missing, 1, 'reported once per absence');
});

t.test('masks secret values in every line', async (t) => {
  const file = join(tempDir(t), 's.log');
  writeFileSync(file, 'token hunter2-abc here\n');
  const { seen, until } = watch(t, file, 200, ['hunter2-abc']);
  await until(() => seen.lines.length === 1);
  t.same(seen.lines, ['token *** here']);
});

/** What the snapshot's tail is: the last `n` complete lines of the last `window` bytes, from a line boundary. */
function tailOfWindow(bytes: Buffer, n: number, window: number): string[] {
  const from = Math.max(0, bytes.length - window);
  let text = bytes.subarray(from).toString('utf8');
  if (from > 0) text = text.slice(text.indexOf('\n') + 1);
  const lines = text.split('\n');
  lines.pop();
  return lines.slice(Math.max(0, lines.length - n));
}

t.test('readLogTail: the last complete lines of the window, read backwards in chunks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-tail-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'a.log');
  t.equal(readLogTail(file, 5, []), undefined, 'no file: undefined');
  writeFileSync(file, '');
  t.same(readLogTail(file, 5, []), [], 'empty file: no lines');
  writeFileSync(file, 'one\ntwo\npartial');
  t.same(readLogTail(file, 5, []), ['one', 'two'], 'a line still being written is not shown');
  writeFileSync(file, 'token=s3cret\nok\n');
  t.same(readLogTail(file, 5, ['s3cret']), ['token=***', 'ok'], 'masked');
  // Lines of any text and length (some longer than a 16 KiB chunk), windows smaller and larger than the file.
  const line = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 5000, maxLength: 20000 })).map((l) => l.replace(/\n/g, ' '));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 60 }), fc.boolean(), fc.nat(25), fc.integer({ min: 1, max: 200_000 }), (lines, endsWithNewline, n, window) => {
      const bytes = Buffer.from(lines.join('\n') + (endsWithNewline ? '\n' : ''));
      writeFileSync(file, bytes);
      const got = readLogTail(file, n, [], window);
      const want = tailOfWindow(bytes, n, window).map((l) => (l.length > 8192 ? `${l.slice(0, 8192)}\u2026` : l));
      return JSON.stringify(got) === JSON.stringify(want);
    }),
    { numRuns: 200 },
  );
});
