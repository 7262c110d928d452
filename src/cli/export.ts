/**
 * `orchestra export TARGET`: load the manifest, run the target's pure
 * exporter, print its warnings, and print or write the files. The only place
 * of the export feature that touches the file system, PATH and exit codes.
 */

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EXPORTERS, resolveTarget, type ExportFile, type ExportOptions } from '../export/index.js';
import type { Diagnostic } from '../util/diagnostic.js';
import { loadManifest } from '../manifest/load.js';
import { planSecretValues } from '../plan/secrets.js';
import { diagnosticsToJson, formatDiagnostics } from '../report/diagnostics.js';
import { writeOutputFile } from './output-file.js';

export interface ExportCommandOptions {
  target: string;
  files: string[];
  environment?: string;
  set?: string[];
  /** A directory (systemd, or any target) or a file (single-file targets). */
  out?: string;
  image?: string;
  strict: boolean;
  json: boolean;
  color: boolean;
  /** The systemd version the units are for (default 254); below 254 the exponential-backoff keys are left out. */
  systemdVersion?: number;
}

/** Runs the command and returns its exit code: 0 ok, 1 invalid manifest, unknown target or strict warnings. */
export async function runExport(options: ExportCommandOptions): Promise<number> {
  let secrets: string[] = [];
  const print = (diags: Diagnostic[], sources: Map<string, string>): void => {
    if (diags.length > 0 && !options.json) {
      process.stderr.write(formatDiagnostics(diags, sources, { color: options.color, cwd: process.cwd(), secrets }) + '\n');
    }
  };
  const fail = (diags: Diagnostic[], sources: Map<string, string> = new Map()): number => {
    print(diags, sources);
    if (options.json) process.stdout.write(JSON.stringify({ ok: false, diagnostics: diagnosticsToJson(diags) }, null, 2) + '\n');
    return 1;
  };

  const resolved = resolveTarget(options.target);
  if ('diagnostic' in resolved) return fail([resolved.diagnostic]);
  const target = resolved.target;

  const load: Parameters<typeof loadManifest>[0] = { files: options.files };
  if (options.environment !== undefined) load.environment = options.environment;
  if (options.set !== undefined) load.set = options.set;
  const loaded = await loadManifest(load);
  const loadErrors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.plan || loadErrors.length > 0) return fail(loaded.diagnostics, loaded.sources);
  secrets = planSecretValues(loaded.plan);

  const exportOptions: ExportOptions = { resolveProgram: findOnPath };
  if (options.image !== undefined) exportOptions.image = options.image;
  if (options.systemdVersion !== undefined) exportOptions.systemdVersion = options.systemdVersion;
  const result = EXPORTERS[target](loaded.plan, exportOptions);
  const diagnostics = [
    ...loaded.diagnostics,
    ...result.warnings.map((d): Diagnostic => (options.strict ? { ...d, severity: 'error', hint: d.hint ?? 'failing because of --strict' } : d)),
  ];
  if (diagnostics.some((d) => d.severity === 'error')) return fail(diagnostics, loaded.sources);
  print(diagnostics, loaded.sources);

  if (options.out === undefined) {
    if (options.json) {
      process.stdout.write(JSON.stringify({ ok: true, target, files: result.files, diagnostics: diagnosticsToJson(diagnostics) }, null, 2) + '\n');
    } else {
      process.stdout.write(concatenate(result.files));
    }
    return 0;
  }

  const destinations = destinationsFor(options.out, result.files);
  if ('error' in destinations) return fail([destinations.error]);
  const written: { path: string; overwritten: boolean }[] = [];
  for (const { file, to } of destinations.list) {
    const overwritten = existsSync(to);
    const problem = writeOutputFile(to, file.content, '-o', { createFolders: true });
    if (problem) return fail([{ severity: 'error', code: 'cannot-write', message: problem }]);
    written.push({ path: to, overwritten });
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({ ok: true, target, written, diagnostics: diagnosticsToJson(diagnostics) }, null, 2) + '\n');
  } else {
    for (const w of written) process.stderr.write(`${w.overwritten ? 'overwrote' : 'wrote'} ${path.relative(process.cwd(), w.path) || w.path}\n`);
  }
  return 0;
}

/** Files for stdout: one alone as is, several each under a `# file: NAME` header. */
export function concatenate(files: readonly ExportFile[]): string {
  if (files.length === 1) return files[0]!.content;
  return files.map((f) => `# file: ${f.path}\n${f.content}`).join('\n');
}

/**
 * Where each file goes: into `out` when it is a directory (existing, ending
 * in `/`, or needed because there are several files), else to `out` itself.
 */
export function destinationsFor(
  out: string,
  files: readonly ExportFile[],
): { list: { file: ExportFile; to: string }[] } | { error: Diagnostic } {
  const existing = existsSync(out) ? statSync(out) : undefined;
  const namedAsDir = out.endsWith('/') || out.endsWith(path.sep);
  if (existing && !existing.isDirectory() && files.length > 1) {
    return {
      error: {
        severity: 'error',
        code: 'export-out-not-directory',
        message: `\`${out}\` is a file, but this target writes ${files.length} files`,
        hint: 'pass a directory to -o',
      },
    };
  }
  if (!existing?.isDirectory() && !namedAsDir && files.length === 1) {
    return { list: files.map((file) => ({ file, to: path.resolve(out) })) };
  }
  return { list: files.map((file) => ({ file, to: path.resolve(out, file.path) })) };
}

/** The absolute path of an executable found on PATH, as a shell would run it. */
export function findOnPath(program: string, searchPath: string = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}
