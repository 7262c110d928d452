/**
 * `orchestra import procfile`: a Procfile as foreman runs it. Each
 * `name: command` line (foreman's pattern `^[A-Za-z0-9_]+:`) is a process run
 * with `sh -c` in the Procfile's folder, with the variables of `.env` beside
 * it, `PORT` = base + 100 × its position (base: `PORT` from `.env`, else
 * 5000) and `PS` = `name.1`. foreman restarts nothing and, on shutdown,
 * sends SIGTERM to each process and SIGKILL after 5 seconds. Pure.
 */

import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { AgentNames, ImportNotes, type AgentDraft, type ImportInput, type ImportResult } from './draft.js';
import { locate, LineIndex } from '../manifest/source.js';
import { defaultCwd } from './paths.js';
import { literal, plainArgv } from './text.js';

const ENTRY = /^([A-Za-z0-9_]+):\s*(.+)$/;
const BASE_PORT = 5000;

/** Imports a Procfile. */
export function importProcfile(input: ImportInput): ImportResult {
  const notes = new ImportNotes();
  const index = new LineIndex(input.text);
  const names = new AgentNames();
  const dotenvFile = path.join(path.dirname(input.file), '.env');
  const dotenvText = input.readText(dotenvFile);
  const dotenv = dotenvText === undefined ? {} : parseDotenv(dotenvText);
  const basePort = Number.parseInt(dotenv['PORT'] ?? '', 10) || BASE_PORT;
  const cwd = defaultCwd({ sourceDir: path.dirname(input.file), outDir: input.outDir });

  const agents: AgentDraft[] = [];
  const timesSeen = new Map<string, number>();
  let offset = 0;
  for (const rawLine of input.text.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const start = offset;
    offset += rawLine.length + 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = ENTRY.exec(line);
    if (!match) {
      notes.warn('import-unmapped', 'not a `name: command` line; foreman ignores it, and so does the import', locate(input.file, index, start, start + line.length));
      continue;
    }
    const [, name, command] = match as unknown as [string, string, string];
    const seen = timesSeen.get(name) ?? 0;
    timesSeen.set(name, seen + 1);
    // foreman runs every line, also a second one with the same name; orchestra needs distinct names.
    const agent = names.name(seen === 0 ? name : `${name}-${seen + 1}`);
    if (seen > 0) notes.warn('import-duplicate', `process type \`${name}\` is declared again; foreman runs both, so this line becomes agent \`${agent}\``, locate(input.file, index, start, start + name.length));
    const comments: string[] = [];
    const fields: Record<string, unknown> = {};
    const argv = plainArgv(command);
    if (argv) fields['command'] = argv;
    else {
      fields['command'] = literal(command);
      fields['shell'] = true;
    }
    if (cwd !== undefined) fields['cwd'] = cwd;
    fields['env'] = { PORT: String(basePort + 100 * agents.length), PS: `${name}.1` };
    if (agent !== name) comments.push(`foreman process type \`${name}\`.`);
    agents.push({ name: agent, fields, comments });
  }
  if (agents.length === 0) {
    notes.error('import-empty', 'no `name: command` lines: nothing to import', locate(input.file, index, 0, 0));
    return { diagnostics: notes.list };
  }

  const defaults: Record<string, unknown> = {
    restart: { when: 'never' },
    stop: { mode: 'main', timeout: '5s' },
  };
  if (dotenvText !== undefined) defaults['env_file'] = path.relative(input.outDir, dotenvFile) || '.env';
  const header = [
    `Imported from ${path.basename(input.file)} (Procfile) by \`orchestra import procfile\`.`,
    "Like foreman: each line runs with `sh -c` in the Procfile's folder, PORT is",
    `${basePort} + 100 per line${dotenv['PORT'] !== undefined ? ' (base from .env)' : ''}, PS is NAME.1, nothing is restarted, and a stop sends SIGTERM`,
    'to the process and SIGKILL after 5s. Unlike foreman, one process ending does not stop the others.',
  ];
  if (dotenvText !== undefined) header.push('The variables of .env are passed to every process (`env_file`).');
  return { draft: { header, defaults, agents }, diagnostics: notes.list };
}
