/**
 * Loader fuzz at volume: 10,000 manifests, each either a mutation of one of
 * the shipped examples (byte edits, key and token insertions, line shuffles,
 * an overlay file and `--set` arguments) or a generated document, through
 * loadManifest in-process. No exception may escape, the result is a Plan xor
 * errors, and every error diagnostic has a location naming a file. Seeded, so
 * a failure prints a seed that replays it (FUZZ_SEED=…).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { stringify } from 'yaml';
import { loadManifest } from '../../src/manifest/load.js';
import { repoRoot } from '../cli/run-cli.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = Number(process.env.FUZZ_SEED ?? 20261124);

const examples = ['quickstart/orchestra.yaml', 'inheritance/orchestra.yaml', 'overlays/orchestra.yaml', 'overlays/orchestra.override.yaml'].map((f) =>
  readFileSync(join(repoRoot, 'examples', f), 'utf8'),
);
const TOKENS = [
  'version', 'agents', 'command', 'replicas', 'extends', 'depends_on', 'env', 'env_file', 'templates', 'defaults',
  'environments', 'readiness', 'liveness', 'thresholds', 'restart', 'stop', 'startup', 'secrets', 'notify', 'vars',
  '{{vars.x}}', '{{agent.name}}', '{{add 1 replica.index}}', '{{#each}}', '{{', '}}', '${X}', '${NOPE:?gone}', '${X:-d}', '$$',
  'x-y', 'null', '~', 'true', '0', '-1', '1e999', '10s', '1h5m', '512MiB', '80%', 'SIGTERM', 'tcp', 'http', 'exec', 'log',
  ':', '\n', '  ', '    ', '- ', '{', '}', '[', ']', '&a', '*a', '<<: *a', '"', "'", '\t', '#', '|', '>', '!!binary', '? ', '---', '...',
  '\u0000', '\ufeff', '\u202e', '../', '%', '\\',
];

const edit = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...TOKENS)) }),
  fc.record({ op: fc.constant('lines' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
);
type Edit = { op: 'delete' | 'insert' | 'lines' | 'dup'; at: number; len?: number; text?: string; other?: number };

function mutate(text: string, edits: Edit[]): string {
  let s = text;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % s.length;
    if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + (e.len ?? 1));
    else if (e.op === 'insert') s = s.slice(0, at) + (e.text ?? '') + s.slice(at);
    else if (e.op === 'dup') s = s.slice(0, at) + s.slice(at, at + (e.len ?? 1)) + s.slice(at);
    else {
      const lines = s.split('\n');
      const a = e.at % lines.length;
      const b = (e.other ?? 0) % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      s = lines.join('\n');
    }
  }
  return s;
}

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...TOKENS),
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...TOKENS, 'api', 'redis', 'when', 'a', 'b'), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const setArg = fc.oneof(fc.string({ maxLength: 24 }), fc.tuple(fc.constantFrom('agents.api.replicas', 'vars.x', 'agents.new.command', 'agents.../x.env', 'defaults.restart.when', 'a..b', '.'), fc.constantFrom('=3', '=null', '=[a, b]', '={x: 1}', '=', '=10s', '=-1', '')).map(([k, v]) => k + v));

const input = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutant' as const), base: fc.nat(examples.length - 1), edits: fc.array(edit, { minLength: 1, maxLength: 8 }), set: fc.array(setArg, { maxLength: 2 }), overlay: fc.option(fc.array(edit, { maxLength: 4 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('generated' as const), doc: fc.dictionary(fc.constantFrom('version', 'agents', 'templates', 'defaults', 'vars', 'environments', 'name', 'secrets', 'x-a'), value, { maxKeys: 6 }), set: fc.array(setArg, { maxLength: 2 }) }) },
);

t.test(`${RUNS} fuzzed manifests through loadManifest`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-fuzz-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '.env'), 'X=1\n');
  const counts = { plans: 0, rejected: 0, diagnostics: 0 };
  t.comment(`seed ${seed}`);
  await fc.assert(
    fc.asyncProperty(input, async (c) => {
      const files = ['orchestra.yaml'];
      if (c.kind === 'mutant') {
        writeFileSync(join(dir, 'orchestra.yaml'), mutate(examples[c.base]!, c.edits));
        if (c.overlay) {
          writeFileSync(join(dir, 'over.yaml'), mutate(examples[3]!, c.overlay));
          files.push('over.yaml');
        }
      } else writeFileSync(join(dir, 'orchestra.yaml'), stringify(c.doc));
      const r = await loadManifest({ files, cwd: dir, env: { X: '1', HOME: '/home/x' }, set: c.set });
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      counts.diagnostics += r.diagnostics.length;
      if (r.plan) counts.plans++;
      else counts.rejected++;
      if (r.plan === undefined && errors.length === 0) throw new Error('neither a plan nor an error');
      if (r.plan !== undefined && errors.length > 0) throw new Error('a plan despite errors');
      for (const d of errors) {
        if (d.code === 'internal-error') throw new Error(`internal error: ${d.message}`);
        if (!d.location?.file) throw new Error(`${d.code} without a file: ${d.message}`);
      }
    }),
    { numRuns: RUNS, seed },
  );
  t.comment(`${counts.plans} valid, ${counts.rejected} rejected, ${counts.diagnostics} diagnostics`);
  t.ok(counts.plans > 0 && counts.rejected > 0, 'both outcomes were exercised');
  t.equal(counts.plans + counts.rejected, RUNS, `${RUNS} manifests loaded, no exception`);
});
