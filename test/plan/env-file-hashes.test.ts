import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { hashEnvFiles, sha256 } from '../../src/plan/env-file-hashes.js';
import { spec } from './plan-helper.js';

t.test('hashes every env file once; unreadable files are left out', async (t) => {
  const dir = t.testdir({ '.env.api': 'PORT=1\n', '.env.common': 'A=b\n' });
  const api = join(dir, '.env.api');
  const common = join(dir, '.env.common');
  const missing = join(dir, '.env.gone');
  const hashes = await hashEnvFiles({
    instances: [spec('api', { envFiles: [common, api] }), spec('worker', { envFiles: [common, missing] })],
  });
  t.same([...hashes.keys()], [api, common], 'sorted by path, missing file absent');
  t.equal(hashes.get(api), createHash('sha256').update('PORT=1\n').digest('hex'));
  await writeFile(api, 'PORT=2\n');
  const after = await hashEnvFiles({ instances: [spec('api', { envFiles: [api] })] });
  t.not(after.get(api), hashes.get(api), 'a content change changes the hash');
  t.equal(sha256('PORT=2\n'), after.get(api));
});
