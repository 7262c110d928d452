/**
 * An imported process-compose fleet runs under `orchestra up` (real
 * processes) in the start order process-compose documents for it: in
 * process-compose-chain-arrow.yaml each process waits for the next one to
 * complete, and process6 also for process8, so process8 starts first and
 * process1 last.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runCli } from '../cli/run-cli.js';
import { fixtures, upUntil } from './helpers.js';

t.test('the chain-arrow fleet starts in process-compose order under orchestra up', async (t) => {
  const dir = t.testdir({});
  const imported = runCli(['import', 'process-compose', path.join(fixtures, 'process-compose', 'process-compose-chain-arrow.yaml'), '-o', path.join(dir, 'orchestra.yaml')]);
  t.equal(imported.code, 0, imported.stderr);

  // process1 is last in the chain; once it has run, every process has.
  await upUntil(t, dir, [/process1\s+\| ▶ exited with code 0/]);

  const events = readFileSync(path.join(dir, '.orchestra', 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; agent?: string });
  const started = events.filter((e) => e.type === 'agent-started').map((e) => e.agent);
  t.same(started, ['process8', 'process7', 'process6', 'process5', 'process4', 'process3', 'process2', 'process1']);
  const completed = events.filter((e) => e.type === 'agent-completed').map((e) => e.agent);
  t.same(completed, ['process8', 'process7', 'process6', 'process5', 'process4', 'process3', 'process2'], 'each dependency completed before its dependent started');
  for (const n of [2, 3, 4, 5, 6, 7, 8]) {
    const i = events.findIndex((e) => e.type === 'agent-completed' && e.agent === `process${n}`);
    const j = events.findIndex((e) => e.type === 'agent-started' && e.agent === `process${n - 1}`);
    t.ok(i < j, `process${n} completed before process${n - 1} started`);
  }
  for (let n = 1; n <= 8; n++) t.match(readFileSync(path.join(dir, '.orchestra', 'logs', `process${n}.log`), 'utf8'), `process${n}\n`, `process${n} ran its echo`);
});
