/**
 * `orchestra import FORMAT FILE`: reads the source file (and the files it
 * names), runs the format's pure importer, checks the manifest it wrote with
 * orchestra's own loader, prints every warning with its file:line:column, and
 * prints or writes the manifest. Nothing is written when there is an error
 * (or a warning with --strict).
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Location } from '../util/diagnostic.js';
import { loadManifest } from '../manifest/load.js';
import type { ImportInput } from '../import/draft.js';
import { IMPORTERS, resolveFormat } from '../import/index.js';
import { writeManifest } from '../import/write-manifest.js';
import { diagnosticsToJson, formatDiagnostics } from '../report/diagnostics.js';
import { evaluateEcosystem, isEcosystemProgram } from './pm2-ecosystem.js';

export interface ImportCommandOptions {
  format: string;
  file: string;
  /** Where to write the manifest; stdout when absent. */
  out?: string;
  strict: boolean;
  json: boolean;
  color: boolean;
}

/** Runs the command and returns its exit code: 0 written, 1 unreadable input, unknown format, or warnings with --strict. */
export async function runImport(options: ImportCommandOptions): Promise<number> {
  const sources = new Map<string, string>();
  const report = (diags: Diagnostic[], ok: boolean, extra: Record<string, unknown> = {}): void => {
    if (options.json) {
      process.stdout.write(JSON.stringify({ ok, ...extra, ...(diagnosticsToJson(diags) as object) }, null, 2) + '\n');
    } else if (diags.length > 0) {
      process.stderr.write(formatDiagnostics(diags, sources, { color: options.color, cwd: process.cwd() }) + '\n');
    }
  };
  const fail = (diags: Diagnostic[]): number => (report(diags, false), 1);

  const resolved = resolveFormat(options.format);
  if ('diagnostic' in resolved) return fail([resolved.diagnostic]);
  const file = path.resolve(options.file);
  const readText = (p: string): string | undefined => {
    try {
      const content = readFileSync(p, 'utf8');
      sources.set(p, content);
      return content;
    } catch {
      return undefined;
    }
  };
  const text = readText(file);
  if (text === undefined) {
    return fail([{ severity: 'error', code: 'file-not-found', message: `cannot read \`${options.file}\``, location: { file: options.file }, hint: 'check the path' }]);
  }
  const target = options.out !== undefined ? path.resolve(options.out) : undefined;
  let source = { file, text };
  if (resolved.format === 'pm2' && isEcosystemProgram(file)) {
    const evaluated = evaluateEcosystem(file, text);
    if ('diagnostic' in evaluated) return fail([evaluated.diagnostic]);
    // Warnings then point at lines of the exported value, shown as JSON, not at the program text.
    source = { file: `${file} (as JSON)`, text: evaluated.json };
    sources.set(source.file, source.text);
  }
  const input: ImportInput = { ...source, outDir: target ? path.dirname(target) : process.cwd(), readText, glob: globFiles };

  const result = IMPORTERS[resolved.format](input);
  const diagnostics = result.diagnostics.map((d): Diagnostic =>
    options.strict && d.severity === 'warning' ? { ...d, severity: 'error', hint: d.hint ?? 'failing because of --strict' } : d,
  );
  if (!result.draft || diagnostics.some((d) => d.severity === 'error')) return fail(diagnostics);

  const manifest = writeManifest(result.draft);
  mkdirSync(input.outDir, { recursive: true });
  const problems = await checkManifest(manifest, input.outDir, target ?? path.join(input.outDir, 'orchestra.yaml'), sources);
  if (problems.length > 0) return fail([...diagnostics, ...problems]);

  if (target === undefined) {
    report(diagnostics, true, options.json ? { manifest } : {});
    if (!options.json) process.stdout.write(manifest);
    return 0;
  }
  const overwritten = existsSync(target);
  writeFileSync(target, manifest);
  report(diagnostics, true, { written: target, overwritten });
  if (!options.json) process.stderr.write(`${overwritten ? 'overwrote' : 'wrote'} ${path.relative(process.cwd(), target) || target}\n`);
  return 0;
}

/**
 * Loads the imported manifest the way `orchestra validate` would, from a
 * scratch copy in the folder it is meant for (so relative paths resolve the
 * same), and returns its errors located in the manifest as it would be written.
 */
async function checkManifest(manifest: string, outDir: string, shownAs: string, sources: Map<string, string>): Promise<Diagnostic[]> {
  // Beside the target, so `.env`, `env_file` and `cwd` resolve as they will for the real file.
  const file = path.join(outDir, `.orchestra-import-${process.pid}-${Date.now()}.yaml`);
  try {
    writeFileSync(file, manifest);
    const loaded = await loadManifest({ files: [file] });
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 0) return [];
    sources.set(shownAs, manifest);
    const relocate = <T extends { location?: Location }>(x: T): T =>
      x.location?.file === file ? { ...x, location: { ...x.location, file: shownAs } } : x;
    return errors.map((d) => {
      const out = relocate({ ...d, message: `the imported manifest is not valid: ${d.message}` });
      if (d.related) out.related = d.related.map(relocate);
      return out;
    });
  } finally {
    rmSync(file, { force: true });
  }
}

/** Files matching `pattern` (absolute), with `*`, `?` and `[…]` in the last path segment only, as supervisord's includes use them. */
export function globFiles(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  const regex = new RegExp(
    `^${base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\[!/g, '[^')}$`,
  );
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith('.') && regex.test(name))
      .map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}
