/**
 * The Nomad exporter: one job as the HTTP API takes it (`{"Job": {...}}`),
 * with a TaskGroup per manifest agent running plain processes through the
 * `raw_exec` driver, oneshot dependencies as prestart tasks, and service
 * checks from tcp and http probes. Pure; durations are nanoseconds. The
 * mapping is documented in docs/export.md.
 */

import type { AgentSpec, Plan, ProbeSpec, RestartSpec } from '../plan/spec.js';
import {
  agentGroups,
  agentPort,
  dnsName,
  hostArgv,
  indexTemplate,
  probeEndpoint,
  replicaDifferences,
  restartWindowMs,
  retriesAllowed,
  warnCommonLosses,
  warnServiceLosses,
  warnSecrets,
  type AgentGroup,
} from './common.js';
import type { ExportOptions, ExportResult } from './types.js';
import { ExportWarnings } from './warnings.js';

type Obj = Record<string, unknown>;

const NS_PER_MS = 1_000_000;
/** Nomad's replica number, filled in per allocation. */
const ALLOC_INDEX = '${NOMAD_ALLOC_INDEX}';
const PORT_LABEL = 'main';

/** Exports a Plan as one Nomad job in JSON. */
export function exportNomad(plan: Plan, options: ExportOptions = {}): ExportResult {
  const warnings = new ExportWarnings('nomad', plan.origins);
  const groups = agentGroups(plan, warnings);
  const byAgent = new Map(groups.map((g) => [g.agent, g]));
  // Oneshots that others wait for run as prestart tasks inside those groups.
  const prestartOnly = new Set(
    groups.filter((g) => g.spec.type === 'oneshot' && groups.some((o) => o.spec.dependsOn.some((d) => d.agent === g.agent))).map((g) => g.agent),
  );
  const taskGroups = groups.filter((g) => !prestartOnly.has(g.agent)).map((g) => taskGroup(plan, g, byAgent, options, warnings));
  for (const agent of prestartOnly) {
    const g = byAgent.get(agent)!;
    for (const dep of g.spec.dependsOn) {
      warnings.unmapped(agent, `depends_on.${dep.agent}`, 'a prestart task cannot wait for another task group');
    }
  }
  const job = {
    Job: {
      ID: plan.name,
      Name: plan.name,
      Type: 'service',
      Datacenters: ['*'],
      Meta: { 'generated-by': 'orchestra export nomad' },
      TaskGroups: taskGroups,
    },
  };
  return { files: [{ path: `${plan.name}.nomad.json`, content: JSON.stringify(job, null, 2) + '\n' }], warnings: warnings.list };
}

function taskGroup(plan: Plan, group: AgentGroup, byAgent: Map<string, AgentGroup>, options: ExportOptions, warnings: ExportWarnings): Obj {
  const spec = group.spec;
  const tasks: Obj[] = [];
  for (const dep of spec.dependsOn) {
    const target = byAgent.get(dep.agent);
    if (target && target.spec.type === 'oneshot') {
      const t = task(target, options, warnings);
      t['Lifecycle'] = { Hook: 'prestart', Sidecar: false };
      t['RestartPolicy'] = restartPolicy(target.spec, warnings);
      tasks.push(t);
      warnings.approximated(dep.agent, 'type', `it runs as a prestart task in every allocation of the groups that wait for it (\`${spec.agent}\`: ${group.instances.length})`);
      if (dep.restart) warnings.unmapped(spec.agent, `depends_on.${dep.agent}.restart`, 'Nomad does not restart a group when another one restarts');
      continue;
    }
    warnings.unmapped(
      spec.agent,
      `depends_on.${dep.agent}`,
      'Nomad has no ordering between task groups; the group starts without waiting',
      'make the agent retry until its dependency answers, or put both in one group',
    );
  }
  tasks.push(task(group, options, warnings));
  if (spec.type === 'oneshot') {
    warnings.approximated(spec.agent, 'type', 'in a service job a task that exits is started again; nothing waits for this oneshot, so it runs as a service task');
  }

  const g: Obj = {
    Name: spec.agent,
    Count: spec.disabled ? 0 : group.instances.length,
    RestartPolicy: restartPolicy(spec, warnings),
  };
  const port = agentPort(spec);
  if (port !== undefined) {
    g['Networks'] = [{ Mode: 'host', ReservedPorts: [{ Label: PORT_LABEL, Value: port }] }];
    const checks = [check(spec, 'readiness', warnings), check(spec, 'liveness', warnings)].filter((c): c is Obj => c !== undefined);
    g['Services'] = [{ Name: dnsName(`${plan.name}-${spec.agent}`), Provider: 'nomad', PortLabel: PORT_LABEL, Checks: checks }];
  } else {
    for (const which of ['readiness', 'liveness'] as const) {
      const p = spec[which];
      if (p) warnings.unmapped(spec.agent, `${which}.${p.kind}`, `Nomad service checks are tcp or http against a port; ${p.kind} checks need Consul`);
    }
  }
  g['Tasks'] = tasks;
  return g;
}

function task(group: AgentGroup, options: ExportOptions, warnings: ExportWarnings): Obj {
  const spec = group.spec;
  const varying = new Set(replicaDifferences(group.instances));
  const command = varying.has('command') ? (commandTemplate(group) ?? spec.command) : spec.command;
  const argv = hostArgv(spec, command, options);
  // raw_exec has no working directory setting, so a shell changes into it first.
  const config = { command: '/bin/sh', args: ['-c', 'cd "$0" && exec "$@"', spec.cwd, ...argv] };
  const t: Obj = { Name: spec.agent, Driver: 'raw_exec', Config: config };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) {
    env[key] = varying.has(`env.${key}`) ? (template(group.instances.map((i) => i.env[key] ?? ''), ALLOC_INDEX) ?? value) : value;
  }
  for (const field of varying) {
    const handled =
      (field.startsWith('env.') && template(group.instances.map((i) => i.env[field.slice(4)] ?? ''), ALLOC_INDEX) !== undefined) ||
      (field === 'command' && commandTemplate(group) !== undefined);
    if (!handled) {
      warnings.unmapped(spec.agent, field, `its value differs between replicas and every replica gets the value of \`${spec.name}\``);
    }
  }
  if (Object.keys(env).length > 0) t['Env'] = env;
  warnSecrets(spec, warnings, 'the job');
  if (spec.user !== undefined) t['User'] = spec.user;
  t['KillSignal'] = spec.stop.signal;
  t['KillTimeout'] = spec.stop.timeoutMs * NS_PER_MS;
  const resources = taskResources(spec, options, warnings);
  if (resources) t['Resources'] = resources;
  if (spec.nice !== undefined) warnings.unmapped(spec.agent, 'nice', 'raw_exec has no niceness setting');
  warnCommonLosses(spec, warnings, { priority: 'Nomad starts task groups in no set order' });
  warnServiceLosses(spec, warnings);
  return t;
}

/** argv with `${NOMAD_ALLOC_INDEX}` where the replicas' commands differ only by their index. */
function commandTemplate(group: AgentGroup): string[] | undefined {
  const first = group.spec.command;
  if (group.instances.some((i) => i.command.length !== first.length)) return undefined;
  const out: string[] = [];
  for (let n = 0; n < first.length; n++) {
    const values = group.instances.map((i) => i.command[n]!);
    if (values.every((v) => v === values[0])) out.push(values[0]!);
    else {
      const t = template(values, ALLOC_INDEX);
      if (t === undefined) return undefined;
      out.push(t);
    }
  }
  return out;
}

function template(values: string[], index: string): string | undefined {
  const t = indexTemplate(values);
  return t ? `${t.before}${index}${t.after}` : undefined;
}

/**
 * Nomad restarts `Attempts` times within `Interval`, `Delay` apart, then
 * fails (Mode fail). With max_attempts 0 orchestra never gives up: Mode delay
 * waits out the interval and goes on, at most one restart per max_delay.
 */
function restartPolicy(spec: AgentSpec, warnings: ExportWarnings): Obj {
  const r: RestartSpec = spec.restart;
  const delay = (r.strategy === 'immediate' ? 0 : r.delayMs) * NS_PER_MS;
  if (r.when === 'never') return { Attempts: 0, Interval: Math.max(r.resetAfterMs, 1000) * NS_PER_MS, Delay: delay, Mode: 'fail' };
  if (r.strategy === 'exponential' && r.maxDelayMs > r.delayMs) {
    warnings.approximated(spec.agent, 'restart.strategy', 'Nomad restarts after a fixed Delay (with 25% jitter), not an exponential one');
  }
  if (r.maxAttempts === 0) {
    return { Attempts: 1, Interval: Math.max(r.maxDelayMs, r.delayMs, 1000) * NS_PER_MS, Delay: delay, Mode: 'delay' };
  }
  return { Attempts: retriesAllowed(r), Interval: Math.max(restartWindowMs(r), 1000) * NS_PER_MS, Delay: delay, Mode: 'fail' };
}

function check(spec: AgentSpec, which: 'readiness' | 'liveness', warnings: ExportWarnings): Obj | undefined {
  const p: ProbeSpec | undefined = spec[which];
  if (!p) return undefined;
  const e = probeEndpoint(p);
  if (!e) {
    warnings.unmapped(spec.agent, `${which}.${p.kind}`, `Nomad service checks are tcp or http; ${p.kind} checks need Consul`);
    return undefined;
  }
  const c: Obj = {
    Name: `${spec.agent}-${which}`,
    Type: p.kind === 'http' ? 'http' : 'tcp',
    PortLabel: PORT_LABEL,
    Interval: Math.max(p.intervalMs, 1000) * NS_PER_MS,
    Timeout: Math.max(p.timeoutMs, 1) * NS_PER_MS,
  };
  if (p.kind === 'http') {
    c['Path'] = e.path ?? '/';
    c['Protocol'] = e.scheme ?? 'http';
  }
  if (p.intervalMs < 1000) warnings.approximated(spec.agent, `${which}.interval`, 'Nomad checks run at most once a second');
  if (which === 'liveness') {
    // check_restart turns a failing check into a task restart, like orchestra's liveness.
    c['CheckRestart'] = { Limit: p.failures, Grace: p.initialDelayMs * NS_PER_MS, IgnoreWarnings: false };
  } else {
    warnings.approximated(spec.agent, 'readiness', 'the check only reports health; nothing in Nomad waits for it');
  }
  return c;
}

function taskResources(spec: AgentSpec, options: ExportOptions, warnings: ExportWarnings): Obj | undefined {
  const t = spec.thresholds;
  const memory = t?.memory?.critical;
  const cpu = t?.cpu?.critical;
  if (memory === undefined && cpu === undefined) return undefined;
  const r: Obj = {};
  // CPU is in MHz: a full core counts as `cpuMhzPerCore` (default 1000).
  if (cpu !== undefined) r['CPU'] = Math.max(1, Math.round((cpu / 100) * (options.cpuMhzPerCore ?? 1000)));
  if (memory !== undefined) r['MemoryMB'] = Math.max(10, Math.ceil(memory / 1024 ** 2));
  warnings.approximated(spec.agent, 'thresholds', 'critical levels become Resources, which Nomad reserves for scheduling; warn levels and `for` are lost');
  return r;
}
