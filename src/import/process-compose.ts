/**
 * `orchestra import process-compose`: reads a process-compose.yaml (with its
 * `extends` chain and process-level `extends`), merges it the way
 * process-compose does, and hands each process to process-compose-process.ts.
 * Owns the file-level keys; pure (other files come through `readText`).
 *
 * Merge rules (process-compose's merge.md): a file's `extends` names a base
 * file loaded first (relative to the extending file; its processes without
 * `working_dir` run in the base file's folder); a process defined in both
 * merges key by key, `environment` entries by variable name and
 * `depends_on` by dependency, the later value winning; every other value
 * replaces.
 */

import path from 'node:path';

import type { MapEntry, MapNode, ValueNode } from '../manifest/node.js';
import { fullParse } from '../manifest/parse.js';
import { AgentNames, ImportNotes, type AgentDraft, type ImportInput, type ImportResult } from './draft.js';
import { pcEnvironment, varsOf } from './process-compose-env.js';
import { pcProcess, type PcContext } from './process-compose-process.js';
import { boolean, mapEntries, text } from './read-values.js';

const FILE_KEYS_IGNORED: Record<string, string> = {
  version: '',
  log_level: 'orchestra has no log level for its own output',
  log_length: 'orchestra keeps every log line in files under the state directory',
  log_location: 'orchestra writes one log file per agent under the state directory',
  log_configuration: 'orchestra writes one log file per agent under the state directory',
  log_format: 'orchestra writes one log file per agent under the state directory',
  is_strict: '',
  is_tui_disabled: 'orchestra has no TUI; `orchestra up` and `orchestra status` show the fleet',
  ordered_shutdown: '',
  env_cmds: 'orchestra does not run commands to compute environment variables; set them in `.env` or the environment',
};

/** Imports a process-compose file. */
export function importProcessCompose(input: ImportInput): ImportResult {
  const notes = new ImportNotes();
  const layers = loadChain(input.file, input.text, input, notes, []);
  if (layers === undefined || notes.failed) return { diagnostics: notes.list };
  const root = layers.reduce((base, over) => mergeFile(base, over));

  for (const [key, entry] of root.entries) {
    if (['processes', 'environment', 'vars', 'extends', 'disable_env_expansion', 'shell', 'is_dotenv_disabled'].includes(key)) continue;
    if (key.startsWith('x-')) continue;
    const why = FILE_KEYS_IGNORED[key];
    if (why === undefined) notes.warn('import-unknown-key', `unknown process-compose key \`${key}\`; left out`, entry.key);
    else if (why !== '') notes.warn('import-unmapped', `\`${key}\` is not imported: ${why}`, entry.key);
  }

  const envExpansion = boolean(root.entries.get('disable_env_expansion')?.value, '`disable_env_expansion`', notes) !== true;
  const shell = shellOf(root, notes);
  const globalVars = varsOf(root.entries.get('vars')?.value, notes);
  const processes = resolveProcessExtends(mapEntries(root.entries.get('processes')?.value, '`processes`', notes), notes);
  if (processes.length === 0) notes.error('import-empty', 'no processes to import: `processes` is missing or empty', root.loc);
  if (notes.failed) return { diagnostics: notes.list };

  const names = new AgentNames();
  for (const [name] of processes) names.name(name);
  const ctx: PcContext = {
    notes,
    names,
    known: new Map(processes.map(([n, e]) => [n, e.value])),
    completedTargets: completedTargets(processes),
    envExpansion,
    shell,
    globalVars,
    folders: { sourceDir: path.dirname(input.file), outDir: input.outDir },
  };
  const agents: AgentDraft[] = [];
  for (const [name, entry] of processes) {
    const agent = pcProcess(name, entry, ctx);
    if (agent) agents.push(agent);
  }

  const defaults: Record<string, unknown> = {
    // process-compose's defaults, where they differ from orchestra's.
    restart: { when: 'never', strategy: 'delayed', delay: '1s', max_attempts: 0 },
  };
  const env = pcEnvironment(root.entries.get('environment')?.value, ctx, 'the global `environment`');
  if (env !== undefined) defaults['env'] = env;
  const dotenv = path.join(path.dirname(input.file), '.env');
  if (boolean(root.entries.get('is_dotenv_disabled')?.value, '`is_dotenv_disabled`', notes) !== true && input.readText(dotenv) !== undefined) {
    defaults['env_file'] = path.relative(input.outDir, dotenv);
  }
  const header = [
    `Imported from ${path.basename(input.file)} (process-compose) by \`orchestra import process-compose\`.`,
    'defaults: process-compose does not restart a process unless `availability.restart` says so,',
    'waits `backoff_seconds` (1s) between restarts and never gives up (`max_restarts: 0`).',
  ];
  if (defaults['env_file'] !== undefined) header.push('process-compose passes the variables of `.env` to every process: `env_file` does the same.');
  return { draft: { header, defaults, agents }, diagnostics: notes.list };
}

/** The file and its `extends` bases, base first. Undefined when a file cannot be read or parsed. */
function loadChain(file: string, textOf: string, input: ImportInput, notes: ImportNotes, seen: string[]): MapNode[] | undefined {
  const parsed = fullParse(file, textOf);
  for (const d of parsed.diagnostics) {
    if (d.severity === 'error') notes.error(d.code, d.message.replace('the manifest', 'the file'), d.location, d.hint);
  }
  const root = parsed.root;
  if (!root) return undefined;
  const extendsNode = root.entries.get('extends');
  const base = extendsNode ? text(extendsNode.value, '`extends`', notes) : undefined;
  if (base === undefined || extendsNode === undefined) return [root];
  const baseFile = path.resolve(path.dirname(file), base);
  if (seen.includes(baseFile) || baseFile === file) {
    notes.error('import-extends-cycle', `\`extends\` loops back to ${path.basename(baseFile)}`, extendsNode.value.loc);
    return undefined;
  }
  const baseText = input.readText(baseFile);
  if (baseText === undefined) {
    notes.error('import-file-not-found', `\`extends\` names ${base}, which cannot be read`, extendsNode.value.loc);
    return undefined;
  }
  const chain = loadChain(baseFile, baseText, input, notes, [...seen, file]);
  if (chain === undefined) return undefined;
  // process-compose runs a base file's processes in the base file's folder unless they say otherwise.
  const baseDir = path.relative(path.dirname(file), path.dirname(baseFile));
  return [...chain.map((layer) => (baseDir === '' ? layer : withWorkingDir(layer, baseDir))), root];
}

function withWorkingDir(root: MapNode, dir: string): MapNode {
  const processes = root.entries.get('processes');
  if (!processes || processes.value.kind !== 'map') return root;
  const updated = new Map(processes.value.entries);
  for (const [name, entry] of updated) {
    if (entry.value.kind !== 'map') continue;
    const wd = entry.value.entries.get('working_dir');
    const wdValue = wd && wd.value.kind === 'scalar' && typeof wd.value.value === 'string' ? wd.value.value : undefined;
    const joined = wdValue === undefined ? dir : path.isAbsolute(wdValue) ? wdValue : path.join(dir, wdValue);
    const entries = new Map(entry.value.entries);
    entries.set('working_dir', { key: wd?.key ?? entry.key, value: { kind: 'scalar', value: joined, loc: wd?.value.loc ?? entry.key } });
    updated.set(name, { key: entry.key, value: { ...entry.value, entries } });
  }
  const entries = new Map(root.entries);
  entries.set('processes', { key: processes.key, value: { ...processes.value, entries: updated } });
  return { ...root, entries };
}

/** Merges two files (or two processes): maps key by key, `environment` by variable, everything else replaced. */
function mergeFile(base: MapNode, over: MapNode): MapNode {
  const entries = new Map(base.entries);
  for (const [key, entry] of over.entries) {
    const before = entries.get(key);
    entries.set(key, before ? { key: entry.key, value: mergeValue(key, before.value, entry.value) } : entry);
  }
  return { ...base, entries, loc: over.loc };
}

function mergeValue(key: string, base: ValueNode, over: ValueNode): ValueNode {
  if (key === 'environment' && base.kind === 'seq' && over.kind === 'seq') {
    const byName = new Map<string, ValueNode>();
    for (const item of [...base.items, ...over.items]) {
      const name = item.kind === 'scalar' ? String(item.value).split('=')[0]! : '';
      byName.delete(name);
      byName.set(name, item);
    }
    return { ...over, items: [...byName.values()] };
  }
  if (base.kind === 'map' && over.kind === 'map') return mergeFile(base, over);
  return over;
}

/** Process-level `extends: other`: the named process's keys under this one's, recursively. */
function resolveProcessExtends(processes: [string, MapEntry][], notes: ImportNotes): [string, MapEntry][] {
  const byName = new Map(processes);
  const resolved = new Map<string, MapEntry>();
  const resolve = (name: string, trail: string[]): MapEntry | undefined => {
    const done = resolved.get(name);
    if (done) return done;
    const entry = byName.get(name);
    if (!entry) return undefined;
    const ext = entry.value.kind === 'map' ? entry.value.entries.get('extends') : undefined;
    let result = entry;
    if (ext && entry.value.kind === 'map') {
      const baseName = ext.value.kind === 'scalar' ? String(ext.value.value) : '';
      if (trail.includes(baseName)) {
        notes.error('import-extends-cycle', `process \`${name}\` extends \`${baseName}\`, which extends it back (${[...trail, name, baseName].join(' → ')})`, ext.value.loc);
      } else {
        const base = resolve(baseName, [...trail, name]);
        if (!base) notes.error('import-unknown-process', `process \`${name}\` extends \`${baseName}\`, which is not a process`, ext.value.loc);
        else if (base.value.kind === 'map') {
          const own = new Map(entry.value.entries);
          own.delete('extends');
          result = { key: entry.key, value: mergeFile(base.value, { ...entry.value, entries: own }) };
        }
      }
    }
    resolved.set(name, result);
    return result;
  };
  return processes.map(([name]) => [name, resolve(name, []) ?? byName.get(name)!]);
}

/** Processes another process waits to complete: they run to completion, so they become `type: oneshot`. */
function completedTargets(processes: [string, MapEntry][]): Set<string> {
  const targets = new Set<string>();
  for (const [, entry] of processes) {
    const deps = entry.value.kind === 'map' ? entry.value.entries.get('depends_on')?.value : undefined;
    if (deps?.kind !== 'map') continue;
    for (const [dep, d] of deps.entries) {
      const cond = d.value.kind === 'map' ? d.value.entries.get('condition')?.value : d.value;
      const word = cond?.kind === 'scalar' ? String(cond.value) : '';
      if (word.startsWith('process_completed')) targets.add(dep);
    }
  }
  return targets;
}

function shellOf(root: MapNode, notes: ImportNotes): [string, string] {
  const shell = root.entries.get('shell')?.value;
  if (shell?.kind !== 'map') return ['bash', '-c'];
  const cmd = text(shell.entries.get('shell_command')?.value, '`shell.shell_command`', notes) ?? 'bash';
  const arg = text(shell.entries.get('shell_argument')?.value, '`shell.shell_argument`', notes) ?? '-c';
  return [cmd, arg];
}
