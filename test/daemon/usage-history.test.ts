import t from 'tap';
import { recordUsages, type UsageHistory } from '../../src/daemon/usage-history.js';

t.test('each round appends one sample per instance and keeps the newest `limit`', async (t) => {
  const h: UsageHistory = { intervalMs: 2000, byInstance: new Map() };
  for (let i = 1; i <= 5; i++) recordUsages(h, [{ name: 'a', usage: { cpu: i, rss: i * 10 } }, { name: 'b', usage: undefined }], 3);
  t.same(h.byInstance.get('a'), { cpu: [3, 4, 5], rss: [30, 40, 50] });
  t.same(h.byInstance.get('b'), { cpu: [0, 0, 0], rss: [0, 0, 0] }, 'not measured yet counts as 0');
});

t.test('an instance the engine no longer reports loses its series', async (t) => {
  const h: UsageHistory = { intervalMs: 2000, byInstance: new Map() };
  const names = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `w-${i}`, usage: { cpu: 1, rss: 1 } }));
  recordUsages(h, names(100), 90);
  t.equal(h.byInstance.size, 100);
  recordUsages(h, names(2), 90);
  t.same([...h.byInstance.keys()], ['w-0', 'w-1'], 'scaled down from 100 to 2: 98 series gone');
  recordUsages(h, [], 90);
  t.equal(h.byInstance.size, 0, 'nothing applied, nothing kept');
});

t.test('a round after a longer gap fills it with one point per step; a round a look asked for adds none', async (t) => {
  const h: UsageHistory = { intervalMs: 10_000, byInstance: new Map() };
  recordUsages(h, [{ name: 'a', usage: { cpu: 1, rss: 100 } }], 90, 0);
  recordUsages(h, [{ name: 'a', usage: { cpu: 2, rss: 200 } }], 90, 10_030);
  t.same(h.byInstance.get('a'), { cpu: [1, 2], rss: [100, 200] }, 'a round one step (and a little) later: one point');
  recordUsages(h, [{ name: 'a', usage: { cpu: 9, rss: 900 } }], 90, 13_000);
  t.same(h.byInstance.get('a')!.cpu, [1, 2], 'a look 3 s later: none');
  // Unwatched: the next round a minute later; its CPU is the average since the round before, its memory the value now.
  recordUsages(h, [{ name: 'a', usage: { cpu: 0.5, rss: 300 } }, { name: 'new', usage: { cpu: 4, rss: 50 } }], 90, 73_100);
  t.same(h.byInstance.get('a'), { cpu: [1, 2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], rss: [100, 200, 300, 300, 300, 300, 300, 300] }, 'six steps since the last point: six points');
  t.same(h.byInstance.get('new'), { cpu: [4], rss: [50] }, 'a series that begins now gets one point, not a past it did not have');
  recordUsages(h, [{ name: 'a', usage: { cpu: 7, rss: 7 } }], 4, 10_000_000);
  t.same(h.byInstance.get('a')!.cpu, [7, 7, 7, 7], 'a gap longer than the series is the whole series, no more');
});
