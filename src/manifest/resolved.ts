/**
 * The Plan back in manifest shape, for `orchestra config` and revision diffs:
 * snake_case keys, durations and sizes formatted, every default written out,
 * one entry per instance under `agents`, secrets masked unless asked. Pure;
 * the inverse of to-plan.ts as far as the manifest can say it.
 */

import type { AgentSpec, Plan, ProbeSpec } from '../plan/spec.js';
import { SECRET_MASK, maskDeep, maskedEnv, planSecretValues } from '../plan/secrets.js';
import { formatDuration, formatSize } from '../util/units.js';

/** The Plan as a manifest document (each instance an agent; secrets `***` unless `showSecrets`). */
export function resolvedManifest(plan: Plan, options: { showSecrets: boolean }): Record<string, unknown> {
  const doc: Record<string, unknown> = { version: plan.version, name: plan.name };
  if (plan.environment !== undefined) doc['x-environment'] = plan.environment;
  doc['monitor'] = { interval: formatDuration(plan.monitor.intervalMs) };
  if (plan.notify) {
    const notify: Record<string, unknown> = {};
    if (plan.notify.command) notify['command'] = plan.notify.command;
    if (plan.notify.webhook !== undefined) notify['webhook'] = plan.notify.webhook;
    if (plan.notify.headers) {
      // Header values often carry a token: masked unless asked, like secret env values.
      notify['headers'] = Object.fromEntries(Object.keys(plan.notify.headers).map((k) => [k, options.showSecrets ? plan.notify!.headers![k] : SECRET_MASK]));
    }
    notify['timeout'] = formatDuration(plan.notify.timeoutMs);
    notify['retries'] = plan.notify.retries;
    notify['events'] = plan.notify.events;
    doc['notify'] = notify;
  }
  const agents: Record<string, unknown> = {};
  for (const spec of plan.instances) agents[spec.name] = agentDoc(spec, options.showSecrets);
  doc['agents'] = agents;
  // A secret may also sit in a command, a probe URL or the webhook.
  return options.showSecrets ? doc : maskDeep(doc, planSecretValues(plan));
}

function agentDoc(a: AgentSpec, showSecrets: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.description !== undefined) out['description'] = a.description;
  out['type'] = a.type;
  if (a.shell && a.command.length === 3 && a.command[0] === 'sh' && a.command[1] === '-c') {
    out['command'] = a.command[2];
    out['shell'] = true;
  } else {
    out['command'] = [...a.command];
  }
  out['cwd'] = a.cwd;
  out['env'] = showSecrets ? { ...a.env } : maskedEnv(a);
  if (a.envFiles.length > 0) out['env_file'] = [...a.envFiles];
  out['inherit_env'] = a.inheritEnv;
  if (a.user !== undefined) out['user'] = a.user;
  if (a.replica.count !== 1) out['x-replica'] = { agent: a.agent, index: a.replica.index, count: a.replica.count };
  out['disabled'] = a.disabled;
  out['priority'] = a.priority;
  if (a.nice !== undefined) out['nice'] = a.nice;
  if (a.dependsOn.length > 0) {
    out['depends_on'] = Object.fromEntries(a.dependsOn.map((d) => [d.agent, d.restart ? { condition: d.condition, restart: true } : d.condition]));
  }
  out['restart'] = {
    when: a.restart.when,
    strategy: a.restart.strategy,
    delay: formatDuration(a.restart.delayMs),
    max_delay: formatDuration(a.restart.maxDelayMs),
    max_attempts: a.restart.maxAttempts,
    reset_after: formatDuration(a.restart.resetAfterMs),
  };
  out['stop'] = { signal: a.stop.signal, timeout: formatDuration(a.stop.timeoutMs), ...(a.stop.command ? { command: [...a.stop.command] } : {}) };
  if (a.reload) {
    out['reload'] = {
      ...(a.reload.signal ? { signal: a.reload.signal } : {}),
      ...(a.reload.command ? { command: [...a.reload.command] } : {}),
      ...(a.reload.onChange.length > 0 ? { on_change: [...a.reload.onChange] } : {}),
    };
  }
  out['startup'] = { timeout: formatDuration(a.startup.timeoutMs), retries: a.startup.retries };
  if (a.readiness) out['readiness'] = probeDoc(a.readiness);
  if (a.liveness) out['liveness'] = probeDoc(a.liveness);
  if (a.thresholds) {
    const t: Record<string, unknown> = {};
    if (a.thresholds.memory) t['memory'] = levelDoc(a.thresholds.memory, formatSize);
    if (a.thresholds.cpu) t['cpu'] = levelDoc(a.thresholds.cpu, (n) => `${n}%`);
    t['on_critical'] = a.thresholds.onCritical;
    out['thresholds'] = t;
  }
  out['logs'] = { max_size: formatSize(a.logs.maxSizeBytes), keep: a.logs.keep };
  if (a.secretKeys.length > 0) out['secrets'] = [...a.secretKeys];
  for (const [k, v] of Object.entries(a.extensions)) out[k] = v;
  return out;
}

function probeDoc(p: ProbeSpec): Record<string, unknown> {
  const check: Record<string, unknown> =
    p.kind === 'exec'
      ? { exec: p.command.length === 3 && p.command[0] === 'sh' && p.command[1] === '-c' ? p.command[2] : [...p.command] }
      : p.kind === 'tcp'
        ? { tcp: `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}` }
        : p.kind === 'http'
          ? { http: p.url }
          : { log: p.pattern };
  return {
    ...check,
    interval: formatDuration(p.intervalMs),
    timeout: formatDuration(p.timeoutMs),
    failures: p.failures,
    initial_delay: formatDuration(p.initialDelayMs),
  };
}

function levelDoc(level: { warn?: number; critical?: number; forMs: number }, format: (n: number) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (level.warn !== undefined) out['warn'] = format(level.warn);
  if (level.critical !== undefined) out['critical'] = format(level.critical);
  out['for'] = formatDuration(level.forMs);
  return out;
}
