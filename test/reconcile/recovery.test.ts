import t from 'tap';
import { decideRecovery } from '../../src/reconcile/recovery.js';
import type { State } from '../../src/reconcile/state.js';
import { plan, spec } from '../plan/plan-helper.js';

const state = (over: Partial<State> = {}): State => ({ version: 1, lineage: 'l', serial: 1, agents: {}, ...over });
const record = (pid: number) => ({ pid, startTime: pid * 10, spawnedAt: '2026-01-01T00:00:00.000Z' });

t.test('each instance gets the decision its evidence supports', async (t) => {
  const p = plan([
    spec('alive'),
    spec('reused'),
    spec('lost'),
    spec('never', { restart: { ...spec('x').restart, when: 'never' } }),
    spec('migrate', { type: 'oneshot' }),
    spec('marked'),
    spec('untouched'),
  ]);
  const decisions = await decideRecovery({
    plan: p,
    state: state({
      agents: { alive: record(100), reused: record(200), never: record(300), marked: record(400) },
      completed: { migrate: '2026-01-01T00:00:05.000Z' },
    }),
    sameBoot: true,
    marked: new Map([['marked', { pid: 401, startTime: 4010 }], ['reused', { pid: 201, startTime: 2010 }]]),
    isSameProcess: async (pid) => pid === 100,
  });
  t.same(Object.fromEntries(decisions), {
    alive: { kind: 'adopt', pid: 100, startTime: 1000, foundBy: 'record' },
    reused: { kind: 'adopt', pid: 201, startTime: 2010, foundBy: 'marker' },
    lost: { kind: 'idle' },
    never: { kind: 'idle' },
    migrate: { kind: 'completed', at: Date.parse('2026-01-01T00:00:05.000Z') },
    marked: { kind: 'adopt', pid: 401, startTime: 4010, foundBy: 'marker' },
    untouched: { kind: 'idle' },
  });
});

t.test('a dead recorded service is restarted; after a reboot records count for nothing', async (t) => {
  const p = plan([spec('svc')]);
  const input = { plan: p, state: state({ agents: { svc: record(100) } }), marked: new Map(), isSameProcess: async () => true };
  t.same((await decideRecovery({ ...input, sameBoot: false })).get('svc'), { kind: 'restart' });
  t.same((await decideRecovery({ ...input, sameBoot: true })).get('svc')?.kind, 'adopt');
});

t.test('restart counts: the count a marked process was spawned with wins over a record left from an earlier run', async (t) => {
  const p = plan([spec('stale'), spec('missing'), spec('recorded'), spec('old')]);
  const decisions = await decideRecovery({
    plan: p,
    state: state({ agents: { stale: { ...record(100), restarts: 1 }, recorded: { ...record(300), restarts: 4 }, old: { ...record(500), restarts: 2 } } }),
    sameBoot: true,
    marked: new Map([
      ['stale', { pid: 101, startTime: 1010, restarts: 2 }],
      ['missing', { pid: 201, startTime: 2010, restarts: 3 }],
      ['old', { pid: 501, startTime: 5010 }],
    ]),
    isSameProcess: async (pid) => pid === 300,
  });
  t.match(decisions.get('stale'), { kind: 'adopt', pid: 101, foundBy: 'marker', restarts: 2 }, 'killed before the new run was recorded');
  t.match(decisions.get('missing'), { kind: 'adopt', pid: 201, foundBy: 'marker', restarts: 3 }, 'no record at all');
  t.match(decisions.get('recorded'), { kind: 'adopt', pid: 300, foundBy: 'record', restarts: 4 });
  t.match(decisions.get('old'), { kind: 'adopt', pid: 501, foundBy: 'marker', restarts: 2 }, 'a process without the variable falls back to the record');
});
