/**
 * Property test: random and mutated manifests never make loadManifest throw;
 * it returns a Plan or diagnostics, and every error diagnostic names a file
 * (and a range when the file parsed as YAML).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { loadManifest } from '../../src/manifest/load.js';

const quickstart = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'quickstart', 'orchestra.yaml'), 'utf8');
const KEYS = ['version', 'agents', 'command', 'replicas', 'extends', 'depends_on', 'env', '{{vars.x}}', '${X}', 'x-y', 'null', 'templates', 'readiness', 'tcp'];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...KEYS, ':', '\n', '  ', '- ', '{', '[', '&a', '*a', '<<: ', '"', "'", '\t')) }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

function mutate(text: string, ms: { op: string; at: number; len?: number; text?: string; other?: number }[]): string {
  let s = text;
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % s.length;
    if (m.op === 'delete') s = s.slice(0, at) + s.slice(at + (m.len ?? 1));
    else if (m.op === 'insert') s = s.slice(0, at) + (m.text ?? '') + s.slice(at);
    else if (s.length > 1) {
      const b = (m.other ?? 0) % s.length;
      const chars = [...s];
      [chars[at], chars[b]] = [chars[b]!, chars[at]!];
      s = chars.join('');
    }
  }
  return s;
}

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...KEYS),
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS, 'api', 'redis', 'when', 'restart'), tie('v'), { maxKeys: 4 }),
  ),
})).v;

async function check(t: Test, text: string, set: string[]): Promise<void> {
  const dir = t.testdir({ 'orchestra.yaml': text });
  const r = await loadManifest({ files: ['orchestra.yaml'], cwd: dir, env: { X: '1' }, set });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (r.plan === undefined && errors.length === 0) throw new Error('neither plan nor errors');
  if (r.plan !== undefined && errors.length > 0) throw new Error('plan despite errors');
  const parsed = !r.diagnostics.some((d) => ['yaml-syntax', 'duplicate-key', 'internal-error'].includes(d.code));
  for (const d of errors) {
    if (d.code === 'internal-error') throw new Error(`internal error: ${d.message}\n${text}`);
    if (!d.location?.file) throw new Error(`${d.code} without a file`);
    if (parsed && !d.location.range && d.location.file !== '<arguments>') throw new Error(`${d.code} without a range: ${d.message}\n${text}`);
  }
}

t.test('mutated quickstart never throws', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), async (ms) => check(t, mutate(quickstart, ms), [])),
    { numRuns: Number(process.env['FUZZ_RUNS'] ?? 150) },
  );
  t.pass('mutated manifests');
});

t.test('random documents and --set arguments never throw', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom('version', 'agents', 'templates', 'defaults', 'vars', 'environments', 'name', 'x-a'), value, { maxKeys: 5 }),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }),
      async (doc, set) => check(t, stringify(doc), set),
    ),
    { numRuns: Number(process.env['FUZZ_RUNS'] ?? 150) },
  );
  t.pass('random manifests');
});
