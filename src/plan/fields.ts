/**
 * The planner's view of an AgentSpec: every field flattened to dotted leaves
 * named and formatted the way the manifest writes them (`restart.delay: 1s`,
 * not `restart.delayMs: 1000`), each tagged with the class that decides what
 * a change to it costs. Pure; it must not read env files itself (their
 * content hashes are passed in) and must not decide actions (diff.ts does).
 */

import { relative } from 'node:path';
import type { AgentSpec, LevelThreshold, ProbeSpec } from './spec.js';
import { SECRET_KEY_PATTERN, isSecretKey } from './secrets.js';
import { formatDuration, formatSize } from '../util/units.js';

/**
 * What a change costs:
 * - identity: the process must be replaced (restart);
 * - supervision: the supervisor adopts the new value in place;
 * - scale: changes the instance set, not the instance (new instances start, removed ones stop);
 * - enablement: `disabled`, handled on its own (stop or start);
 * - key: the instance name itself, what instances are matched by;
 * - reload: the contents of `reload.on_change` files, applied by reloading the running process.
 */
export type FieldClass = 'identity' | 'supervision' | 'scale' | 'enablement' | 'key' | 'reload';

/**
 * Every AgentSpec key and its class. Typed over all keys so that a field added
 * to spec.ts fails to compile here until someone decides what changing it costs.
 */
export const SPEC_FIELD_CLASS: { readonly [K in keyof Required<AgentSpec>]: FieldClass } = {
  name: 'key',
  agent: 'identity',
  replica: 'scale',
  description: 'supervision',
  type: 'identity',
  pidFile: 'identity',
  command: 'identity',
  shell: 'identity',
  cwd: 'identity',
  env: 'identity',
  envFiles: 'identity',
  inheritEnv: 'identity',
  user: 'identity',
  disabled: 'enablement',
  priority: 'supervision',
  nice: 'supervision',
  dependsOn: 'supervision',
  restart: 'supervision',
  stop: 'supervision',
  reload: 'supervision',
  startup: 'supervision',
  readiness: 'supervision',
  liveness: 'supervision',
  thresholds: 'supervision',
  logs: 'supervision',
  secretKeys: 'supervision',
  extensions: 'supervision',
};

/** One flattened leaf: its manifest-form value and class. */
export interface FieldValue {
  value: unknown;
  class: FieldClass;
  /** The value is a secret env value and must never be shown. */
  secret: boolean;
}

/** Content hashes of env files and `reload.on_change` files, keyed by absolute path; a missing entry means the file could not be read. */
export type EnvFileHashMap = ReadonlyMap<string, string>;

/** Flattens a spec into manifest-named leaves. `baseDir` makes env file names relative for display. */
export function specFields(spec: AgentSpec, envFileHashes: EnvFileHashMap, baseDir: string): Map<string, FieldValue> {
  const out = new Map<string, FieldValue>();
  const put = (path: string, value: unknown, cls: FieldClass, secret = false): void => {
    if (value !== undefined) out.set(path, { value, class: cls, secret });
  };
  for (const key of Object.keys(SPEC_FIELD_CLASS) as (keyof AgentSpec)[]) {
    const cls = SPEC_FIELD_CLASS[key];
    switch (key) {
      case 'name':
        break;
      case 'pidFile':
        put('pid_file', spec.pidFile, cls);
        break;
      case 'agent':
      case 'description':
      case 'type':
      case 'command':
      case 'shell':
      case 'cwd':
      case 'user':
      case 'disabled':
      case 'priority':
      case 'nice':
        put(key, spec[key], cls);
        break;
      case 'replica':
        put('replicas', spec.replica.count, cls);
        break;
      case 'inheritEnv':
        put('inherit_env', spec.inheritEnv, cls);
        break;
      case 'env':
        for (const [k, v] of Object.entries(spec.env)) put(`env.${k}`, v, cls, isSecretKey(k, spec.secretKeys));
        break;
      case 'envFiles':
        if (spec.envFiles.length > 0) put('env_file', fileEntries(spec.envFiles, envFileHashes, baseDir), cls);
        break;
      case 'dependsOn':
        for (const d of spec.dependsOn) {
          put(`depends_on.${d.agent}.condition`, d.condition, cls);
          put(`depends_on.${d.agent}.restart`, d.restart, cls);
        }
        break;
      case 'restart':
        put('restart.when', spec.restart.when, cls);
        put('restart.strategy', spec.restart.strategy, cls);
        put('restart.delay', formatDuration(spec.restart.delayMs), cls);
        put('restart.max_delay', formatDuration(spec.restart.maxDelayMs), cls);
        put('restart.max_attempts', spec.restart.maxAttempts, cls);
        put('restart.reset_after', formatDuration(spec.restart.resetAfterMs), cls);
        break;
      case 'stop':
        put('stop.signal', spec.stop.signal, cls);
        put('stop.timeout', formatDuration(spec.stop.timeoutMs), cls);
        put('stop.mode', spec.stop.mode ?? 'group', cls);
        put('stop.command', spec.stop.command, cls);
        break;
      case 'reload':
        put('reload.signal', spec.reload?.signal, cls);
        put('reload.command', spec.reload?.command, cls);
        if (spec.reload && spec.reload.onChange.length > 0) put('reload.on_change', fileEntries(spec.reload.onChange, envFileHashes, baseDir), 'reload');
        break;
      case 'startup':
        put('startup.timeout', formatDuration(spec.startup.timeoutMs), cls);
        put('startup.retries', spec.startup.retries, cls);
        break;
      case 'readiness':
      case 'liveness': {
        const probe = spec[key];
        if (probe) for (const [k, v] of probeLeaves(probe)) put(`${key}.${k}`, v, cls);
        break;
      }
      case 'thresholds': {
        const t = spec.thresholds;
        if (!t) break;
        if (t.memory) for (const [k, v] of levelLeaves(t.memory, formatSize)) put(`thresholds.memory.${k}`, v, cls);
        if (t.cpu) for (const [k, v] of levelLeaves(t.cpu, (n) => `${n}%`)) put(`thresholds.cpu.${k}`, v, cls);
        put('thresholds.on_critical', t.onCritical, cls);
        break;
      }
      case 'logs':
        put('logs.max_size', formatSize(spec.logs.maxSizeBytes), cls);
        put('logs.keep', spec.logs.keep, cls);
        break;
      case 'secretKeys':
        // Only the keys listed by hand matter to a reader; pattern matches are implied.
        put('secrets', [...spec.secretKeys].filter((k) => !SECRET_KEY_PATTERN.test(k)).sort(), cls);
        break;
      case 'extensions':
        for (const [k, v] of Object.entries(spec.extensions)) put(k, v, cls);
        break;
    }
  }
  return out;
}

/** `.env.api sha256:0123456789ab` per file (env files, reload files), so a content change shows as a changed value. */
function fileEntries(files: readonly string[], hashes: EnvFileHashMap, baseDir: string): string[] {
  return files.map((file) => {
    const hash = hashes.get(file);
    const shown = displayPath(file, baseDir);
    return hash === undefined ? `${shown} (unreadable)` : `${shown} sha256:${hash.slice(0, 12)}`;
  });
}

/** A path relative to `baseDir` when it lies inside it, else as given. */
export function displayPath(file: string, baseDir: string): string {
  const rel = relative(baseDir, file);
  return rel === '' || rel.startsWith('..') || rel.startsWith('/') ? file : rel;
}

function probeLeaves(p: ProbeSpec): [string, unknown][] {
  const check: [string, unknown] =
    p.kind === 'exec'
      ? ['exec', p.command]
      : p.kind === 'tcp'
        ? ['tcp', `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`]
        : p.kind === 'http'
          ? ['http', p.url]
          : ['log', p.pattern];
  return [
    check,
    ['interval', formatDuration(p.intervalMs)],
    ['timeout', formatDuration(p.timeoutMs)],
    ['failures', p.failures],
    ['initial_delay', formatDuration(p.initialDelayMs)],
  ];
}

function levelLeaves(l: LevelThreshold, format: (n: number) => string): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (l.warn !== undefined) out.push(['warn', format(l.warn)]);
  if (l.critical !== undefined) out.push(['critical', format(l.critical)]);
  out.push(['for', formatDuration(l.forMs)]);
  return out;
}
