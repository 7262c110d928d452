/**
 * Plan helpers shared by the exporters: manifest agents with their instances,
 * differences between replicas, probe endpoints, restart windows, host argv,
 * names and the warnings every target shares. Pure; knows no target's syntax.
 */

import path from 'node:path';
import { secretEnvKeys } from '../plan/secrets.js';
import { type AgentSpec, type Plan, type ProbeSpec, type RestartSpec } from '../plan/spec.js';
import type { ExportOptions } from './types.js';
import type { ExportWarnings } from './warnings.js';

/** A manifest agent with its instances; `spec` is instance 0, the representative. */
export interface AgentGroup {
  agent: string;
  instances: AgentSpec[];
  spec: AgentSpec;
}

/** Manifest agents in manifest order; agents scaled to 0 have no spec and are reported. */
export function agentGroups(plan: Plan, warnings: ExportWarnings): AgentGroup[] {
  const byName = new Map(plan.instances.map((i) => [i.name, i]));
  const groups: AgentGroup[] = [];
  for (const a of plan.agents) {
    const instances = a.instances.map((n) => byName.get(n)).filter((i): i is AgentSpec => i !== undefined);
    const spec = instances[0];
    if (!spec) {
      warnings.unmapped(a.name, 'replicas', 'the agent has no instances (replicas: 0), so nothing is exported for it');
      continue;
    }
    groups.push({ agent: a.name, instances, spec });
  }
  return groups;
}

const PER_INSTANCE_FIELDS = new Set(['name', 'replica']);

/**
 * Dotted fields whose values differ between the replicas of one agent, e.g.
 * `env.WORKER_ID`. Targets with one unit per agent can carry only one value.
 */
export function replicaDifferences(instances: readonly AgentSpec[]): string[] {
  const first = instances[0];
  if (!first || instances.length < 2) return [];
  const fields: string[] = [];
  for (const key of Object.keys(first) as (keyof AgentSpec)[]) {
    if (PER_INSTANCE_FIELDS.has(key)) continue;
    if (key === 'env') {
      const keys = new Set(instances.flatMap((i) => Object.keys(i.env)));
      for (const k of keys) if (instances.some((i) => i.env[k] !== first.env[k])) fields.push(`env.${k}`);
      continue;
    }
    const text = JSON.stringify(first[key]);
    if (instances.some((i) => JSON.stringify(i[key]) !== text)) fields.push(key);
  }
  return fields;
}

/** Warns once per differing field: the target gives every replica instance 0's value. */
export function warnReplicaDifferences(group: AgentGroup, warnings: ExportWarnings, except: ReadonlySet<string> = new Set()): void {
  for (const field of replicaDifferences(group.instances)) {
    if (except.has(field)) continue;
    warnings.unmapped(
      group.agent,
      field,
      `its value differs between replicas and every replica gets the value of \`${group.spec.name}\``,
      'keep per-replica values out of replicated agents, or export to systemd (one unit per instance)',
    );
  }
}

/**
 * When `values[i]` is the same text with `i` in one place for every replica
 * (not next to other digits),
 * returns that text split around the index; the Nomad exporter substitutes
 * `${NOMAD_ALLOC_INDEX}` there.
 */
export function indexTemplate(values: readonly string[]): { before: string; after: string } | undefined {
  const first = values[0];
  if (first === undefined) return undefined;
  for (let at = first.indexOf('0'); at >= 0; at = first.indexOf('0', at + 1)) {
    const before = first.slice(0, at);
    const after = first.slice(at + 1);
    // `808` + index matches 8080, 8081 only by accident of arithmetic; an index glued to digits is not one.
    if (/[0-9]$/.test(before) || /^[0-9]/.test(after)) continue;
    if (values.every((v, i) => v === `${before}${i}${after}`)) return { before, after };
  }
  return undefined;
}

/** A network endpoint a probe talks to. */
export interface Endpoint {
  host: string;
  port: number;
  scheme?: 'http' | 'https';
  /** Path and query of an http probe. */
  path?: string;
}

/** The endpoint of a tcp or http probe; undefined for exec and log probes. */
export function probeEndpoint(probe: ProbeSpec | undefined): Endpoint | undefined {
  if (!probe) return undefined;
  if (probe.kind === 'tcp') return { host: probe.host, port: probe.port };
  if (probe.kind !== 'http') return undefined;
  let url: URL;
  try {
    url = new URL(probe.url);
  } catch {
    return undefined;
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, scheme, path: `${url.pathname}${url.search}` };
}

/** The port an agent serves on, as far as its probes tell (readiness first). */
export function agentPort(spec: AgentSpec): number | undefined {
  return (probeEndpoint(spec.readiness) ?? probeEndpoint(spec.liveness))?.port;
}

/** True for addresses that mean "this machine", which containers read as "this pod/container". */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** The delay before restart n (0-based), without jitter. */
export function restartDelayMs(restart: RestartSpec, n: number): number {
  switch (restart.strategy) {
    case 'immediate':
      return 0;
    case 'delayed':
      return restart.delayMs;
    case 'exponential':
      return Math.min(restart.delayMs * 2 ** n, Math.max(restart.maxDelayMs, restart.delayMs));
  }
}

/**
 * The window in which `max_attempts` failed runs count as consecutive:
 * Σ delay(n) for the max_attempts − 1 restarts between them, plus
 * max_attempts × reset_after. Runs that
 * each fail before `reset_after` always fit inside it; runs that last longer
 * (which orchestra would not count) push the starts outside it.
 */
export function restartWindowMs(restart: RestartSpec): number {
  let total = restart.maxAttempts * restart.resetAfterMs;
  for (let n = 0; n < restart.maxAttempts - 1; n++) total += restartDelayMs(restart, n);
  return total;
}

/** The number of doublings from `delay` to `max_delay` (systemd's RestartSteps). */
export function exponentialSteps(restart: RestartSpec): number {
  if (restart.delayMs <= 0 || restart.maxDelayMs <= restart.delayMs) return 0;
  return Math.ceil(Math.log2(restart.maxDelayMs / restart.delayMs));
}

/** An RFC 1123 label made from an agent name (`_` is not allowed there). */
export function dnsName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'agent';
}

/** What a critical level becomes on a target, per resource. */
export interface LimitBehaviour {
  memory: string;
  cpu: string;
}

/** Warnings for the threshold parts every target loses: warn levels, `for`, and `on_critical` other than a hard limit. */
export function warnThresholdLosses(spec: AgentSpec, warnings: ExportWarnings, limit: LimitBehaviour): void {
  const t = spec.thresholds;
  if (!t) return;
  for (const kind of ['memory', 'cpu'] as const) {
    const level = t[kind];
    if (!level) continue;
    if (level.warn !== undefined) warnings.unmapped(spec.agent, `thresholds.${kind}.warn`, 'there is no alert level, only a hard limit');
    if (level.critical !== undefined && level.forMs > 0) {
      warnings.approximated(spec.agent, `thresholds.${kind}.for`, `the critical level is a limit that applies at once: ${limit[kind]}`);
    }
  }
  // A memory kill followed by the restart policy is `on_critical: restart`; a cpu limit throttles instead.
  if (t.memory?.critical !== undefined && t.onCritical !== 'restart') {
    warnings.approximated(spec.agent, 'thresholds.on_critical', `\`${t.onCritical}\` becomes a hard limit: ${limit.memory}`);
  }
  if (t.cpu?.critical !== undefined) {
    warnings.approximated(spec.agent, 'thresholds.cpu.critical', `instead of \`on_critical: ${t.onCritical}\`, ${limit.cpu}`);
  }
}

/** Warnings for the fields no target maps: `priority` and `startup.retries`. */
export function warnCommonLosses(spec: AgentSpec, warnings: ExportWarnings, target: { priority: string }): void {
  if (spec.priority !== 0) warnings.unmapped(spec.agent, 'priority', target.priority);
  if (spec.startup.retries > 0) warnings.unmapped(spec.agent, 'startup.retries', 'failed starts follow the restart policy instead');
}

/** Warnings for what containers cannot carry of a real service: forking, a stop command, reload. */
export function warnServiceLosses(spec: AgentSpec, warnings: ExportWarnings): void {
  if (spec.type === 'forking') {
    warnings.approximated(spec.agent, 'type', 'a container runs its command in the foreground, so `type: forking` is exported as a service and `pid_file` is dropped', 'make the command stay in the foreground (e.g. `nginx -g "daemon off;"`, `redis-server --daemonize no`)');
  }
  if (spec.stop.command !== undefined) warnings.unmapped(spec.agent, 'stop.command', `the container is stopped with \`${spec.stop.signal}\` instead`);
  if (spec.reload !== undefined) warnings.unmapped(spec.agent, 'reload', 'there is no reload operation; a config change recreates the container');
}

/** Warns that secret values are written in plain text into the output. */
export function warnSecrets(spec: AgentSpec, warnings: ExportWarnings, where: string): void {
  for (const key of secretEnvKeys(spec)) {
    warnings.warn(
      'export-secret',
      spec.agent,
      `env.${key}`,
      `the secret \`env.${key}\` is written in plain text into ${where}`,
      'keep the generated files out of version control, or move the value into the target\'s secret store',
    );
  }
}

/**
 * The argv to run on a host (systemd, nomad): argv[0] made absolute through
 * `options.resolveProgram`, relative paths against the cwd, and `/usr/bin/env`
 * in front when the program cannot be resolved at export time.
 */
export function hostArgv(spec: AgentSpec, command: readonly string[], options: ExportOptions): string[] {
  const [program, ...args] = command;
  if (program === undefined) return ['/usr/bin/env', 'true'];
  if (path.isAbsolute(program)) return [program, ...args];
  if (program.includes('/')) return [path.resolve(spec.cwd, program), ...args];
  const resolved = options.resolveProgram?.(program);
  if (resolved !== undefined && path.isAbsolute(resolved)) return [resolved, ...args];
  // `env` would read a leading `-` as its own option.
  return program.startsWith('-') ? ['/usr/bin/env', '--', program, ...args] : ['/usr/bin/env', program, ...args];
}

/** Restarts allowed before giving up: max_attempts counts runs, the targets count retries. */
export function retriesAllowed(restart: RestartSpec): number {
  return Math.max(restart.maxAttempts - 1, 0);
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
