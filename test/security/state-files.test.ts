/**
 * The state directory is private to its user: the directory and every
 * folder under it 0700, the socket and every file 0600 (state.json,
 * revisions, events.jsonl, logs, daemon.log). Checked on a real
 * project after an apply, a restart (so the event log and logs have content)
 * and a log rotation.
 */

import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { Project } from '../cli/project.js';
import { seqFixture, statusRows, waitFor } from '../reliability/helpers.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? [path, ...walk(path)] : [path];
  });
}

t.test('every file and folder in .orchestra is private', async (t) => {
  const p = new Project(
    t,
    [
      'version: 1',
      'name: modes',
      'agents:',
      '  chatty:',
      `    command: ["node", "${seqFixture}", "5"]`,
      '    restart: { when: always, strategy: immediate }',
      '    stop: { timeout: 2s }',
      '',
    ].join('\n'),
  );
  const applied = await p.cliAsync('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  const socket = join(p.stateDir, 'daemon.sock');
  const first = await waitFor('chatty running', async () => (await statusRows(socket))?.find((r) => r.state === 'running')?.pid);
  process.kill(first, 'SIGKILL');
  await waitFor('chatty restarted', async () => {
    const row = (await statusRows(socket))?.[0];
    return row?.state === 'running' && row.pid !== first;
  });

  const top = statSync(p.stateDir).mode & 0o777;
  t.equal(top.toString(8), '700', '.orchestra is 0700');
  const entries = walk(p.stateDir);
  for (const want of ['state.json', 'events.jsonl', 'daemon.sock', 'revisions', 'logs', join('logs', 'chatty.log')]) {
    t.ok(entries.includes(join(p.stateDir, want)), `${want} exists`);
  }
  for (const path of entries) {
    // The daemon keeps writing (the chatty agent restarts): an atomic write's temp file can be renamed away between the listing and here.
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    const mode = (st.mode & 0o777).toString(8);
    const name = relative(p.stateDir, path);
    if (st.isDirectory()) t.equal(mode, '700', `${name}/ is 0700`);
    else t.equal(mode, '600', `${name} is 0600`);
  }
});
