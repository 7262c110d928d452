/**
 * Turns a PM2 `ecosystem.config.js` into JSON the pure pm2 importer reads.
 * The file is a program, so it runs as PM2 itself would run it: in a child
 * Node process (never in the CLI's own), in the file's folder, with the
 * caller's environment, bounded by a timeout. Only the value it exports
 * crosses back; whatever it prints is ignored.
 */

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Diagnostic, SourceRange } from '../util/diagnostic.js';

const SENTINEL = '\u0000orchestra-ecosystem\u0000';
const TIMEOUT_MS = 10_000;

// Runs in the child. PM2 require()s the file, so .js and .cjs are loaded the
// same way (a .js file in a "type": "module" package fails as it does under
// PM2); .mjs, which PM2 cannot load, is import()ed.
const EVALUATE = `
const file = process.argv[1];
const load = file.endsWith('.mjs')
  ? import(require('node:url').pathToFileURL(file).href).then((m) => m.default)
  : Promise.resolve(require(file));
load.then((value) => {
  process.stdout.write(${JSON.stringify(SENTINEL)} + JSON.stringify(value === undefined ? null : value, null, 2));
});`;

/** True for the file names PM2 treats as a JavaScript ecosystem file. */
export function isEcosystemProgram(file: string): boolean {
  return /\.[cm]?js$/.test(file);
}

/** Runs the ecosystem file and returns what it exports as JSON text, or a diagnostic located at the file (and line, when Node names one). */
export function evaluateEcosystem(file: string, text: string): { json: string } | { diagnostic: Diagnostic } {
  const r = spawnSync(process.execPath, ['--input-type=commonjs', '-e', EVALUATE, file], {
    cwd: path.dirname(file),
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const at = r.stdout.lastIndexOf(SENTINEL);
  if (r.status === 0 && at >= 0) return { json: r.stdout.slice(at + SENTINEL.length) };
  const fail = (message: string, line?: number): { diagnostic: Diagnostic } => ({
    diagnostic: {
      severity: 'error',
      code: 'pm2-js-failed',
      message,
      location: line !== undefined ? { file, range: lineRange(text, line) } : { file },
      hint: 'orchestra runs an ecosystem .js file the way `pm2 start` does; fix what Node reports, or import a JSON or YAML ecosystem file',
    },
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return fail(`evaluating the ecosystem file did not finish within ${TIMEOUT_MS / 1000}s`);
  const stderr = r.stderr ?? '';
  const error = /^(\w*Error\b.*)$/m.exec(stderr)?.[1] ?? (r.signal ? `killed by ${r.signal}` : `exit code ${r.status ?? 'unknown'}`);
  // Node names the failing line as "<file>:<line>" (syntax errors) or "at … (<url or file>:<line>:<col>)".
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`${escaped}:(\\d+)`).exec(stderr)?.[1];
  return fail(`evaluating the ecosystem file failed: ${error}`, line !== undefined ? Number(line) : undefined);
}

/** The whole of line `line` (1-based) of `text`, as a source range. */
function lineRange(text: string, line: number): SourceRange {
  let offset = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  const end = text.indexOf('\n', offset);
  const length = Math.max(1, (end < 0 ? text.length : end) - offset);
  return { start: { line, column: 1 }, end: { line, column: length + 1 }, offset, length };
}
