/**
 * Files in src/ stay under about 300 lines (STYLE.md, docs/architecture.md):
 * one that is clearly longer (over 330, a tenth of slack for "about") must
 * say why in its header, in words such as "Longer than ~300 lines because …"
 * or "Over 300 lines because …".
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const LIMIT = 330;
const REASON = /\b(longer than|over) ~?300 lines\b/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The comment lines before the first import or declaration, as one line of words. */
function header(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((l) => /^(import|export|const|let|function|class|type|interface)\b/.test(l));
  return lines
    .slice(0, end < 0 ? lines.length : end)
    .map((l) => l.replace(/^\s*(\/\*+|\*\/|\*|\/\/)?/, '').trim())
    .join(' ');
}

t.test('every file in src/ over about 300 lines says why at its top', async (t) => {
  const unexplained = sourceFiles(SRC)
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => text.split('\n').length > LIMIT && !REASON.test(header(text)))
    .map(({ file, text }) => `src/${relative(SRC, file)} (${text.split('\n').length} lines)`);
  t.same(unexplained, [], 'split along a real seam, or write the reason in the header');
});

t.test('the reason is looked for in the header only', async (t) => {
  t.ok(REASON.test(header('/**\n * Longer than ~300 lines because it mirrors the schema.\n */\n\nexport type A = 1;\n')));
  t.notOk(REASON.test(header('/** What it owns. */\nimport x from "y";\n// over 300 lines because\n')));
});
