import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { alive, foreverManifest, Project } from './project.js';
import { cliPath } from './run-cli.js';

/** Polls `check` until it holds or the time is up. */
async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const recorder = `notify: { command: ["node", "-e", "require('fs').appendFileSync('notes.jsonl', require('fs').readFileSync(0))"] }`;

function notes(p: Project): { kind: string; message: string }[] {
  const file = join(p.dir, 'notes.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; message: string });
}

t.test('apply --watch re-applies edits, ignores invalid ones, and notify hears both', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }, [recorder]));
  const watcher = spawn(process.execPath, [cliPath, 'apply', '--watch', '--yes'], {
    cwd: p.dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  t.teardown(() => {
    if (watcher.exitCode === null) watcher.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  watcher.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  watcher.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));

  await until(() => out.includes('Watching'), 'the first apply');
  t.match(out, /Plan: 1 to start\./);
  await until(() => notes(p).some((n) => n.kind === 'applied'), 'the applied notification');
  const a = p.pids().a!;

  p.write(foreverManifest({ a: [], b: [] }, [recorder]));
  await until(() => p.pids().b !== undefined, 'b to start after the edit');
  t.equal(p.pids().a, a, 'a kept its pid');

  p.write(foreverManifest({ a: ['depends_on: { nope: ready }'], b: [] }, [recorder]));
  await until(() => err.includes('Change rejected'), 'the rejection');
  t.match(err, /orchestra\.yaml:\d+:\d+ error: .*nope/);
  await until(() => notes(p).some((n) => n.kind === 'rejected'), 'the rejected notification');
  t.equal(p.pids().a, a, 'an invalid edit touched nothing');
  t.ok(alive(a));
  watcher.kill('SIGTERM');
});

t.test('notify posts to a loopback webhook', async (t) => {
  const received: { kind: string; project: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as { kind: string; project: string });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const p = new Project(t, foreverManifest({ a: [] }, [`notify: { webhook: "http://127.0.0.1:${port}/hook", events: [applied] }`]));
  const r = p.cli('apply', '--yes');
  t.equal(r.code, 0, r.stderr);
  await until(() => received.length > 0, 'the webhook call');
  t.equal(received[0]!.kind, 'applied');
  t.equal(received[0]!.project, 'test');
});
