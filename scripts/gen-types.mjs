// Generates src/generated/manifest.ts from orchestra.schema.json.
// `--check` compares instead of writing and exits 1 on drift.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { writeOrCheck } from './generated-file.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = `${root}orchestra.schema.json`;
const outPath = `${root}src/generated/manifest.ts`;

/** Renders the generated module text from the schema. */
export async function generateTypes() {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
  return compile(schema, 'Manifest', {
    bannerComment: [
      '/* Generated from orchestra.schema.json by scripts/gen-types.mjs (npm run gen). Do not edit. */',
      '',
      '/*',
      ' * The manifest\'s types, one per schema definition, each with the schema\'s',
      ' * description as its doc comment (what an editor shows on hover). Longer',
      ' * than ~300 lines because it mirrors the whole schema in one file: split, it',
      ' * would no longer be the one generated counterpart of orchestra.schema.json.',
      ' */',
    ].join('\n'),
    additionalProperties: false,
    style: { singleQuote: true },
    cwd: root,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await writeOrCheck(outPath, await generateTypes());
