import t from 'tap';
import { COUNTED_RESTARTS } from '../../src/supervise/health.js';
import { RestartRecord } from '../../src/supervise/restart-record.js';

t.test('restart record: a forced restart counts but does not lower health; the log keeps the last 20', async (t) => {
  const r = new RestartRecord();
  t.equal(r.spawnBegun(), 1);
  t.equal(r.spawnBegun(), 2);
  r.restarted('crashed', 1000, false);
  r.restarted('manual: deploy', 2000, true);
  t.equal(r.count, 2);
  t.same(r.failureTimes, [1000], 'only the failure restart lowers the health score');
  t.same(r.log, [
    { at: 1000, reason: 'crashed' },
    { at: 2000, reason: 'manual: deploy' },
  ]);
  for (let k = 0; k < 25; k++) r.restarted(`r${k}`, 3000 + k, true);
  t.equal(r.log.length, 20);
  t.equal(r.log[0]!.reason, 'r5');
  t.equal(r.count, 27);
});

t.test('restart record: a crash loop keeps only the failure times the health score can count', async (t) => {
  const r = new RestartRecord();
  // Two hours of a failure restart every 2 s.
  for (let at = 0; at <= 7_200_000; at += 2000) r.restarted('crashed', at, false);
  t.same(r.failureTimes, [7_194_000, 7_196_000, 7_198_000, 7_200_000]);
  t.equal(r.failureTimes.length, COUNTED_RESTARTS);
  t.equal(r.count, 3601);
  t.equal(r.log.length, 20);
});

t.test('restart record: decisions, readiness and forgiveness move the policy memory', async (t) => {
  const r = new RestartRecord();
  r.exitDecided({ history: { failures: 2, restarts: 3 }, startupRetries: 1 });
  t.same(r.history, { failures: 2, restarts: 3 });
  t.equal(r.startupRetries, 1);
  r.becameReady();
  t.equal(r.startupRetries, 0);
  t.same(r.history, { failures: 2, restarts: 3 }, 'readiness does not forget failures');
  r.exitDecided({ history: { failures: 1, restarts: 1 }, startupRetries: 2 });
  r.failuresForgiven();
  t.same(r.history, { failures: 0, restarts: 0 });
  t.equal(r.startupRetries, 0);
  r.continuedFrom(7);
  r.restarted('x', 5, true);
  t.equal(r.count, 8, 'an adopted count continues');
});
