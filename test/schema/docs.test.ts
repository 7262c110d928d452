/** docs/manifest.md must be what scripts/gen-docs.mjs makes of the schema and its prose today. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const root = join(import.meta.dirname, '..', '..');

t.test('docs/manifest.md is up to date', async (t) => {
  const { generateDocs } = (await import(join(root, 'scripts', 'gen-docs.mjs'))) as { generateDocs: () => Promise<string> };
  const text = await generateDocs();
  t.equal(text, readFileSync(join(root, 'docs', 'manifest.md'), 'utf8'), 'docs/manifest.md is stale: run `npm run gen`');
});

t.test('the reference lists every agent field with its default', async (t) => {
  const text = readFileSync(join(root, 'docs', 'manifest.md'), 'utf8');
  const schema = JSON.parse(readFileSync(join(root, 'orchestra.schema.json'), 'utf8')) as { definitions: { agentFields: { properties: Record<string, unknown> } } };
  for (const key of Object.keys(schema.definitions.agentFields.properties)) t.match(text, `| \`${key}\` |`, key);
  t.match(text, '| `restart.max_attempts` | integer (≥ 0) | 10 |');
  t.match(text, '| `stop.timeout` | duration | `10s` |');
});
