/**
 * Stage 8, the Plan: validated, rendered instances → `AgentSpec`s with every
 * default applied, durations in ms, sizes in bytes, paths absolute, env files
 * read, secrets and extensions collected, and the origin of every value.
 * Only called when no earlier stage reported an error, so shapes are trusted.
 * File reading is injected.
 */

import { basename, isAbsolute, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { AgentSpec, DependencyCondition, Origins, Plan, ProbeSpec, StopMode, StopSignal, ThresholdsSpec } from '../plan/spec.js';
import { SECRET_KEY_PATTERN } from '../plan/secrets.js';
import { parseDuration, parsePercent, parseSize } from '../util/units.js';
import { forEachLeaf, toPlain } from './node.js';
import type { Instance, Rendered } from './render.js';

/** Every schema default, in one place (docs/manifest.md repeats them). */
export const DEFAULTS = {
  restart: { when: 'on-failure', strategy: 'exponential', delay: '1s', max_delay: '1m', max_attempts: 10, reset_after: '5m' },
  stop: { signal: 'SIGTERM', timeout: '10s', mode: 'group' },
  startup: { timeout: '60s', retries: 0 },
  readiness: { interval: '1s', timeout: '2s', failures: 3, initial_delay: '0s' },
  liveness: { interval: '10s', timeout: '2s', failures: 3, initial_delay: '0s' },
  logs: { max_size: '10MiB', keep: 3 },
  monitor: { interval: '2s' },
  thresholds: { on_critical: 'alert', for: '0s' },
  notifyEvents: ['applied', 'rejected', 'alert', 'failed'],
  notify: { timeout: '5s', retries: 3 },
} as const;

export interface PlanInput {
  rendered: Rendered;
  /** Absolute paths of the main manifest then extra files. */
  files: string[];
  baseDir: string;
  /** Reads an env file (absolute path); the checks already made sure it exists. */
  readText(path: string): string;
}

type Obj = Record<string, unknown>;

/** Builds the Plan. */
export function toPlan(input: PlanInput): Plan {
  const { rendered, baseDir } = input;
  const root = toPlain(rendered.root) as Obj;
  const globalSecrets = strings(root['secrets']);
  const plan: Plan = {
    version: 1,
    name: typeof root['name'] === 'string' ? root['name'] : projectName(baseDir),
    files: input.files,
    baseDir,
    agents: [],
    instances: [],
    monitor: { intervalMs: ms(obj(root['monitor'])['interval'], DEFAULTS.monitor.interval) },
    origins: {},
  };
  defineLazyOrigins(plan, rendered);
  if (rendered.environment !== undefined) plan.environment = rendered.environment;
  const notify = obj(root['notify']);
  if (root['notify'] !== undefined) {
    plan.notify = {
      events: Array.isArray(notify['events']) ? strings(notify['events']) : [...DEFAULTS.notifyEvents],
      timeoutMs: ms(notify['timeout'], DEFAULTS.notify.timeout),
      retries: typeof notify['retries'] === 'number' ? notify['retries'] : DEFAULTS.notify.retries,
    };
    if (notify['command'] !== undefined) plan.notify.command = command(notify['command'], typeof notify['command'] === 'string');
    if (typeof notify['webhook'] === 'string') plan.notify.webhook = notify['webhook'];
    if (notify['headers'] !== undefined) plan.notify.headers = Object.fromEntries(Object.entries(obj(notify['headers'])).map(([k, v]) => [k, String(v)]));
  }
  for (const agent of rendered.agents) {
    plan.agents.push({ name: agent.name, instances: agent.instances.map((i) => i.name) });
    for (const instance of agent.instances) {
      plan.instances.push(agentSpec(agent.name, instance, globalSecrets, input));
    }
  }
  return plan;
}

/**
 * `plan.origins` holds one entry per leaf of the manifest (tens of thousands
 * for 1,000 agents, the single most expensive part of this stage), yet only
 * `plan`, `apply` and `export` read it. So it is an enumerable accessor that
 * builds the map on first read and keeps it; JSON, spreads and equality see a
 * plain property. Assigning replaces it.
 */
function defineLazyOrigins(plan: Plan, rendered: Rendered): void {
  let origins: Origins | undefined;
  Object.defineProperty(plan, 'origins', {
    enumerable: true,
    configurable: true,
    get: (): Origins => (origins ??= collectOrigins(rendered)),
    set: (value: Origins) => {
      origins = value;
    },
  });
}

/** The location of every leaf: top-level keys, then each agent (its name key, and every leaf as its first checked instance has it). */
function collectOrigins(rendered: Rendered): Origins {
  // A prototype-less object: ~3× faster to fill with tens of thousands of dotted keys.
  const origins = Object.create(null) as Origins;
  for (const [key, e] of rendered.root.entries) forEachLeaf(e.value, key, (path, node) => (origins[path] = node.loc));
  for (const agent of rendered.agents) {
    // The agent's name: where a message about a field the agent does not set points.
    origins[`agents.${agent.name}`] = agent.keyLoc;
    const first = agent.checked[0];
    if (first) forEachLeaf(first.node, `agents.${agent.name}`, (path, node) => (origins[path] = node.loc));
  }
  return origins;
}

function agentSpec(agent: string, instance: Instance, globalSecrets: string[], input: PlanInput): AgentSpec {
  const { name, index, count } = instance;
  const a = (instance.plain ?? toPlain(instance.node)) as Obj;
  const shell = a['shell'] === true;
  const envFiles = (typeof a['env_file'] === 'string' ? [a['env_file']] : strings(a['env_file'])).map((f) => absolute(input.baseDir, f));
  const env: Record<string, string> = {};
  for (const file of envFiles) Object.assign(env, parseDotenv(input.readText(file)));
  for (const [k, v] of Object.entries(obj(a['env']))) if (v !== null && v !== undefined) env[k] = String(v);
  const restart = { ...DEFAULTS.restart, ...obj(a['restart']) };
  const stop: Obj = { ...DEFAULTS.stop, ...obj(a['stop']) };
  const startup = { ...DEFAULTS.startup, ...obj(a['startup']) };
  const logs = { ...DEFAULTS.logs, ...obj(a['logs']) };
  const secrets = new Set([...globalSecrets, ...strings(a['secrets']), ...Object.keys(env).filter((k) => SECRET_KEY_PATTERN.test(k))]);
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (k.startsWith('x-')) extensions[k] = v;

  const spec: AgentSpec = {
    name,
    agent,
    replica: { index, count },
    type: a['type'] === 'oneshot' || a['type'] === 'forking' ? a['type'] : 'service',
    command: command(a['command'], shell),
    shell,
    cwd: absolute(input.baseDir, typeof a['cwd'] === 'string' ? a['cwd'] : '.'),
    env,
    envFiles,
    inheritEnv: a['inherit_env'] !== false,
    disabled: a['disabled'] === true,
    priority: typeof a['priority'] === 'number' ? a['priority'] : 0,
    dependsOn: dependencies(a['depends_on']),
    restart: {
      when: restart.when as AgentSpec['restart']['when'],
      strategy: restart.strategy as AgentSpec['restart']['strategy'],
      delayMs: ms(restart.delay, DEFAULTS.restart.delay),
      maxDelayMs: ms(restart.max_delay, DEFAULTS.restart.max_delay),
      maxAttempts: Number(restart.max_attempts),
      resetAfterMs: ms(restart.reset_after, DEFAULTS.restart.reset_after),
    },
    stop: {
      signal: stop.signal as AgentSpec['stop']['signal'],
      timeoutMs: ms(stop.timeout, DEFAULTS.stop.timeout),
      mode: stop.mode as StopMode,
      ...(stop.command !== undefined ? { command: command(stop.command, shell) } : {}),
    },
    startup: { timeoutMs: ms(startup.timeout, DEFAULTS.startup.timeout), retries: Number(startup.retries) },
    logs: { maxSizeBytes: parseSize(String(logs.max_size)) ?? 10 * 1024 * 1024, keep: Number(logs.keep) },
    secretKeys: [...secrets].sort(),
    extensions,
  };
  if (typeof a['description'] === 'string') spec.description = a['description'];
  if (typeof a['user'] === 'string') spec.user = a['user'];
  if (typeof a['nice'] === 'number') spec.nice = a['nice'];
  if (a['readiness'] !== undefined) spec.readiness = probe(obj(a['readiness']), DEFAULTS.readiness);
  if (a['liveness'] !== undefined) spec.liveness = probe(obj(a['liveness']), DEFAULTS.liveness);
  if (a['thresholds'] !== undefined) spec.thresholds = thresholds(obj(a['thresholds']));
  // Relative to the agent's working directory, as the daemon writing it sees it.
  if (typeof a['pid_file'] === 'string') spec.pidFile = absolute(spec.cwd, a['pid_file']);
  if (a['reload'] !== undefined) spec.reload = reload(obj(a['reload']), shell, input.baseDir);
  return spec;
}

function command(value: unknown, shell: boolean): string[] {
  if (typeof value === 'string') return shell ? ['sh', '-c', value] : [value];
  return strings(value);
}

function reload(r: Obj, shell: boolean, baseDir: string): NonNullable<AgentSpec['reload']> {
  const out: NonNullable<AgentSpec['reload']> = { onChange: strings(r['on_change']).map((f) => absolute(baseDir, f)) };
  if (typeof r['signal'] === 'string') out.signal = r['signal'] as StopSignal;
  if (r['command'] !== undefined) out.command = command(r['command'], shell);
  return out;
}

function dependencies(value: unknown): AgentSpec['dependsOn'] {
  return Object.entries(obj(value))
    .filter(([name]) => !name.startsWith('x-'))
    .map(([name, dep]) => {
      const d = typeof dep === 'string' ? { condition: dep } : obj(dep);
      return { agent: name, condition: d['condition'] as DependencyCondition, restart: d['restart'] === true };
    });
}

function probe(p: Obj, defaults: typeof DEFAULTS.readiness | typeof DEFAULTS.liveness): ProbeSpec {
  const timing = {
    intervalMs: ms(p['interval'], defaults.interval),
    timeoutMs: ms(p['timeout'], defaults.timeout),
    failures: typeof p['failures'] === 'number' ? p['failures'] : defaults.failures,
    initialDelayMs: ms(p['initial_delay'], defaults.initial_delay),
  };
  if (p['exec'] !== undefined) return { kind: 'exec', command: command(p['exec'], true), ...timing };
  if (typeof p['tcp'] === 'string') {
    const m = /^\[?(.*?)\]?:([0-9]+)$/.exec(p['tcp'])!;
    return { kind: 'tcp', host: m[1]!, port: Number(m[2]), ...timing };
  }
  if (typeof p['http'] === 'string') return { kind: 'http', url: p['http'], ...timing };
  return { kind: 'log', pattern: String(p['log']), ...timing };
}

function thresholds(t: Obj): ThresholdsSpec {
  const out: ThresholdsSpec = { onCritical: (t['on_critical'] as ThresholdsSpec['onCritical'] | undefined) ?? 'alert' };
  for (const [metric, parse] of [
    ['memory', parseSize],
    ['cpu', parsePercent],
  ] as const) {
    if (t[metric] === undefined) continue;
    const level = obj(t[metric]);
    const spec: { warn?: number; critical?: number; forMs: number } = { forMs: ms(level['for'], DEFAULTS.thresholds.for) };
    if (typeof level['warn'] === 'string') spec.warn = parse(level['warn'])!;
    if (typeof level['critical'] === 'string') spec.critical = parse(level['critical'])!;
    out[metric] = spec;
  }
  return out;
}

function ms(value: unknown, fallback: string): number {
  return parseDuration(typeof value === 'string' ? value : fallback) ?? parseDuration(fallback)!;
}

function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

/** A project name from a directory name, fitted to the name pattern (`My App` → `my-app`). */
export function projectName(dir: string): string {
  const cleaned = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return cleaned === '' ? 'orchestra' : cleaned;
}

