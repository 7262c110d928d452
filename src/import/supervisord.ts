/**
 * `orchestra import supervisord`: reads supervisord.conf and the files its
 * `[include]` names, and turns each `[program:x]` into an agent
 * (supervisord-program.ts). Owns the file-level sections: `[include]`,
 * `[group:x]`, `[supervisord] environment`, and the sections that configure
 * supervisord itself (not imported). Pure: files come through `readText` and
 * `glob`.
 */

import path from 'node:path';
import { AgentNames, ImportNotes, type AgentDraft, type ImportInput, type ImportResult } from './draft.js';
import { parseIni, type IniSection } from './ini.js';
import { keyValuePairs } from './python-words.js';
import { supervisordProgram, type ProgramContext } from './supervisord-program.js';
import { text } from './read-values.js';

/** A section and the folder of the file it was read from (`%(here)s`). */
interface Located {
  section: IniSection;
  here: string;
}

const ABOUT_SUPERVISORD = /^(supervisord|supervisorctl|unix_http_server|inet_http_server|rpcinterface:.*|ctlplugin:.*|include)$/;

/** Imports a supervisord configuration. */
export function importSupervisord(input: ImportInput): ImportResult {
  const notes = new ImportNotes();
  const sections = readWithIncludes(input.file, input.text, input, notes, new Set());
  if (notes.failed) return { diagnostics: notes.list };

  const supervisord = sections.find((s) => s.section.name === 'supervisord');
  const supervisordEnv = new Map<string, string>();
  const envNode = supervisord?.section.options.entries.get('environment');
  if (envNode) {
    const pairs = keyValuePairs(text(envNode.value, '`environment`', notes) ?? '');
    if (pairs === undefined) notes.error('supervisord-environment', 'expected KEY="value",KEY2="value2"', envNode.value.loc);
    else for (const [k, v] of pairs) supervisordEnv.set(k, v);
  }

  const groupOf = new Map<string, string>();
  for (const { section } of sections) {
    const group = /^group:(.+)$/.exec(section.name);
    if (!group) continue;
    const programs = text(section.options.entries.get('programs')?.value, '`programs`', notes) ?? '';
    const members = programs.split(',').map((p) => p.trim()).filter((p) => p !== '');
    for (const m of members) groupOf.set(m, group[1]!);
    notes.warn(
      'import-unmapped',
      `[${section.name}] is not imported: orchestra has no groups; its programs (${members.join(', ')}) are imported as separate agents${section.options.entries.has('priority') ? ', and the group\'s priority is left out' : ''}`,
      section.header,
    );
  }

  const names = new AgentNames();
  const ctx: ProgramContext = { notes, names, supervisordEnv, groupOf, outDir: input.outDir };
  const agents: AgentDraft[] = [];
  const ignored: string[] = [];
  for (const { section, here } of sections) {
    const program = /^program:(.+)$/.exec(section.name);
    if (program) {
      const agent = supervisordProgram(program[1]!, section, here, ctx);
      if (agent) agents.push(agent);
    } else if (/^(eventlistener|fcgi-program):/.test(section.name)) {
      notes.warn('import-unmapped', `[${section.name}] is not imported: orchestra has no ${section.name.startsWith('event') ? 'event listeners' : 'FastCGI programs'}`, section.header);
    } else if (ABOUT_SUPERVISORD.test(section.name)) {
      ignored.push(`[${section.name}]`);
    } else if (!section.name.startsWith('group:')) {
      notes.warn('import-unknown-section', `unknown section [${section.name}]; left out`, section.header);
    }
  }
  if (notes.failed) return { diagnostics: notes.list };

  const defaults: Record<string, unknown> = {
    // supervisord's defaults: autorestart=unexpected, startretries=3, startsecs=1, and the stop signal goes to the main process only.
    restart: { when: 'on-failure', max_attempts: 4, reset_after: '1s' },
    stop: { mode: 'main' },
  };
  if (supervisordEnv.size > 0) defaults['env'] = Object.fromEntries(supervisordEnv);
  const header = [
    `Imported from ${path.basename(input.file)} (supervisord) by \`orchestra import supervisord\`.`,
    'defaults: supervisord restarts a program that exits unexpectedly (autorestart=unexpected); a run shorter',
    'than startsecs (1s) is a failed start, retried startretries (3) times: max_attempts = startretries + 1 and',
    'reset_after = startsecs. The stop signal goes to the main process only (stopasgroup=false).',
  ];
  if (ignored.length > 0) header.push(`Not imported, as they configure supervisord itself: ${ignored.join(', ')}.`);
  return { draft: { header, defaults, agents }, diagnostics: notes.list };
}

/** The sections of `file` followed by those of the files its `[include]` names (relative to it), recursively. */
function readWithIncludes(file: string, content: string, input: ImportInput, notes: ImportNotes, seen: Set<string>): Located[] {
  seen.add(file);
  const here = path.dirname(file);
  const own = parseIni(file, content, notes).map((section) => ({ section, here }));
  const include = own.find((s) => s.section.name === 'include')?.section.options.entries.get('files');
  if (!include) return own;
  const patterns = (text(include.value, '`files`', notes) ?? '').split(/\s+/).filter((p) => p !== '');
  const included: Located[] = [];
  for (const pattern of patterns) {
    const absolute = path.resolve(here, pattern.replace(/%\(here\)s/g, here));
    const files = /[*?[]/.test(absolute) ? (input.glob?.(absolute) ?? []) : [absolute];
    if (files.length === 0) notes.warn('import-include-empty', `\`${pattern}\` matches no file; supervisord includes nothing for it either`, include.value.loc);
    for (const f of files.sort()) {
      if (seen.has(f)) continue;
      const more = input.readText(f);
      if (more === undefined) notes.error('import-file-not-found', `cannot read \`${f}\`, named by [include]`, include.value.loc);
      else included.push(...readWithIncludes(f, more, input, notes, seen));
    }
  }
  return [...own, ...included];
}
