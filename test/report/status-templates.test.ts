/** src/generated/status-templates.ts must be what scripts/gen-templates.mjs makes of templates/status/ today. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const root = join(import.meta.dirname, '..', '..');

t.test('precompiled status templates are up to date', async (t) => {
  const { generateTemplates } = (await import(join(root, 'scripts', 'gen-templates.mjs'))) as { generateTemplates: () => string };
  const current = readFileSync(join(root, 'src', 'generated', 'status-templates.ts'), 'utf8');
  t.equal(generateTemplates(), current, 'src/generated/status-templates.ts is stale: run `npm run gen`');
});
