import t from 'tap';
import { sparkline } from '../../src/report/sparkline.js';
import { coarseDuration, durationSince, formatCommand, formatPercent, formatUtc, relativeTime } from '../../src/report/status-view.js';

const ys = (points: string): number[] => points.split(' ').map((p) => Number(p.split(',')[1]));
const xs = (points: string): number[] => points.split(' ').map((p) => Number(p.split(',')[0]));

t.test('sparkline scales samples into the box', async (t) => {
  const s = sparkline([0, 50, 100], { width: 100, height: 22, ceiling: 100 })!;
  t.same(xs(s.points), [0, 50, 100], 'evenly spaced, first at 0 and last at width');
  t.same(ys(s.points), [21, 11, 1], 'zero at the bottom, the ceiling at the top, one unit of margin');
  t.equal(s.latest, 100);
  t.equal(s.min, 0);
  t.equal(s.max, 100);
  t.match(s.area, /^0,22 .* 100,22$/, 'area closes along the bottom');
});

t.test('the ceiling never clips a larger value', async (t) => {
  const s = sparkline([50, 200], { width: 10, height: 12, ceiling: 100 })!;
  t.equal(Math.min(...ys(s.points)), 1, 'the maximum touches the top, not beyond');
});

t.test('no line for fewer than two samples, and a flat zero series stays finite', async (t) => {
  t.equal(sparkline([], { width: 10, height: 10 }), undefined);
  t.equal(sparkline([5], { width: 10, height: 10 }), undefined);
  t.equal(sparkline([Number.NaN, 3], { width: 10, height: 10 }), undefined, 'non-finite samples are dropped');
  const flat = sparkline([0, 0, 0], { width: 10, height: 10 })!;
  t.notMatch(flat.points, /NaN|Infinity/);
  t.same(ys(flat.points), [9, 9], 'a level line is drawn by its ends');
  t.same(xs(flat.points), [0, 10]);
});

t.test('points inside a level stretch are left out: the same line, fewer points', async (t) => {
  const s = sparkline([0, 0, 0, 50, 50, 100, 100, 100], { width: 70, height: 22, ceiling: 100 })!;
  t.same(xs(s.points), [0, 20, 30, 40, 50, 70], 'each stretch keeps its first and last point');
  t.same(ys(s.points), [21, 21, 11, 11, 1, 1]);
  t.equal(s.count, 8, 'the count is of samples, not of points drawn');
  t.match(s.area, /^0,22 0,21 .* 70,1 70,22$/, 'the area follows the same points');
  const zigzag = sparkline([0, 100, 0, 100], { width: 30, height: 22, ceiling: 100 })!;
  t.same(ys(zigzag.points), [21, 1, 21, 1], 'no point is dropped where the line turns');
});

t.test('display formats', async (t) => {
  t.equal(relativeTime('2026-01-01T00:00:00Z', '2026-01-01T01:58:20Z'), '1h58m ago');
  t.equal(relativeTime('2026-01-01T00:00:10Z', '2026-01-01T00:00:00Z'), 'in 10s');
  t.equal(relativeTime('2026-01-01T00:00:00.500Z', '2026-01-01T00:00:00Z'), 'just now');
  t.equal(relativeTime('garbage', '2026-01-01T00:00:00Z'), 'unknown time');
  t.equal(coarseDuration(3 * 86_400_000 + 5 * 3_600_000 + 1000), '3d5h');
  t.equal(coarseDuration(59_999), '59s');
  t.equal(coarseDuration(250), '250ms');
  t.equal(durationSince('2026-01-01T00:00:00Z', '2026-01-01T00:03:05Z'), 'for 3m5s');
  t.equal(durationSince('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.2Z'), 'just now');
  t.equal(durationSince('?', '2026-01-01T00:00:00Z'), 'since ?');
  t.equal(formatUtc('2026-11-23T12:00:00.000Z'), '2026-11-23 12:00:00 UTC');
  t.equal(formatUtc('not a time'), 'not a time');
  t.equal(formatPercent(3.25), '3.3%');
  t.equal(formatPercent(4), '4%');
  t.equal(formatPercent(97.5), '98%');
  t.equal(formatCommand(['node', 'a b.js', "it's", '--x=1']), `node 'a b.js' 'it'\\''s' --x=1`);
});
