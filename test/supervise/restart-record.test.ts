import t from 'tap';
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

t.test('restart record: failure restarts older than an hour leave the health window', async (t) => {
  const r = new RestartRecord();
  r.restarted('a', 0, false);
  r.restarted('b', 1_000, false);
  r.restarted('c', 3_600_500, false);
  t.same(r.failureTimes, [1_000, 3_600_500]);
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
