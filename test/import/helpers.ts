/**
 * Shared by the import tests: run a pure importer on a fixture file, and
 * check a written manifest with orchestra's own loader.
 */

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/util/diagnostic.js';
import { loadManifest } from '../../src/manifest/load.js';
import type { ImportInput, ImportResult } from '../../src/import/draft.js';
import { writeManifest } from '../../src/import/write-manifest.js';
import { cliPath } from '../cli/run-cli.js';
import type * as Tap from 'tap';

export const fixtures = fileURLToPath(new URL('../fixtures/import/', import.meta.url));

/** Reads a file, or undefined when it does not exist. */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs `importer` on `file` as the CLI would, with the manifest meant for `outDir`. */
export function importFile(importer: (input: ImportInput) => ImportResult, file: string, outDir: string): ImportResult {
  return importer({ file, text: readFileSync(file, 'utf8'), outDir, readText });
}

/** Writes the draft to `dir/orchestra.yaml` and loads it; returns the text and the loader's errors. */
export async function writeAndLoad(result: ImportResult, dir: string, env: Record<string, string> = {}): Promise<{ text: string; errors: Diagnostic[] }> {
  if (!result.draft) throw new Error('no draft');
  const text = writeManifest(result.draft);
  const file = path.join(dir, 'orchestra.yaml');
  writeFileSync(file, text);
  const loaded = await loadManifest({ files: [file], env });
  return { text, errors: loaded.diagnostics.filter((d) => d.severity === 'error') };
}

/** `file:line:column message` of each diagnostic, relative to `base`. */
export function located(ds: readonly Diagnostic[], base: string): string[] {
  return ds.map((d) => {
    const loc = d.location;
    const where = loc ? `${path.relative(base, loc.file)}${loc.range ? `:${loc.range.start.line}:${loc.range.start.column}` : ''}` : '?';
    return `${where} ${d.severity}: ${d.message}`;
  });
}

/**
 * Runs `orchestra up -f orchestra.yaml` in `dir` until its output matches
 * every pattern (or it ends by itself), then stops it with SIGINT and waits
 * for it to exit; kills it on teardown if a failure left it running.
 */
export async function upUntil(t: Tap.Test, dir: string, patterns: RegExp[]): Promise<string> {
  const child = spawn(process.execPath, [cliPath, 'up', '-f', 'orchestra.yaml'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let exited = false;
  const closed = new Promise<void>((resolve) => child.on('close', () => ((exited = true), resolve())));
  t.teardown(() => {
    if (!exited && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  });
  let output = '';
  await new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (patterns.every((p) => p.test(output))) resolve();
    });
    child.on('close', () => resolve());
  });
  if (!exited) child.kill('SIGINT');
  await closed;
  return output;
}
