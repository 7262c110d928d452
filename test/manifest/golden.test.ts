/**
 * Golden tests: one directory per diagnostic kind under test/manifest/golden/,
 * each with an `orchestra.yaml`, an optional `options.json` (`set`,
 * `environment`, `env`, `files`, `codes`) and `expected.txt`, the printed diagnostics
 * without colour, compared exactly. `UPDATE_GOLDEN=1` rewrites expected.txt.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadManifest } from '../../src/manifest/load.js';
import { formatDiagnostics } from '../../src/report/diagnostics.js';

const root = join(import.meta.dirname, 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

interface Options {
  set?: string[];
  environment?: string;
  env?: Record<string, string>;
  files?: string[];
  /** The error codes expected when the directory is not named after one. */
  codes?: string[];
}

for (const kind of readdirSync(root).sort()) {
  const dir = join(root, kind);
  t.test(kind, async (t) => {
    const optionsPath = join(dir, 'options.json');
    const options: Options = existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as Options) : {};
    const result = await loadManifest({
      files: options.files ?? ['orchestra.yaml'],
      cwd: dir,
      env: options.env ?? {},
      ...(options.set ? { set: options.set } : {}),
      ...(options.environment !== undefined ? { environment: options.environment } : {}),
    });
    const printed = `${formatDiagnostics(result.diagnostics, result.sources, { color: false, cwd: dir })}\n`;
    const expectedPath = join(dir, 'expected.txt');
    if (update) writeFileSync(expectedPath, printed);
    t.equal(printed, readFileSync(expectedPath, 'utf8'), 'printed diagnostics match expected.txt');
    t.equal(result.plan, undefined, 'no plan when there are errors');
    const wanted = options.codes ?? [kind];
    for (const code of wanted) t.ok(result.diagnostics.some((d) => d.code === code), `a diagnostic has code ${code}`);
    for (const d of result.diagnostics) {
      t.ok(d.location?.file, `${d.code} has a file`);
    }
  });
}
