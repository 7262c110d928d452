// Generates src/manifest/schema-validator.generated.ts: orchestra.schema.json
// compiled by ajv to standalone code, so a CLI run neither loads ajv's
// compiler nor compiles the schema (only ajv's tiny runtime helpers are
// imported). `--check` compares instead of writing and exits 1 on drift;
// test/schema/validator.test.ts runs the same comparison.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { writeOrCheck } from './generated-file.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = `${root}orchestra.schema.json`;
const validatorPath = `${root}src/manifest/schema-validator.generated.ts`;

/**
 * Renders the standalone validator module. The options must match what
 * src/manifest/validate.ts expects: allErrors (report everything) and
 * verbose (errors carry the schema and data the messages are built from).
 */
export async function generateValidator() {
  const require = createRequire(import.meta.url);
  const { Ajv } = require('ajv');
  const standalone = require('ajv/dist/standalone').default;
  const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
  const ajv = new Ajv({ code: { source: true, esm: true, lines: false }, allErrors: true, verbose: true, strict: false, logger: false });
  let code = standalone(ajv, ajv.compile(schema));
  // ESM output still `require`s ajv's runtime helpers; turn each into an import.
  const imports = [];
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9_]+)"\)/g, (_, path) => {
    const name = `runtime_${path.split('/').pop()}`;
    if (!imports.some((i) => i.includes(` ${name} `))) imports.push(`import ${name} from '${path}.js';`);
    return name;
  });
  const units = { duration: schema.definitions.duration.pattern, size: schema.definitions.size.pattern, percent: schema.definitions.percent.pattern };
  return [
    '// @ts-nocheck',
    '/* Generated from orchestra.schema.json by scripts/gen-validator.mjs (npm run gen). Do not edit. */',
    ...imports,
    code.replace(/^"use strict";/, ''),
    `export const unitPatterns = ${JSON.stringify(units)};`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await writeOrCheck(validatorPath, await generateValidator());
