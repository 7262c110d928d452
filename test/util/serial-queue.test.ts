import t from 'tap';
import { SerialQueue } from '../../src/util/serial-queue.js';

t.test('tasks run one at a time in order, failures do not stop the queue', async (t) => {
  const queue = new SerialQueue();
  const log: string[] = [];
  let releaseFirst!: () => void;
  const first = queue.run(async () => {
    log.push('first start');
    await new Promise<void>((r) => (releaseFirst = r));
    log.push('first end');
    return 1;
  });
  const second = queue.run(async () => {
    log.push('second');
    throw new Error('boom');
  });
  const third = queue.run(async () => {
    log.push('third');
    return 3;
  });
  t.equal(queue.pending, 3);
  await new Promise((r) => setImmediate(r));
  t.same(log, ['first start'], 'the second waits for the first');
  releaseFirst();
  t.equal(await first, 1);
  await t.rejects(second, /boom/);
  t.equal(await third, 3);
  t.same(log, ['first start', 'first end', 'second', 'third']);
  await new Promise((r) => setImmediate(r));
  t.equal(queue.pending, 0);
});
