/**
 * src/manifest/schema-validator.generated.ts must be what scripts/gen-validator.mjs
 * compiles from the schema today, and must judge documents exactly as a
 * freshly compiled ajv validator does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import t from 'tap';
import { validate as generated } from '../../src/manifest/schema-validator.generated.js';

const root = join(import.meta.dirname, '..', '..');

t.test('the generated validator is up to date', async (t) => {
  const { generateValidator } = (await import(join(root, 'scripts', 'gen-validator.mjs'))) as { generateValidator: () => Promise<string> };
  t.equal(await generateValidator(), readFileSync(join(root, 'src', 'manifest', 'schema-validator.generated.ts'), 'utf8'), 'stale: run `npm run gen`');
});

t.test('it agrees with a freshly compiled validator', async (t) => {
  const schema = JSON.parse(readFileSync(join(root, 'orchestra.schema.json'), 'utf8')) as object;
  const fresh = new Ajv({ allErrors: true, verbose: true, strict: false }).compile(schema);
  const docs = [
    { version: 1, agents: { api: { command: ['x'] } } },
    { version: 1, agents: { api: { command: 'x', shell: true, depends_on: { db: 'readyy' } } } },
    { version: 2, agents: { Bad: { comand: [] } }, extra: 1 },
    { agents: { a: { stop: { timeout: '10 s' }, thresholds: { cpu: { warn: 80 } }, description: 'é' } } },
  ];
  for (const doc of docs) {
    const a = generated(doc) as boolean;
    const b = fresh(doc);
    t.equal(a, b, JSON.stringify(doc));
    const strip = (es: unknown) => ((es as { instancePath: string; keyword: string; params: unknown }[] | null) ?? []).map((e) => [e.instancePath, e.keyword, e.params]);
    t.same(strip((generated as unknown as { errors: unknown }).errors), strip(fresh.errors), 'same errors');
  }
});
