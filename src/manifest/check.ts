/**
 * Stage 7, semantic checks: rules the schema cannot express. Unknown and
 * cyclic dependencies, `completed` on a service, dependencies on disabled
 * agents, string commands without `shell: true`, probe kinds, `log` probes
 * outside readiness, warn above critical, missing env files, agents without a
 * command. Defensive about shapes (the schema pass may have failed too) so
 * every problem is reported at once. File existence is injected.
 */

import { findCycles } from '../graph/graph.js';
import { parsePercent, parseSize } from '../util/units.js';
import { error, type Diagnostic, type Location } from '../util/diagnostic.js';
import { child, type ValueNode } from './node.js';
import type { Instance, RenderedAgent } from './render.js';
import { didYouMean } from './suggest.js';

/** What the checks may ask of the file system. */
export interface CheckFiles {
  /** Resolves a manifest-relative path. */
  resolve(path: string): string;
  exists(absolutePath: string): boolean;
}

/** Runs every semantic check over the rendered agents. */
export function checkSemantics(agents: readonly RenderedAgent[], files: CheckFiles): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map(agents.map((a) => [a.name, a]));
  const edges = new Map<string, string[]>();
  const edgeLoc = new Map<string, Location>();
  for (const agent of agents) {
    if (agent.broken) continue;
    const targets: string[] = [];
    for (const instance of agent.checked) checkInstance(agent, instance, byName, files, out);
    const deps = child(agent.checked[0]?.node, 'depends_on');
    if (deps?.kind === 'map') {
      for (const [dep, e] of deps.entries) {
        if (dep.startsWith('x-') || !byName.has(dep)) continue;
        targets.push(dep);
        edgeLoc.set(`${agent.name}\u0000${dep}`, e.key);
      }
    }
    edges.set(agent.name, targets);
  }
  for (const cycle of findCycles(edges)) {
    const related = cycle.slice(1).map((to, i) => {
      const from = cycle[i]!;
      const loc = edgeLoc.get(`${from}\u0000${to}`);
      return { message: `"${from}" depends on "${to}"`, ...(loc ? { location: loc } : {}) };
    });
    out.push(
      error('dependency-cycle', `dependency cycle: ${cycle.join(' → ')}`, edgeLoc.get(`${cycle[0]}\u0000${cycle[1]}`), {
        hint: 'remove one `depends_on` entry of the loop',
        related,
      }),
    );
  }
  return out;
}

function checkInstance(agent: RenderedAgent, instance: Instance, byName: ReadonlyMap<string, RenderedAgent>, files: CheckFiles, out: Diagnostic[]): void {
  const node = instance.node;
  const name = agent.name;
  const command = child(node, 'command');
  const shell = child(node, 'shell');
  const shellOn = shell?.kind === 'scalar' && shell.value === true;
  if (command === undefined) {
    if (!agent.incomplete) out.push(
      error('missing-command', `agent "${name}" has no command`, agent.keyLoc, {
        hint: 'set `command:` on the agent, in a template it extends, or in `defaults`',
      }),
    );
  } else if (command.kind === 'scalar' && typeof command.value === 'string' && !shellOn) {
    out.push(
      error('string-command-without-shell', `the command of agent "${name}" is a string but \`shell\` is not true`, command.loc, {
        hint: 'write it as a list, e.g. ["node", "app.js"], or set `shell: true` to run it with sh -c',
      }),
    );
  } else if (command.kind === 'seq' && shellOn) {
    out.push(
      error('shell-needs-string', `agent "${name}" has \`shell: true\` but its command is a list`, shell.loc, {
        hint: 'with `shell: true` write the command as one string; without it, keep the list',
      }),
    );
  }

  checkProbe(name, 'readiness', child(node, 'readiness'), out);
  checkProbe(name, 'liveness', child(node, 'liveness'), out);
  checkThresholds(name, child(node, 'thresholds'), out);
  checkEnvFiles(child(node, 'env_file'), files, out);
  checkReload(name, child(node, 'reload'), out);
  checkForking(name, node, out);

  const deps = child(node, 'depends_on');
  if (deps?.kind !== 'map') return;
  const disabled = isTrue(child(node, 'disabled'));
  for (const [depName, e] of deps.entries) {
    if (depName.startsWith('x-')) continue;
    const target = byName.get(depName);
    if (target === undefined) {
      const suggestion = didYouMean(depName, byName.keys());
      out.push(
        error('unknown-dependency', `agent "${name}" depends on unknown agent "${depName}"`, e.key, {
          hint: suggestion ? `did you mean "${suggestion}"?` : `agents are: ${[...byName.keys()].join(', ')}`,
        }),
      );
      continue;
    }
    const conditionNode = e.value.kind === 'map' ? child(e.value, 'condition') : e.value;
    const condition = conditionNode?.kind === 'scalar' ? conditionNode.value : undefined;
    const targetNode = target.checked[0]?.node;
    const targetType = child(targetNode, 'type');
    const oneshot = targetType?.kind === 'scalar' && targetType.value === 'oneshot';
    if (condition === 'completed' && !oneshot && !target.broken) {
      out.push(
        error('completed-on-service', `agent "${name}" waits for "${depName}" to complete, but "${depName}" is a service`, conditionNode!.loc, {
          hint: `a service never completes; use \`ready\` or \`started\`, or give "${depName}" \`type: oneshot\``,
        }),
      );
    }
    if (!disabled && isTrue(child(targetNode, 'disabled'))) {
      out.push(
        error('dependency-disabled', `agent "${name}" depends on "${depName}", which is disabled`, e.key, {
          hint: `"${name}" would wait forever; enable "${depName}", disable "${name}" too, or drop the dependency`,
        }),
      );
    }
  }
}

/** `type: forking` and `pid_file` go together: orchestra finds the forked process only through the file. */
function checkForking(agent: string, node: ValueNode, out: Diagnostic[]): void {
  const type = child(node, 'type');
  const forking = type?.kind === 'scalar' && type.value === 'forking';
  const pidFile = child(node, 'pid_file');
  if (forking && pidFile === undefined) {
    out.push(
      error('forking-needs-pid-file', `agent "${agent}" has \`type: forking\` but no \`pid_file\``, type.loc, {
        hint: 'name the file the background process writes its pid to, e.g. `pid_file: run/nginx.pid`',
      }),
    );
  } else if (!forking && pidFile !== undefined) {
    out.push(
      error('pid-file-needs-forking', `agent "${agent}" has a \`pid_file\` but is not \`type: forking\``, pidFile.loc, {
        hint: 'set `type: forking` if the command daemonizes, or drop `pid_file`',
      }),
    );
  }
}

/** A reload must say how: a signal or a command (both is ambiguous). */
function checkReload(agent: string, reload: ValueNode | undefined, out: Diagnostic[]): void {
  if (reload?.kind !== 'map') return;
  const how = ['signal', 'command'].filter((k) => child(reload, k) !== undefined);
  if (how.length === 1) return;
  out.push(
    error('reload-needs-one-way', `the reload of agent "${agent}" needs exactly one of \`signal\` or \`command\``, reload.loc, {
      hint: how.length === 0 ? 'e.g. `reload: { signal: SIGHUP }` or `reload: { command: [nginx, -s, reload] }`' : 'keep either `signal` or `command`',
    }),
  );
}

const PROBE_KINDS = ['exec', 'tcp', 'http', 'log'];

function checkProbe(agent: string, which: 'readiness' | 'liveness', probe: ValueNode | undefined, out: Diagnostic[]): void {
  if (probe?.kind !== 'map') return;
  const kinds = PROBE_KINDS.filter((k) => probe.entries.has(k));
  if (kinds.length !== 1) {
    out.push(
      error(
        'probe-kind',
        kinds.length === 0
          ? `the ${which} probe of agent "${agent}" has no check`
          : `the ${which} probe of agent "${agent}" has ${kinds.length} checks (${kinds.join(', ')})`,
        probe.loc,
        { hint: 'a probe needs exactly one of exec, tcp, http or log' },
      ),
    );
  }
  const log = probe.entries.get('log');
  if (which === 'liveness' && log) {
    out.push(
      error('log-probe-in-liveness', `agent "${agent}" uses a \`log\` check in its liveness probe`, log.key, {
        hint: 'a log line can say an agent became ready, not that it is still alive; use exec, tcp or http',
      }),
    );
  }
}

function checkThresholds(agent: string, thresholds: ValueNode | undefined, out: Diagnostic[]): void {
  for (const [metric, parse] of [
    ['memory', parseSize],
    ['cpu', parsePercent],
  ] as const) {
    const level = child(thresholds, metric);
    const warn = scalarString(child(level, 'warn'));
    const critical = scalarString(child(level, 'critical'));
    if (warn === undefined || critical === undefined) continue;
    const w = parse(warn);
    const c = parse(critical);
    if (w !== undefined && c !== undefined && w > c) {
      out.push(
        error('threshold-order', `the ${metric} warn level of agent "${agent}" (${warn}) is above its critical level (${critical})`, child(level, 'warn')!.loc, {
          hint: 'warn must be at most critical',
        }),
      );
    }
  }
}

function checkEnvFiles(envFile: ValueNode | undefined, files: CheckFiles, out: Diagnostic[]): void {
  if (envFile === undefined) return;
  const items = envFile.kind === 'seq' ? envFile.items : [envFile];
  for (const item of items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') continue;
    const path = files.resolve(item.value);
    if (!files.exists(path)) {
      out.push(error('missing-env-file', `env_file "${item.value}" does not exist`, item.loc, { hint: 'env_file paths are relative to the manifest\'s directory' }));
    }
  }
}

function isTrue(node: ValueNode | undefined): boolean {
  return node?.kind === 'scalar' && node.value === true;
}

function scalarString(node: ValueNode | undefined): string | undefined {
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined;
}

