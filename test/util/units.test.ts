import t from 'tap';
import { formatDuration, formatSize, parseDuration, parsePercent, parseSize } from '../../src/util/units.js';

t.test('parseDuration', async (t) => {
  t.equal(parseDuration('250ms'), 250);
  t.equal(parseDuration('10s'), 10_000);
  t.equal(parseDuration('1m30s'), 90_000);
  t.equal(parseDuration('1.5h'), 5_400_000);
  t.equal(parseDuration('0s'), 0);
  for (const bad of ['', '10', 's', '10 s', '10sec', '-1s', '1m 30s']) {
    t.equal(parseDuration(bad), undefined, `rejects ${JSON.stringify(bad)}`);
  }
});

t.test('parseSize', async (t) => {
  t.equal(parseSize('512KiB'), 512 * 1024);
  t.equal(parseSize('400MiB'), 400 * 1024 ** 2);
  t.equal(parseSize('1GB'), 1e9);
  t.equal(parseSize('2 GiB'), 2 * 1024 ** 3);
  t.equal(parseSize('100'), undefined);
  t.equal(parseSize('1gb'), undefined);
});

t.test('parsePercent', async (t) => {
  t.equal(parsePercent('80%'), 80);
  t.equal(parsePercent('12.5%'), 12.5);
  t.equal(parsePercent('80'), undefined);
});

t.test('format round trips', async (t) => {
  t.equal(formatDuration(90_000), '1m30s');
  t.equal(formatDuration(250), '250ms');
  t.equal(formatDuration(3_600_500), '1h500ms');
  t.equal(formatSize(512), '512B');
  t.equal(formatSize(1536), '1.5KiB');
  t.equal(formatSize(400 * 1024 ** 2), '400MiB');
});
