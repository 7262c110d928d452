import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { statePaths } from '../../src/daemon/paths.js';
import { EventLog } from '../../src/events/event-log.js';
import { makeEvent } from '../../src/events/event.js';
import { maskDeep, secretValues } from '../../src/plan/secrets.js';

t.test('the JSONL appender writes one event per line, in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-ev-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = new EventLog(statePaths(join(dir, 'state')).events);
  log.append(makeEvent(0, { type: 'agent-started', agent: 'a', pid: 1, attempt: 1, message: 'started (pid 1)' }));
  log.append(makeEvent(1000, { type: 'agent-failed', agent: 'a', reason: 'boom', message: 'failed: boom' }));
  log.close();
  log.append(makeEvent(2000, { type: 'agent-failed', agent: 'a', reason: 'late', message: 'dropped after close' }));
  const lines = readFileSync(join(dir, 'state', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.same(lines, [
    { type: 'agent-started', agent: 'a', pid: 1, attempt: 1, message: 'started (pid 1)', time: '1970-01-01T00:00:00.000Z' },
    { type: 'agent-failed', agent: 'a', reason: 'boom', message: 'failed: boom', time: '1970-01-01T00:00:01.000Z' },
  ]);
});

t.test('secret values are masked in every string of an event', async (t) => {
  const secrets = secretValues([
    { env: { API_TOKEN: 'tok-123456', PORT: '8080', DB_PASSWORD: 'pw-abcdef', PLAIN: 'visible' }, secretKeys: [] },
    { env: { CUSTOM: 'listed-secret' }, secretKeys: ['CUSTOM'] },
  ]);
  t.same(secrets.sort(), ['listed-secret', 'pw-abcdef', 'tok-123456']);
  const e = makeEvent(0, { type: 'agent-failed', agent: 'a', reason: 'login with pw-abcdef failed (token tok-123456)', message: 'failed: listed-secret on 8080' });
  const masked = maskDeep(e, secrets);
  t.match(masked, { reason: 'login with *** failed (token ***)', message: 'failed: *** on 8080' });
  t.equal(maskDeep(e, []), e, 'no secrets: same object');
});
