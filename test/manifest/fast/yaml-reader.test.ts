/**
 * Differential test of the fast YAML reader (src/manifest/fast/yaml-reader.ts):
 * whenever it accepts a text, its tree — every value, key, order and source
 * range — must equal what the full `yaml` path builds, and the full path must
 * find no problem in that text. Inputs: every manifest in the repository's
 * examples and test fixtures, the benchmark manifest, hand-picked edge cases,
 * random mutations of them and random documents written by `yaml.stringify`.
 */
import { readdirSync, readFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { stringify } from 'yaml';
import { fastParse } from '../../../src/manifest/fast/yaml-reader.js';
import type { ValueNode } from '../../../src/manifest/node.js';
import { fullParse, parseManifestText } from '../../../src/manifest/parse.js';
import { LineIndex } from '../../../src/manifest/source.js';
// @ts-expect-error plain JavaScript module without types
import { generateManifest } from '../../../bench/load/generate.mjs';

const root = join(import.meta.dirname, '..', '..', '..');

/** A tree as plain JSON, ranges included (start/end resolved). */
function shape(node: ValueNode): unknown {
  const loc = JSON.parse(JSON.stringify(node.loc)) as unknown;
  if (node.kind === 'scalar') return { v: node.value, loc };
  if (node.kind === 'seq') return { items: node.items.map(shape), loc };
  return { entries: [...node.entries].map(([k, e]) => [k, JSON.parse(JSON.stringify(e.key)), shape(e.value)]), loc };
}

/** Checks one text; returns whether the fast reader accepted it. */
function agree(text: string): { accepted: boolean; problem?: string } {
  const fast = fastParse('f.yaml', text, new LineIndex(text));
  if (fast === undefined) return { accepted: false };
  const full = fullParse('f.yaml', text);
  if (full.diagnostics.length > 0) return { accepted: true, problem: `full parser reports ${full.diagnostics.map((d) => d.code).join(', ')}` };
  if (!full.root) return { accepted: true, problem: 'full parser has no root' };
  const a = JSON.stringify(shape(fast));
  const b = JSON.stringify(shape(full.root));
  if (a === b) return { accepted: true };
  let i = 0;
  while (a[i] === b[i]) i++;
  return { accepted: true, problem: `trees differ at:\nfast …${a.slice(i - 300, i + 80)}\nfull …${b.slice(i - 300, i + 80)}` };
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const corpus: string[] = [...yamlFiles(join(root, 'examples')), ...yamlFiles(join(root, 'test', 'manifest'))].map((f) => readFileSync(f, 'utf8'));

t.test('the benchmark manifest is read by the fast reader and matches the full parser', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fast-yaml-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(generateManifest(dir, 60) as string, 'utf8');
  const r = agree(text);
  t.equal(r.accepted, true, 'accepted');
  t.equal(r.problem, undefined);
});

t.test('every repository manifest: accepted ones agree with the full parser', async (t) => {
  let accepted = 0;
  for (const text of corpus) {
    const r = agree(text);
    if (r.problem !== undefined) t.fail(`${r.problem}\n--- text ---\n${text}`);
    if (r.accepted) accepted++;
  }
  t.ok(accepted > corpus.length / 3, `accepted ${accepted} of ${corpus.length}`);
});

t.test('edge cases: accepted ones agree; features outside the subset fall back', async (t) => {
  const accepted = [
    'a: 1\n',
    'a: 1',
    'a:\nb: 2\n',
    'a:   \nb: 2\n',
    'a:\n  b:\nc: 1\n',
    'a:\n- x\n- "y"\nb: 1',
    'a:\n  - x # c\n  - y\n\n# tail\n',
    'a: {}\nb: []\nc: { }\n',
    "a: 'it''s'\nb: \"q\\\"\\n\"\n",
    'a: { x: 1, y: [1, 2.5, -3, .5, 1e3, true, ~, null, "s"] }   # c\n',
    'a: yes\nb: no\nc: on\nd: 0123\ne: +1\nf: 1.\n',
    'a b: c d\n"q k": v\n\'s\': x\n',
    'a: http://x:80/y\nb: x#y\nc: x # y\n',
    'env:\n  A: "${X:-1}"\n  B: "{{vars.x}}"\n',
    '# head\n\nversion: 1\nagents:\n  api:\n    command: [node, a.js]\n',
    '__proto__: 1\nconstructor: 2\n',
  ];
  for (const text of accepted) {
    const r = agree(text);
    t.equal(r.accepted, true, `accepted: ${JSON.stringify(text)}`);
    t.equal(r.problem, undefined, JSON.stringify(text));
  }
  const fallBack = [
    '',
    '# only a comment\n',
    '- a\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    'a: b\n  c\n',
    'a: { x: 1,\n  y: 2 }\n',
    'a:\n\tb: 1\n',
    'a: 1\r\nb: 2\r\n',
    'a: 1\na: 2\n',
    '<<: { a: 1 }\n',
    '? a\n: b\n',
    '---\na: 1\n',
    'a: 1\n---\nb: 2\n',
    '%YAML 1.2\n---\na: 1\n',
    'a: 0x1F\n',
    'a: .inf\n',
    'a: 12345678901234567890\n',
    '1: a\n',
    'true: a\n',
    'a: "\\x41"\n',
    'a: b: c\n',
    'a: [1, 2,]\n',
    'a:\n  - b: 1\n',
    'a: "unclosed\n',
    '  a: 1\n',
    'a:\n    b: 1\n  c: 2\n',
    'a:\n  x: 1\n  # trailing\nb: 2\n',
    'a:\n  b: 1\n  # trailing at the end\n',
  ];
  for (const text of fallBack) {
    t.equal(fastParse('f.yaml', text, new LineIndex(text)), undefined, `falls back: ${JSON.stringify(text)}`);
    // The public entry point still answers (through the full parser).
    t.ok(parseManifestText('f.yaml', text).root !== undefined || parseManifestText('f.yaml', text).diagnostics.length > 0);
  }
});

t.test('random mutations of repository manifests: accepted ones agree with the full parser', async (t) => {
  const pieces = ['\n', '  ', '- ', ': ', '{', '}', '[', ']', ',', '"', "'", '#', ' #', '&a ', '*a', '!', '|', '>', '~', '1', '-1', '.5', 'true', 'x: y', '\\', '%'];
  const mutation = fc.record({ at: fc.nat(), del: fc.nat({ max: 4 }), text: fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })) });
  let accepted = 0;
  fc.assert(
    fc.property(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => {
      let s = corpus[which]!;
      for (const m of ms) {
        const at = s.length === 0 ? 0 : m.at % s.length;
        s = s.slice(0, at) + m.text + s.slice(at + m.del);
      }
      const r = agree(s);
      if (r.accepted) accepted++;
      if (r.problem !== undefined) throw new Error(`${r.problem}\n--- text ---\n${s}`);
    }),
    { numRuns: 3000 },
  );
  t.ok(accepted > 0, `the fast reader accepted ${accepted} mutated texts, all in agreement`);
});

t.test('random documents written by yaml.stringify (block and flow styles): accepted ones agree', async (t) => {
  const str = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom('1e3', '0x1F', 'yes', '~', '-', ': ', 'a: b', '#', ' x', 'x ', '1.', '.5', '-0', '+1', 'null', 'True', '${X}', '{{a}}', "it's", 'a"b', '\\', 'é', '007', '.inf', '@x', '&x', '*x', '|', '?', '[x]', '{x}', 'x,y', 'http://a:1/b'),
  );
  const key = fc.oneof(fc.constantFrom('a', 'agents', 'x-y', 'a b', '1', 'true', 'null', '-a', '"q"', 'k:', '#k', '__proto__'), str);
  const val: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
  })).v;
  let accepted = 0;
  fc.assert(
    fc.property(fc.dictionary(key, val, { minKeys: 1, maxKeys: 5 }), fc.constantFrom('block', 'flow', 'any'), fc.constantFrom(2, 4), (obj, style, indent) => {
      const body = stringify(obj, { indent, flowCollectionPadding: true, ...(style === 'block' ? {} : { collectionStyle: style as 'flow' | 'any' }) });
      const text = style === 'flow' ? `root: ${body}` : body;
      const r = agree(text);
      if (r.accepted) accepted++;
      if (r.problem !== undefined) throw new Error(`${r.problem}\n--- text ---\n${text}`);
    }),
    { numRuns: 2000 },
  );
  t.ok(accepted > 200, `the fast reader accepted ${accepted} generated documents, all in agreement`);
});
