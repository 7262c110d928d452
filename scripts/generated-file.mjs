// The tail every generator shares: write the generated text, or with `--check` compare it with the file
// and exit 1 on drift (npm run gen writes; the tests import each generator and compare themselves).
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Writes `text` to `path`, or, when the command line has `--check`, reports a stale file with exit code 1. */
export async function writeOrCheck(path, text) {
  if (!process.argv.includes('--check')) return writeFile(path, text);
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current === text) return;
  console.error(`${relative(root, path)} is stale: run \`npm run gen\`.`);
  process.exitCode = 1;
}
