/**
 * `orchestra import pm2`: a PM2 ecosystem file in JSON or YAML (`apps:`).
 * Each app becomes an agent: script with its interpreter, args, cwd, env
 * (`env_NAME` blocks become `environments.NAME`), instances, restart policy
 * (autorestart, max_restarts and min_uptime, restart_delay,
 * exp_backoff_restart_delay), max_memory_restart, kill_timeout. A `.js`
 * ecosystem file is code: the CLI evaluates it first (src/cli/pm2-ecosystem.ts)
 * and hands its value over as JSON. Pure.
 */

import path from 'node:path';
import type { MapNode, ValueNode } from '../manifest/node.js';
import { fullParse } from '../manifest/parse.js';
import { AgentLosses, AgentNames, ImportNotes, milliseconds, signalName, type AgentDraft, type ImportInput, type ImportResult } from './draft.js';
import { defaultCwd, rebase } from './paths.js';
import { shlexSplit } from './python-words.js';
import { boolean, envEntries, number, text } from './read-values.js';
import { literal } from './text.js';

const INTERPRETERS: Record<string, string> = { '.js': 'node', '.mjs': 'node', '.cjs': 'node', '.sh': 'bash', '.py': 'python', '.rb': 'ruby', '.php': 'php', '.pl': 'perl' };
const LOST: Record<string, string> = {
  cron_restart: 'orchestra does not restart agents on a schedule',
  watch: 'orchestra does not restart agents when files change; `orchestra apply --watch` re-applies the manifest',
  ignore_watch: 'orchestra does not watch files',
  error_file: 'orchestra writes each agent\'s output to its own log file',
  out_file: 'orchestra writes each agent\'s output to its own log file',
  log_file: 'orchestra writes each agent\'s output to its own log file',
  merge_logs: 'orchestra writes each agent\'s output to its own log file',
  log_date_format: 'orchestra timestamps events, not log lines',
  exec_mode: 'orchestra has no cluster mode: replicas do not share a port',
  listen_timeout: 'orchestra has no listen timeout; `startup.timeout` bounds the time to ready',
  wait_ready: 'orchestra does not wait for process.send("ready"); add a `readiness` probe',
};
const HANDLED = new Set(['name', 'script', 'args', 'interpreter', 'interpreter_args', 'node_args', 'cwd', 'env', 'instances', 'autorestart', 'max_restarts', 'min_uptime', 'restart_delay', 'exp_backoff_restart_delay', 'max_memory_restart', 'kill_timeout', 'kill_signal']);

/** Imports a PM2 ecosystem file written as JSON or YAML. */
export function importPm2(input: ImportInput): ImportResult {
  const notes = new ImportNotes();
  if (/\.[cm]?js$/.test(input.file)) {
    notes.error('pm2-js-not-evaluated', 'an ecosystem .js file is a program: evaluate it first and import its value as JSON', { file: input.file }, '`orchestra import pm2 ecosystem.config.js` does this for you');
    return { diagnostics: notes.list };
  }
  const parsed = fullParse(input.file, input.text);
  for (const d of parsed.diagnostics) if (d.severity === 'error') notes.error(d.code, d.message.replace('the manifest', 'the file'), d.location, d.hint);
  if (!parsed.root) return { diagnostics: notes.list };
  const appsNode = parsed.root.entries.get('apps')?.value;
  if (appsNode?.kind !== 'seq' || appsNode.items.length === 0) {
    notes.error('import-empty', 'no apps to import: `apps` must be a list of apps', appsNode?.loc ?? parsed.root.loc);
    return { diagnostics: notes.list };
  }
  const names = new AgentNames();
  const agents: AgentDraft[] = [];
  const environments: Record<string, Record<string, Record<string, unknown>>> = {};
  const folders = { sourceDir: path.dirname(input.file), outDir: input.outDir };
  for (const item of appsNode.items) {
    if (item.kind !== 'map') {
      notes.error('import-wrong-type', 'an app must be a mapping', item.loc);
      continue;
    }
    const agent = app(item, names, notes, folders, environments);
    if (agent) agents.push(agent);
  }
  if (notes.failed) return { diagnostics: notes.list };
  const defaults = {
    // PM2's defaults: restart on any exit; 16 unstable restarts (runs shorter than min_uptime, 1s) and it gives up; kill_timeout 1600ms.
    restart: { when: 'always', strategy: 'immediate', max_attempts: 16, reset_after: '1s' },
    stop: { timeout: '1600ms' },
  };
  const header = [`Imported from ${path.basename(input.file)} (PM2) by \`orchestra import pm2\`.`, 'defaults: PM2 restarts an app on any exit, at once, and gives up after 16 unstable restarts (runs shorter than min_uptime, 1s).'];
  return { draft: { header, defaults, agents, environments }, diagnostics: notes.list };
}

function app(node: MapNode, names: AgentNames, notes: ImportNotes, folders: { sourceDir: string; outDir: string }, environments: Record<string, Record<string, Record<string, unknown>>>): AgentDraft | undefined {
  const get = (k: string): ValueNode | undefined => node.entries.get(k)?.value;
  const script = text(get('script'), '`script`', notes);
  const name = text(get('name'), '`name`', notes) ?? (script ? path.basename(script, path.extname(script)) : undefined);
  if (script === undefined || name === undefined) {
    notes.error('import-missing-command', 'an app needs a `script`', node.loc);
    return undefined;
  }
  const agent = names.name(name);
  const fields: Record<string, unknown> = {};
  const comments: string[] = agent !== name ? [`PM2 app \`${name}\`.`] : [];
  const { lose } = new AgentLosses(notes, `app \`${name}\`: `, comments);
  for (const [key, e] of node.entries) {
    if (HANDLED.has(key) || key.startsWith('env_')) continue;
    if (LOST[key] !== undefined) lose(key, LOST[key]!, e.key);
    else notes.warn('import-unknown-key', `app \`${name}\`: \`${key}\` is not imported`, e.key);
  }
  const words = (n: ValueNode | undefined, what: string): string[] => {
    if (n === undefined) return [];
    if (n.kind === 'seq') return n.items.map((i) => text(i, what, notes) ?? '');
    return shlexSplit(text(n, what, notes) ?? '') ?? [];
  };
  const interpreter = text(get('interpreter'), '`interpreter`', notes) ?? INTERPRETERS[path.extname(script)];
  const argv = [
    ...(interpreter && interpreter !== 'none' ? [interpreter, ...words(get('interpreter_args') ?? get('node_args'), '`interpreter_args`')] : []),
    script,
    ...words(get('args'), '`args`'),
  ];
  fields['command'] = argv.map(literal);
  const cwd = text(get('cwd'), '`cwd`', notes);
  // PM2 resolves `script` and runs the app in the ecosystem file's folder unless `cwd` says otherwise.
  const dir = cwd !== undefined ? rebase(cwd, folders) : defaultCwd(folders);
  if (dir !== undefined) fields['cwd'] = dir;
  const envOf = (n: ValueNode | undefined, what: string): Record<string, string> =>
    Object.fromEntries(envEntries(n, what, notes).map(([k, v]) => [k, literal(v)]));
  const env = envOf(get('env'), '`env`');
  if (Object.keys(env).length > 0) fields['env'] = env;
  for (const [key, e] of node.entries) {
    const m = /^env_(.+)$/.exec(key);
    if (!m) continue;
    const envName = m[1]!.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
    ((environments[envName] ??= {})[agent] = { env: envOf(e.value, `\`${key}\``) });
  }
  const instances = get('instances');
  const count = instances ? number(instances, '`instances`', notes) : undefined;
  if (count !== undefined && count > 1) fields['replicas'] = count;
  else if (count !== undefined && count <= 0) lose('instances', `${count} means one per CPU core in PM2; write the number you want as \`replicas\``, node.entries.get('instances')!.key);

  const restart: Record<string, unknown> = {};
  if (boolean(get('autorestart'), '`autorestart`', notes) === false) restart['when'] = 'never';
  const max = number(get('max_restarts'), '`max_restarts`', notes);
  if (max !== undefined && max !== 16) restart['max_attempts'] = max;
  const uptime = get('min_uptime');
  const uptimeMs = uptime?.kind === 'scalar' && typeof uptime.value === 'number' ? uptime.value : undefined;
  if (uptimeMs !== undefined && uptimeMs !== 1000) restart['reset_after'] = milliseconds(uptimeMs);
  const delay = number(get('restart_delay'), '`restart_delay`', notes);
  if (delay !== undefined && delay > 0) Object.assign(restart, { strategy: 'delayed', delay: milliseconds(delay) });
  const backoff = number(get('exp_backoff_restart_delay'), '`exp_backoff_restart_delay`', notes);
  // PM2 grows the delay by 1.5x up to 15s; orchestra doubles it, up to max_delay.
  if (backoff !== undefined) Object.assign(restart, { strategy: 'exponential', delay: milliseconds(backoff), max_delay: '15s' });
  if (Object.keys(restart).length > 0) fields['restart'] = restart;

  const stop: Record<string, unknown> = {};
  const kill = number(get('kill_timeout'), '`kill_timeout`', notes);
  if (kill !== undefined && kill !== 1600) stop['timeout'] = milliseconds(kill);
  const signal = text(get('kill_signal'), '`kill_signal`', notes);
  if (signal !== undefined) {
    const sig = signalName(signal);
    if (sig === undefined) lose('kill_signal', `orchestra cannot send ${signal}`, node.entries.get('kill_signal')!.key);
    else if (sig !== 'SIGTERM') stop['signal'] = sig;
  }
  if (Object.keys(stop).length > 0) fields['stop'] = stop;
  const memory = text(get('max_memory_restart'), '`max_memory_restart`', notes);
  if (memory !== undefined) {
    const m = /^(\d+)\s*([KMG])?B?$/i.exec(memory.trim());
    if (!m) lose('max_memory_restart', `\`${memory}\` is not a size`, node.entries.get('max_memory_restart')!.key);
    else fields['thresholds'] = { memory: { critical: m[2] ? `${m[1]}${m[2].toUpperCase()}iB` : `${m[1]}B` }, on_critical: 'restart' };
  }
  return { name: agent, fields, comments };
}
