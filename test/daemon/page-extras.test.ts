import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { pageExtras } from '../../src/daemon/page-extras.js';
import { statePaths } from '../../src/daemon/paths.js';
import type { Revision } from '../../src/daemon/revisions.js';

t.test("the static page gets each log's last lines, secrets masked; an empty log has none and a missing one says so", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'page-extras-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const paths = statePaths(dir);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(paths.logFile('quiet'), '');
  writeFileSync(paths.logFile('talker'), `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\ntoken is s3cret-value-123\n`);
  const instance = (name: string, env: Record<string, string> = {}) => ({ name, env, secretKeys: [] });
  const applied = {
    number: 1,
    plan: { instances: [instance('quiet'), instance('talker', { API_TOKEN: 's3cret-value-123' }), instance('absent')] },
  } as unknown as Revision;

  const { logTails } = await pageExtras(dir, applied);
  t.same(logTails?.[0], { instance: 'quiet', lines: [] }, 'an empty log: no lines, not missing');
  t.equal(logTails?.[1]?.instance, 'talker');
  t.equal(logTails?.[1]?.lines.length, 20, 'the last 20 lines');
  t.equal(logTails?.[1]?.lines[0], 'line 11');
  t.equal(logTails?.[1]?.lines.at(-1), 'token is ***', 'the secret masked');
  t.same(logTails?.[2], { instance: 'absent', lines: [], missing: true }, 'no file: missing');
});
