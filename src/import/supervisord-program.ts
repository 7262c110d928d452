/**
 * One supervisord `[program:x]` → one orchestra agent: command (split like
 * `shlex.split`, no shell, as supervisord runs it), numprocs as replicas,
 * priority, autostart, autorestart, startsecs and startretries, stop signal,
 * wait and group, environment, directory, user, log rotation. Every key
 * without an exact equivalent is a located warning and a comment. Pure.
 */

import { AgentLosses, signalName, type AgentDraft, type AgentNames, type ImportNotes } from './draft.js';
import type { IniSection } from './ini.js';
import { rebase } from './paths.js';
import { keyValuePairs, shlexSplit } from './python-words.js';
import { boolean, number, text } from './read-values.js';
import { expandPercent, finishPercent, type PercentNames } from './supervisord-expand.js';

export interface ProgramContext {
  notes: ImportNotes;
  names: AgentNames;
  /** `[supervisord] environment`: passed to every program, and seen by `%(ENV_X)s`. */
  supervisordEnv: Map<string, string>;
  /** Program name → its `[group:x]`. */
  groupOf: Map<string, string>;
  outDir: string;
}

const LOST: Record<string, string> = {
  umask: 'orchestra does not set a umask',
  serverurl: 'orchestra agents do not talk to supervisorctl',
  stdout_logfile: 'orchestra writes stdout and stderr to its own log file per agent',
  stderr_logfile: 'orchestra writes stdout and stderr to its own log file per agent',
  stdout_capture_maxbytes: 'orchestra has no capture mode',
  stderr_capture_maxbytes: 'orchestra has no capture mode',
  stdout_events_enabled: 'orchestra has no event listeners',
  stderr_events_enabled: 'orchestra has no event listeners',
  stdout_syslog: 'orchestra does not write to syslog',
  stderr_syslog: 'orchestra does not write to syslog',
  stderr_logfile_maxbytes: 'orchestra rotates one log per agent; `stdout_logfile_maxbytes` sets it',
  stderr_logfile_backups: 'orchestra rotates one log per agent; `stdout_logfile_backups` sets it',
};
const HANDLED = new Set([
  'command', 'process_name', 'numprocs', 'numprocs_start', 'priority', 'autostart', 'startsecs', 'startretries', 'autorestart',
  'exitcodes', 'stopsignal', 'stopwaitsecs', 'stopasgroup', 'killasgroup', 'user', 'redirect_stderr', 'environment', 'directory',
  'stdout_logfile_maxbytes', 'stdout_logfile_backups',
]);

/** The agent for `[program:name]`, or undefined when it cannot be imported (a located error says why). */
export function supervisordProgram(name: string, section: IniSection, here: string, ctx: ProgramContext): AgentDraft | undefined {
  const { notes } = ctx;
  const opts = section.options;
  const get = (key: string) => opts.entries.get(key);
  const agent = ctx.names.name(name);
  const fields: Record<string, unknown> = {};
  const comments: string[] = [];
  if (agent !== name) comments.push(`supervisord program \`${name}\`.`);
  const group = ctx.groupOf.get(name);
  if (group !== undefined) comments.push(`in supervisord group \`${group}\` (as \`${group}:${name}\`).`);
  const { lose } = new AgentLosses(notes, `[${section.name}]: `, comments);
  for (const [key, e] of opts.entries) {
    if (HANDLED.has(key)) continue;
    if (LOST[key] !== undefined) {
      const value = text(e.value, key, notes)?.toUpperCase();
      if (!(key.endsWith('_logfile') && (value === 'AUTO' || value === 'NONE'))) lose(key, LOST[key]!, e.key);
    } else notes.warn('import-unknown-key', `[${section.name}]: unknown supervisord option \`${key}\`; left out`, e.key);
  }

  const numprocs = number(get('numprocs')?.value, '`numprocs`', notes) ?? 1;
  const start = number(get('numprocs_start')?.value, '`numprocs_start`', notes) ?? 0;
  const programEnv = new Map<string, string>();
  const envNames = (extra: Map<string, string>): PercentNames => {
    const known = new Map<string, string>([['here', here], ['program_name', name], ['group_name', group ?? name], ['numprocs', String(numprocs)]]);
    for (const [k, v] of [...ctx.supervisordEnv, ...extra]) known.set(`ENV_${k}`, v);
    if (numprocs === 1) known.set('process_num', String(start));
    const names: PercentNames = { known };
    if (numprocs !== 1) names.replicaStart = start;
    return names;
  };
  // `environment` itself sees [supervisord]'s variables and the process environment; every other option also sees the program's own.
  const expand = (key: string, own: Map<string, string>): string | undefined => {
    const e = get(key);
    const raw = e ? text(e.value, `\`${key}\``, notes) : undefined;
    if (raw === undefined || !e) return undefined;
    return expandPercent(raw, envNames(own), (kind, message) => {
      if (kind === 'error') notes.error('supervisord-expansion', `[${section.name}] ${key}: ${message}`, e.value.loc);
      else notes.warn('import-approximated', `[${section.name}] ${key}: ${message}`, e.value.loc);
    });
  };
  const replicaStart = numprocs !== 1 ? start : undefined;

  const envText = expand('environment', new Map());
  if (envText !== undefined) {
    const pairs = keyValuePairs(envText);
    if (pairs === undefined) notes.error('supervisord-environment', `[${section.name}]: \`environment\` must be KEY="value",KEY2="value2"`, get('environment')!.value.loc);
    else for (const [k, v] of pairs) programEnv.set(k, v);
  }

  const command = expand('command', programEnv);
  if (command === undefined) {
    notes.error('import-missing-command', `[${section.name}] has no \`command\` (supervisord refuses it too)`, section.header);
    return undefined;
  }
  const words = shlexSplit(command);
  if (words === undefined || words.length === 0) {
    notes.error('supervisord-command', `[${section.name}]: \`command\` cannot be split into words (an unclosed quote?)`, get('command')!.value.loc);
    return undefined;
  }
  fields['command'] = words.map((w) => finishPercent(w, replicaStart));

  const directory = expand('directory', programEnv);
  if (directory !== undefined) {
    // `%(here)s/app` is absolute once expanded; written relative, the manifest keeps working when the folder moves.
    const dir = directory.startsWith(here) ? `.${directory.slice(here.length)}` : directory;
    fields['cwd'] = rebase(finishPercent(dir, replicaStart), { sourceDir: here, outDir: ctx.outDir });
  }
  if (programEnv.size > 0) fields['env'] = Object.fromEntries([...programEnv].map(([k, v]) => [k, finishPercent(v, replicaStart)]));
  const user = expand('user', programEnv);
  if (user !== undefined) fields['user'] = finishPercent(user, replicaStart);
  if (numprocs !== 1) {
    fields['replicas'] = numprocs;
    comments.push(`numprocs: instances ${agent}-0 … ${agent}-${numprocs - 1} (supervisord numbers them from ${start}).`);
    const processName = get('process_name');
    if (processName) notes.warn('import-approximated', `[${section.name}]: \`process_name\` is not kept: orchestra names the instances ${agent}-0 … ${agent}-${numprocs - 1}`, processName.key);
  }
  if (boolean(get('autostart')?.value, '`autostart`', notes) === false) {
    fields['disabled'] = true;
    comments.push('autostart=false: kept stopped until started by hand.');
  }
  const priority = number(get('priority')?.value, '`priority`', notes);
  // supervisord starts lower priorities first; orchestra starts higher ones first.
  if (priority !== undefined && priority !== 999) fields['priority'] = 999 - priority;

  const restart: Record<string, unknown> = {};
  const autorestart = text(get('autorestart')?.value, '`autorestart`', notes)?.toLowerCase();
  if (autorestart === 'true') restart['when'] = 'always';
  else if (autorestart === 'false') restart['when'] = 'never';
  else if (autorestart !== undefined && autorestart !== 'unexpected') notes.warn('import-wrong-type', `[${section.name}]: \`autorestart\` must be true, false or unexpected; left out`, get('autorestart')!.value.loc);
  const exitcodes = text(get('exitcodes')?.value, '`exitcodes`', notes);
  if (exitcodes !== undefined && exitcodes.replace(/\s/g, '') !== '0') {
    lose('exitcodes', 'orchestra counts only exit code 0 as expected', get('exitcodes')!.key);
  }
  const retries = number(get('startretries')?.value, '`startretries`', notes);
  if (retries !== undefined && retries !== 3) restart['max_attempts'] = retries + 1;
  const startsecs = number(get('startsecs')?.value, '`startsecs`', notes);
  if (startsecs !== undefined && startsecs !== 1) restart['reset_after'] = `${startsecs}s`;
  if (Object.keys(restart).length > 0) fields['restart'] = restart;

  const stop: Record<string, unknown> = {};
  const signalNode = get('stopsignal');
  const signal = signalNode ? text(signalNode.value, '`stopsignal`', notes) : undefined;
  if (signal !== undefined) {
    const sig = signalName(signal);
    if (sig === undefined) lose('stopsignal', `orchestra cannot send ${signal}; it sends SIGTERM`, signalNode!.key);
    else if (sig !== 'SIGTERM') stop['signal'] = sig;
  }
  const wait = number(get('stopwaitsecs')?.value, '`stopwaitsecs`', notes);
  if (wait !== undefined && wait !== 10) stop['timeout'] = `${wait}s`;
  if (boolean(get('stopasgroup')?.value, '`stopasgroup`', notes) === true) stop['mode'] = 'group';
  if (Object.keys(stop).length > 0) fields['stop'] = stop;

  const logs: Record<string, unknown> = {};
  const maxbytes = text(get('stdout_logfile_maxbytes')?.value, '`stdout_logfile_maxbytes`', notes);
  if (maxbytes !== undefined) {
    const size = supervisorBytes(maxbytes);
    if (size === undefined || size === 0) lose('stdout_logfile_maxbytes', size === 0 ? 'orchestra always rotates' : `\`${maxbytes}\` is not a size`, get('stdout_logfile_maxbytes')!.key);
    else logs['max_size'] = size;
  }
  const backups = number(get('stdout_logfile_backups')?.value, '`stdout_logfile_backups`', notes);
  if (backups !== undefined) logs['keep'] = Math.min(backups, 100);
  if (Object.keys(logs).length > 0) fields['logs'] = logs;
  return { name: agent, fields, comments };
}

/** supervisord's byte sizes (`50MB` is 50 × 1024 × 1024) as an orchestra size. */
function supervisorBytes(value: string): string | number | undefined {
  const m = /^\s*(\d+)\s*(KB|MB|GB)?\s*$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n === 0) return 0;
  const unit = m[2]?.toUpperCase();
  return unit === undefined ? `${n}B` : `${n}${unit[0]}iB`;
}
