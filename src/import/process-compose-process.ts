/**
 * One process-compose process → one orchestra agent: command, working
 * directory, environment, dependencies and their conditions, availability
 * (restart policy) and shutdown (process-compose-lifecycle.ts), probes,
 * replicas, disabled; environment in process-compose-env.ts. Every key that has
 * no exact orchestra equivalent is a located warning and a comment above the
 * agent. Pure.
 */

import type { Location } from '../util/diagnostic.js';
import type { MapEntry, MapNode, ValueNode } from '../manifest/node.js';
import { AgentLosses, type AgentDraft, type AgentNames } from './draft.js';
import { defaultCwd, rebase, type Folders } from './paths.js';
import { pcEnvironment, varsOf, type PcTextContext } from './process-compose-env.js';
import { availability, shutdown } from './process-compose-lifecycle.js';
import { pcProbe } from './process-compose-probes.js';
import { pcText } from './process-compose-text.js';
import { boolean, mapEntries, number, text } from './read-values.js';
import { commandFor, literal, regexLiteral } from './text.js';

/** What every process needs to know about the whole file. */
export interface PcContext extends PcTextContext {
  names: AgentNames;
  /** Every process of the file, by its process-compose name (after `extends`). */
  known: Map<string, ValueNode>;
  /** Processes some other process waits to complete. */
  completedTargets: Set<string>;
  globalVars: Map<string, string>;
  folders: Folders;
}

const LOST: Record<string, string> = {
  namespace: 'orchestra has no namespaces; every agent belongs to the one manifest',
  log_location: 'orchestra writes each agent\'s output to its own file under the state directory',
  log_configuration: 'orchestra writes each agent\'s output to its own file under the state directory',
  is_tty: 'orchestra does not give agents a terminal',
  is_foreground: 'orchestra has no foreground (TUI) processes',
  is_interactive: 'orchestra does not connect an agent to a terminal',
  is_elevated: 'orchestra does not run `sudo`; run orchestra as root and set `user` instead',
  success_exit_codes: 'orchestra counts only exit code 0 as success',
  launch_timeout_seconds: 'orchestra has no launch timeout; `startup.timeout` bounds the time to ready',
  schedule: 'orchestra does not run agents on a schedule',
  watch: 'orchestra does not restart agents when files change; `orchestra apply --watch` re-applies the manifest',
};
const HANDLED = new Set([
  'description', 'command', 'entrypoint', 'working_dir', 'environment', 'env_file', 'depends_on', 'availability', 'shutdown',
  'readiness_probe', 'liveness_probe', 'ready_log_line', 'is_daemon', 'disabled', 'is_disabled', 'replicas', 'vars', 'extends', 'name',
]);

/** The agent for process `name`, or undefined when the process is not a mapping. */
export function pcProcess(name: string, entry: MapEntry, ctx: PcContext): AgentDraft | undefined {
  const { notes } = ctx;
  if (entry.value.kind !== 'map') {
    notes.error('import-wrong-type', `process \`${name}\` must be a mapping`, entry.value.loc);
    return undefined;
  }
  const p = entry.value;
  const agent = ctx.names.name(name);
  const fields: Record<string, unknown> = {};
  const comments: string[] = [];
  if (agent !== name) comments.push(`process-compose process \`${name}\` (agent names are lowercase).`);
  const { lose, approximate } = new AgentLosses(notes, `process \`${name}\`: `, comments);
  for (const [key, e] of p.entries) {
    if (key.startsWith('x-') || HANDLED.has(key)) continue;
    if (LOST[key] !== undefined) lose(key, LOST[key]!, e.key);
    else notes.warn('import-unknown-key', `process \`${name}\`: unknown process-compose key \`${key}\`; left out`, e.key);
  }

  const vars = new Map([...ctx.globalVars, ...varsOf(p.entries.get('vars')?.value, notes)]);
  const warnAt = (loc: Location) => (message: string) => notes.warn('import-approximated', `process \`${name}\`: ${message}`, loc);
  const rendered = (key: string): string | undefined => {
    const node = p.entries.get(key)?.value;
    const raw = text(node, `\`${key}\``, notes);
    return raw === undefined || !node ? undefined : pcText(raw, { envExpansion: ctx.envExpansion, vars, warn: warnAt(node.loc) });
  };

  const description = rendered('description');
  if (description !== undefined) fields['description'] = description.trim();
  if (ctx.completedTargets.has(name)) {
    fields['type'] = 'oneshot';
    comments.push('type: oneshot because another process waits for it to complete.');
  }
  const daemon = p.entries.get('is_daemon');
  if (daemon && boolean(daemon.value, '`is_daemon`', notes) === true) {
    lose(
      'is_daemon',
      'process-compose never learns the pid of the background process, so orchestra cannot supervise it; if the daemon writes a pid file, set `type: forking` and `pid_file` here (it is imported as a command that runs to completion)',
      daemon.key,
    );
    fields['type'] = 'oneshot';
  }

  const command = rendered('command');
  const entrypoint = p.entries.get('entrypoint');
  if (entrypoint) {
    const words = entrypoint.value.kind === 'seq' ? entrypoint.value.items.map((i) => text(i, '`entrypoint` item', notes) ?? '') : [];
    const argv = words.map((w) => pcText(w, { envExpansion: ctx.envExpansion, vars, warn: warnAt(entrypoint.value.loc) }));
    if (command !== undefined) approximate('entrypoint', 'the command line is passed to the entrypoint as one argument', entrypoint.key);
    fields['command'] = command === undefined ? argv : [...argv, command];
  } else if (command !== undefined) {
    fields['command'] = commandFor(command, ctx.shell);
  } else {
    notes.error('import-missing-command', `process \`${name}\` has no \`command\``, entry.key);
  }

  const wd = rendered('working_dir');
  const cwd = wd !== undefined ? rebase(wd, ctx.folders) : defaultCwd(ctx.folders);
  if (cwd !== undefined && cwd !== '.') fields['cwd'] = cwd;

  const env = pcEnvironment(p.entries.get('environment')?.value, ctx, `process \`${name}\`: \`environment\``) ?? {};
  const replicas = number(p.entries.get('replicas')?.value, '`replicas`', notes);
  if (JSON.stringify(p, (k, v: unknown) => (k === 'loc' || k === 'key' ? undefined : v instanceof Map ? [...v] : v)).match(/\bPC_(PROC_NAME|REPLICA_NUM)\b/)) {
    // process-compose sets these for every process; orchestra spells them with templates.
    env['PC_PROC_NAME'] = replicas !== undefined && replicas > 1 ? `${literal(name)}-{{replica.index}}` : literal(name);
    env['PC_REPLICA_NUM'] = '{{replica.index}}';
  }
  if (Object.keys(env).length > 0) fields['env'] = env;
  const envFile = p.entries.get('env_file')?.value;
  if (envFile) {
    const files = envFile.kind === 'seq' ? envFile.items.map((i) => text(i, '`env_file` item', notes)) : [text(envFile, '`env_file`', notes)];
    const rebased = files.filter((f): f is string => f !== undefined).map((f) => rebase(f, ctx.folders));
    if (rebased.length > 0) fields['env_file'] = rebased.length === 1 ? rebased[0] : rebased;
  }
  if (replicas !== undefined && replicas !== 1) fields['replicas'] = replicas;
  const disabledNode = p.entries.get('is_disabled') ?? p.entries.get('disabled');
  if (disabledNode && boolean(disabledNode.value, '`disabled`', notes) === true) fields['disabled'] = true;

  const deps = dependencies(name, p, ctx);
  if (deps) fields['depends_on'] = deps;
  const restart = availability(name, p, ctx, approximate, lose);
  if (restart) fields['restart'] = restart;
  const stop = shutdown(name, p, ctx, lose);
  if (stop) fields['stop'] = stop;
  probes(name, p, fields, comments, ctx, vars);
  return { name: agent, fields, comments };
}

const CONDITIONS: Record<string, string> = {
  process_started: 'started',
  process_healthy: 'ready',
  process_log_ready: 'ready',
  process_completed_successfully: 'completed',
  process_completed: 'completed',
};

function dependencies(name: string, p: MapNode, ctx: PcContext): Record<string, unknown> | undefined {
  const { notes } = ctx;
  const node = p.entries.get('depends_on')?.value;
  const entries = mapEntries(node, `process \`${name}\`: \`depends_on\``, notes);
  if (entries.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [dep, e] of entries) {
    if (!ctx.known.has(dep)) {
      notes.error('import-unknown-process', `process \`${name}\` depends on \`${dep}\`, which is not a process`, e.key);
      continue;
    }
    const condNode = e.value.kind === 'map' ? e.value.entries.get('condition')?.value : e.value;
    const word = (condNode ? text(condNode, '`condition`', notes) : undefined) ?? 'process_started';
    let condition = CONDITIONS[word];
    if (condition === undefined) {
      notes.warn('import-approximated', `process \`${name}\`: unknown condition \`${word}\` on \`${dep}\`; imported as \`started\`, process-compose's default`, condNode?.loc ?? e.key);
      condition = 'started';
    }
    if (word === 'process_completed') {
      notes.warn(
        'import-approximated',
        `process \`${name}\`: \`process_completed\` on \`${dep}\` waits for any exit code; orchestra's \`completed\` needs exit code 0, so a failing \`${dep}\` now blocks \`${name}\``,
        condNode?.loc ?? e.key,
      );
    }
    const target = ctx.known.get(dep);
    const has = (key: string): boolean => target?.kind === 'map' && target.entries.has(key);
    if (word === 'process_healthy' && !has('readiness_probe')) {
      notes.error('import-incompatible', `process \`${name}\` waits for \`${dep}\` to be healthy, but \`${dep}\` has no \`readiness_probe\` (process-compose refuses this too)`, condNode?.loc ?? e.key);
    }
    if (word === 'process_log_ready' && !has('ready_log_line')) {
      notes.error('import-incompatible', `process \`${name}\` waits for a log line of \`${dep}\`, but \`${dep}\` has no \`ready_log_line\` (process-compose refuses this too)`, condNode?.loc ?? e.key);
    }
    out[ctx.names.name(dep)] = condition;
  }
  return out;
}

function probes(name: string, p: MapNode, fields: Record<string, unknown>, comments: string[], ctx: PcContext, vars: Map<string, string>): void {
  const readyLine = p.entries.get('ready_log_line');
  const readiness = p.entries.get('readiness_probe');
  const liveness = p.entries.get('liveness_probe');
  if (readyLine && readiness) {
    ctx.notes.error('import-incompatible', `process \`${name}\`: \`ready_log_line\` and \`readiness_probe\` cannot be used together (process-compose refuses this too)`, readyLine.key);
    return;
  }
  if (readyLine) {
    const line = text(readyLine.value, '`ready_log_line`', ctx.notes);
    if (line !== undefined) fields['readiness'] = { log: literal(regexLiteral(line)) };
  }
  const probeCtx = { name, ctx, vars };
  if (readiness) {
    const probe = pcProbe(readiness.value, 'readiness', probeCtx);
    if (probe) {
      fields['readiness'] = probe.probe;
      if (!liveness) {
        // process-compose keeps running the readiness probe after the start and restarts on failure: that is a liveness probe here.
        fields['liveness'] = { ...probe.probe, failures: probe.failures };
        comments.push('liveness: process-compose keeps running the readiness probe after the start, so it is also the liveness probe.');
      }
    }
  }
  if (liveness) {
    const probe = pcProbe(liveness.value, 'liveness', probeCtx);
    if (probe) fields['liveness'] = { ...probe.probe, failures: probe.failures };
  }
}
