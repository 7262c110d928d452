import t from 'tap';
import { AgentRecords, COALESCE_MS } from '../../src/reconcile/agent-records.js';
import { newState, type State } from '../../src/reconcile/state.js';
import type { OrchestraEvent } from '../../src/events/event.js';

/** Records over an in-memory state whose saves are logged (`fail` makes the next save throw). */
function harness() {
  const state: State = newState();
  const saves: { agents: string[]; completed: string[]; durable: boolean }[] = [];
  let fail = false;
  const records = new AgentRecords(
    {
      startTimeOf: async (pid) => pid * 10,
      save: async (s, { durable }) => {
        if (fail) {
          fail = false;
          throw new Error('disk full');
        }
        saves.push({ agents: Object.keys(s.agents), completed: Object.keys(s.completed ?? {}), durable });
      },
    },
    () => state,
  );
  return { state, saves, records, failNext: () => (fail = true) };
}

const at = '2026-01-01T00:00:00.000Z';
const started = (agent: string, pid: number) => ({ type: 'agent-started', agent, pid, time: at, message: 'started' }) as OrchestraEvent;
const exited = (agent: string) => ({ type: 'agent-exited', agent, pid: 1, time: at, message: 'exited' }) as OrchestraEvent;
const completed = (agent: string) => ({ type: 'agent-completed', agent, time: at, message: 'completed' }) as OrchestraEvent;

t.test('a burst of record changes is one write, not fsynced', async (t) => {
  const h = harness();
  const writes = [h.records.observe(started('a', 5)), h.records.observe(started('b', 6)), h.records.observe(exited('a'))];
  await new Promise((r) => setTimeout(r, COALESCE_MS / 4));
  t.same(h.saves, [], 'nothing is written before the window closes');
  await Promise.all(writes);
  t.same(h.saves, [{ agents: ['b'], completed: [], durable: false }], 'one write after the window, with every change');
  t.same(h.state.agents['b'], { pid: 6, startTime: 60, spawnedAt: at });
});

t.test('an event that changes nothing writes nothing', async (t) => {
  const h = harness();
  await h.records.observe(exited('never-started'));
  await h.records.observe({ type: 'agent-ready', agent: 'x', time: at, message: 'ready' } as OrchestraEvent);
  await new Promise((r) => setTimeout(r, COALESCE_MS * 2));
  t.same(h.saves, []);
});

t.test('a completed oneshot is written durably, and so is a record change in the same window', async (t) => {
  const h = harness();
  await Promise.all([h.records.observe(started('a', 5)), h.records.observe(completed('job'))]);
  t.same(h.saves, [{ agents: ['a'], completed: ['job'], durable: true }]);
  await h.records.observe(exited('a'));
  t.equal(h.saves[1]?.durable, false, 'the next write of records alone is not');
});

t.test('settle writes at once, durably, and the window that was waiting writes nothing more', async (t) => {
  const h = harness();
  const later = h.records.observe(started('a', 5));
  const t0 = Date.now();
  await h.records.settle();
  t.ok(Date.now() - t0 < COALESCE_MS, 'settle does not wait for the window');
  t.same(h.saves, [{ agents: ['a'], completed: [], durable: true }]);
  await later;
  t.equal(h.saves.length, 1, 'the coalesced write found nothing left to write');
});

t.test('a failed write fails its callers, and the next change is written whole', async (t) => {
  const h = harness();
  h.failNext();
  await t.rejects(h.records.observe(started('a', 5)), /disk full/);
  await h.records.observe(started('b', 6));
  t.same(h.saves, [{ agents: ['a', 'b'], completed: [], durable: false }]);
});

t.test('an exit seen while the start time is read leaves no record of the process', async (t) => {
  const h = harness();
  // The exit is observed before the start's /proc read resolves, as when a program dies at once.
  await Promise.all([h.records.observe(started('a', 5)), h.records.observe(exited('a'))]);
  t.same(h.state.agents, {});
  await h.records.observe(started('a', 7));
  t.same(h.state.agents['a'], { pid: 7, startTime: 70, spawnedAt: at }, 'the next start is recorded');
});

t.test('an event that changes no record, seen while the start time is read, keeps the record', async (t) => {
  const h = harness();
  const ready = { type: 'agent-ready', agent: 'a', pid: 5, afterMs: 0, time: at, message: 'ready' } as OrchestraEvent;
  await Promise.all([h.records.observe(started('a', 5)), h.records.observe(ready)]);
  t.same(h.state.agents['a'], { pid: 5, startTime: 50, spawnedAt: at });
  t.same(h.saves, [{ agents: ['a'], completed: [], durable: false }]);
});
