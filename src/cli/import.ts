/**
 * `orchestra import FORMAT FILE`: reads the source file (and the files it
 * names), runs the format's pure importer, checks the manifest it wrote with
 * orchestra's own loader, prints every warning with its file:line:column, and
 * prints or writes the manifest. Secret env values become `${VAR}` references
 * (src/import/secret-env.ts): with -o their values are added to `.env` beside
 * the manifest, on stdout they are left out; every diagnostic and the source
 * lines it quotes are masked with the one secrets rule. Nothing is written
 * when there is an error (or a warning with --strict).
 */

import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { Diagnostic, Location } from '../util/diagnostic.js';
import { loadManifest } from '../manifest/load.js';
import { LineIndex, locate } from '../manifest/source.js';
import type { ImportInput } from '../import/draft.js';
import { IMPORTERS, resolveFormat } from '../import/index.js';
import { secretLikeValues, secretSourceForms, splitSecrets, type SecretSplit } from '../import/secret-env.js';
import { writeManifest } from '../import/write-manifest.js';
import { maskDeep } from '../plan/secrets.js';
import { diagnosticsToJson, formatDiagnostics } from '../report/diagnostics.js';
import { writeFailure, writeOutputFile } from './output-file.js';
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
  // Secret values found in the imported file; nothing the import prints may show them.
  let secrets: string[] = [];
  const report = (diags: Diagnostic[], ok: boolean, extra: Record<string, unknown> = {}): void => {
    if (options.json) {
      process.stdout.write(JSON.stringify({ ok, ...extra, ...maskDeep(diagnosticsToJson(diags) as object, secrets) }, null, 2) + '\n');
    } else if (diags.length > 0) {
      process.stderr.write(formatDiagnostics(diags, sources, { color: options.color, cwd: process.cwd(), secrets }) + '\n');
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
  const dotenvFile = path.join(input.outDir, '.env');
  const split = result.draft ? splitSecrets(result.draft, readDotenv(dotenvFile)) : undefined;
  secrets = secretSourceForms(split?.values ?? []);
  const diagnostics = [...result.diagnostics, ...keptSecretWarnings(split, source.file, source.text)].map((d): Diagnostic =>
    options.strict && d.severity === 'warning' ? { ...d, severity: 'error', hint: d.hint ?? 'failing because of --strict' } : d,
  );
  if (!split || diagnostics.some((d) => d.severity === 'error')) {
    // Not imported: values the importer never parsed (an `environment=` line it could not read) may sit in the lines the errors quote.
    secrets = [...secrets, ...secretLikeValues(source.text)].sort((a, b) => b.length - a.length);
    return fail(diagnostics);
  }

  const manifest = writeManifest(split.draft);
  try {
    mkdirSync(input.outDir, { recursive: true });
  } catch (error) {
    return fail([{ severity: 'error', code: 'cannot-write', message: writeFailure(error, options.out ?? input.outDir, '-o') }]);
  }
  const movedEnv = Object.fromEntries(split.moved.map((m) => [m.variable, m.plain]));
  const problems = await checkManifest(manifest, input.outDir, target ?? path.join(input.outDir, 'orchestra.yaml'), sources, movedEnv);
  if (problems.length > 0) return fail([...diagnostics, ...problems]);

  const secretsJson = split.moved.map((m) => ({ agent: m.agent ?? null, ...(m.environment ? { environment: m.environment } : {}), key: m.key, variable: m.variable }));
  const variables = [...new Set(split.moved.map((m) => m.variable))];
  if (target === undefined) {
    report(diagnostics, true, options.json ? { manifest, secrets: secretsJson } : {});
    if (!options.json) {
      process.stdout.write(manifest);
      // Variables .env already holds with the same value need nothing more.
      const missing = variables.filter((v) => split.dotenvLines.some((l) => l.startsWith(`${v}=`)));
      if (missing.length > 0) {
        process.stderr.write(
          `secret values left out: the manifest refers to ${missing.map((v) => `\${${v}}`).join(', ')}; set ${missing.length === 1 ? 'it' : 'them'} in .env beside the manifest or in the environment (with -o the import writes .env)\n`,
        );
      }
    }
    return 0;
  }
  const overwritten = existsSync(target);
  try {
    if (split.dotenvLines.length > 0) writeDotenv(dotenvFile, split.dotenvLines, path.basename(file));
  } catch (error) {
    return fail([{ severity: 'error', code: 'cannot-write', message: writeFailure(error, dotenvFile, 'the secrets file') }]);
  }
  const problem = writeOutputFile(target, manifest, '-o');
  if (problem) return fail([{ severity: 'error', code: 'cannot-write', message: problem }]);
  const shown = (p: string): string => path.relative(process.cwd(), p) || p;
  report(diagnostics, true, { written: target, overwritten, secrets: secretsJson, ...(split.dotenvLines.length > 0 ? { dotenv: dotenvFile } : {}) });
  if (!options.json) {
    if (variables.length > 0) {
      process.stderr.write(`secret values moved to ${shown(dotenvFile)} (keep it out of version control): ${variables.join(', ')}; the manifest refers to them as \${NAME}\n`);
    }
    process.stderr.write(`${overwritten ? 'overwrote' : 'wrote'} ${shown(target)}\n`);
  }
  return 0;
}

/** The variables `.env` holds now; none when it is missing or unreadable. */
function readDotenv(file: string): Record<string, string> {
  try {
    return parseDotenv(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** Adds the moved secrets to `.env`: created 0600, or appended below what it holds. */
function writeDotenv(file: string, lines: readonly string[], source: string): void {
  const block = `# Secret values from ${source}, added by \`orchestra import\`; orchestra.yaml refers to them as \${NAME}.\n${lines.join('\n')}\n`;
  if (!existsSync(file)) {
    writeFileSync(file, block, { mode: 0o600 });
    return;
  }
  const current = readFileSync(file, 'utf8');
  appendFileSync(file, `${current === '' || current.endsWith('\n') ? '' : '\n'}\n${block}`);
}

/** A warning for each secret that stays in the manifest as written, naming its key (never its value), at its text in the source when found there. */
function keptSecretWarnings(split: SecretSplit | undefined, file: string, text: string): Diagnostic[] {
  return (split?.kept ?? []).map((k) => {
    const where = k.literal.length > 0 ? text.indexOf(k.literal) : -1;
    return {
      severity: 'warning',
      code: 'import-secret-kept',
      message: `${k.agent === undefined ? '`defaults`' : `agent \`${k.agent}\``}${k.environment ? ` (environment \`${k.environment}\`)` : ''}: env \`${k.key}\` holds a secret that stays in the manifest as written (${/\$\{|\{\{/.test(k.value) ? 'literal text mixed with references or templates' : '.env could not carry it unchanged'})`,
      location: where < 0 ? { file } : locate(file, new LineIndex(text), where, where + k.literal.length),
      hint: 'the manifest is meant to be committed: move the value to .env and write ${NAME} in its place',
    };
  });
}

/**
 * Loads the imported manifest the way `orchestra validate` would, from a
 * scratch copy in the folder it is meant for (so relative paths resolve the
 * same), and returns its errors located in the manifest as it would be written.
 */
async function checkManifest(manifest: string, outDir: string, shownAs: string, sources: Map<string, string>, secretEnv: Record<string, string>): Promise<Diagnostic[]> {
  // Beside the target, so `.env`, `env_file` and `cwd` resolve as they will for the real file.
  const file = path.join(outDir, `.orchestra-import-${process.pid}-${Date.now()}.yaml`);
  try {
    try {
      writeFileSync(file, manifest);
    } catch (error) {
      return [{ severity: 'error', code: 'cannot-write', message: writeFailure(error, shownAs, '-o') }];
    }
    // The moved secrets are not in .env yet; the real environment still wins, as it will when the manifest runs.
    const loaded = await loadManifest({ files: [file], env: { ...secretEnv, ...process.env } });
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
