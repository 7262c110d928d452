/** src/generated/manifest.ts must be what scripts/gen-types.mjs makes of the schema today. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const root = join(import.meta.dirname, '..', '..');

t.test('generated types are up to date', async (t) => {
  const { generateTypes } = (await import(join(root, 'scripts', 'gen-types.mjs'))) as { generateTypes: () => Promise<string> };
  const current = readFileSync(join(root, 'src', 'generated', 'manifest.ts'), 'utf8');
  t.equal(await generateTypes(), current, 'src/generated/manifest.ts is stale: run `npm run gen`');
});
