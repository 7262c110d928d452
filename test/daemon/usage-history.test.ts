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
