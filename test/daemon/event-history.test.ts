import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readRecentEvents } from '../../src/daemon/event-history.js';

const dir = mkdtempSync(join(tmpdir(), 'orchestra-events-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const event = (n: number) => JSON.stringify({ type: 'agent-started', time: new Date(n * 1000).toISOString(), agent: 'a', pid: n, attempt: 1, message: `started ${n}` });

t.test('the newest events, oldest first, skipping torn and foreign lines', async (t) => {
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, [event(1), 'not json', '{"type":"x"}', event(2), event(3), '{"type":"agent-sta'].join('\n'));
  const events = await readRecentEvents(file, 2);
  t.same(events.map((e) => e.message), ['started 2', 'started 3']);
});

t.test('no file, no events', async (t) => {
  t.same(await readRecentEvents(join(dir, 'absent.jsonl'), 10), []);
});
