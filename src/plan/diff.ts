/**
 * The planner: compares the applied Plan, the desired Plan and what the
 * supervisor observes, and decides one Action per instance. Pure and shared by
 * `plan` (which renders the result) and `apply` (which executes it), so what
 * is shown is exactly what is done. It must not read files, spawn, or look at
 * the clock; env file contents come in as hashes.
 *
 * Rules, per instance (matched by instance name):
 *   disabled                          → stop if it runs, else unchanged
 *   new (not in the applied plan)     → start
 *   gone (not in the desired plan)    → stop (removed, or scaled down)
 *   identity field changed            → restart, listing the fields
 *   observed failed / stopped /
 *     a service that exited           → recover (with any supervision changes)
 *   only `reload.on_change` file
 *     contents (and supervision)      → reload in place (pid kept)
 *   supervision field changed         → update in place
 *   otherwise                         → unchanged
 * then restarts cascade to dependents whose `depends_on` has `restart: true`.
 */

import { buildGraph, startOrder, stopLevels } from '../graph/graph.js';
import { formatDuration } from '../util/units.js';
import type { AgentSpec, Plan } from './spec.js';
import type { Action, ChangeSet, FieldChange } from './change-set.js';
import { summarize } from './change-set.js';
import type { EnvFileHashMap } from './fields.js';
import { type ClassifiedChange, changedFields, sameValue } from './fingerprint.js';
import { SECRET_MASK, maskDeep, planSecretValues, valuesToMask } from './secrets.js';
import { type ObservedAgent, isActive, needsRecovery, observedByName } from './observed.js';

/** Env file content hashes for both sides: the applied ones come from its revision, the desired ones from disk now. */
export interface EnvFileHashes {
  applied: EnvFileHashMap;
  desired: EnvFileHashMap;
}

/** Decides what to do to every instance; see the module comment for the rules. */
export function diff(
  applied: Plan | undefined,
  desired: Plan,
  observed: readonly ObservedAgent[],
  envFileHashes: EnvFileHashes,
): ChangeSet {
  const appliedByName = new Map((applied?.instances ?? []).map((s) => [s.name, s]));
  const desiredNames = new Set(desired.instances.map((s) => s.name));
  const seen = observedByName(observed);
  const appliedCount = replicaCounts(applied);
  const desiredCount = replicaCounts(desired);
  const scaleNote = (agent: string): string | undefined => {
    const before = appliedCount.get(agent);
    const after = desiredCount.get(agent) ?? 0;
    return before !== undefined && before !== after ? `${agent} replicas ${before} -> ${after}` : undefined;
  };

  const actions: Action[] = [];
  for (const spec of desired.instances) {
    const prev = appliedByName.get(spec.name);
    const obs = seen.get(spec.name);
    const running = obs ? isActive(obs.state) : prev !== undefined && !prev.disabled;
    const act = (kind: Action['kind'], reason: string, fields?: FieldChange[]): void => {
      actions.push(action(kind, spec, reason, fields));
    };
    if (spec.disabled) {
      act(running ? 'stop' : 'unchanged', 'disabled');
      continue;
    }
    if (prev === undefined) {
      if (obs && isActive(obs.state)) act('restart', 'running without a recorded spec');
      else if (applied === undefined) act('start', 'new instance');
      else {
        const note = scaleNote(spec.agent);
        act('start', appliedCount.has(spec.agent) ? (note ? `new instance: ${note}` : 'new instance') : 'new agent');
      }
      continue;
    }
    if (prev.disabled && !running) {
      act('start', 'enabled');
      continue;
    }
    const changes = changedFields(prev, spec, {
      envFileHashes: { old: envFileHashes.applied, new: envFileHashes.desired },
      baseDir: desired.baseDir,
      origins: desired.origins,
    });
    const identity = changes.filter((c) => c.class === 'identity');
    const inPlace = changes.filter((c) => c.class === 'supervision');
    const reloadFiles = changes.filter((c) => c.class === 'reload');
    const recovery = obs ? needsRecovery(obs.state, spec.type) : undefined;
    if (identity.length > 0) {
      act('restart', changedReason(identity), fieldsOf([...identity, ...inPlace, ...reloadFiles]));
    } else if (recovery !== undefined) {
      act('recover', inPlace.length > 0 ? `${recovery}; ${changedReason(inPlace)}` : recovery, fieldsOf(inPlace));
    } else if (reloadFiles.length > 0) {
      act('reload', changedReason([...reloadFiles, ...inPlace]), fieldsOf([...reloadFiles, ...inPlace]));
    } else if (inPlace.length > 0) {
      act('update', changedReason(inPlace), fieldsOf(inPlace));
    } else {
      act('unchanged', 'up to date');
    }
  }

  for (const prev of applied?.instances ?? []) {
    if (desiredNames.has(prev.name)) continue;
    const obs = seen.get(prev.name);
    if (prev.disabled && !(obs && isActive(obs.state))) continue;
    const note = scaleNote(prev.agent);
    const reason = desiredCount.has(prev.agent)
      ? note
        ? `instance removed: ${note}`
        : 'instance removed'
      : 'removed from the manifest';
    actions.push(action('stop', prev, reason));
  }

  const orphans: string[] = [];
  for (const obs of observed) {
    if (desiredNames.has(obs.name) || appliedByName.has(obs.name) || !isActive(obs.state)) continue;
    orphans.push(obs.name);
    actions.push({ kind: 'stop', instance: obs.name, agent: obs.name, reason: 'not in the manifest' });
  }

  cascadeRestarts(actions, desired);
  const project = applied ? projectChanges(applied, desired) : [];
  return { actions: executionOrder(actions, applied, desired, orphans), project, ...summarize(actions, project) };
}

function action(kind: Action['kind'], spec: AgentSpec, reason: string, fields?: FieldChange[]): Action {
  const a: Action = { kind, instance: spec.name, agent: spec.agent, reason };
  if (fields && fields.length > 0) a.fields = fields;
  return a;
}

function changedReason(changes: readonly ClassifiedChange[]): string {
  return `changed: ${changes.map((c) => c.path).join(', ')}`;
}

function fieldsOf(changes: readonly ClassifiedChange[]): FieldChange[] {
  return [...changes]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ class: _class, ...field }) => field);
}

function replicaCounts(plan: Plan | undefined): Map<string, number> {
  return new Map((plan?.agents ?? []).map((a) => [a.name, a.instances.length]));
}

/**
 * A restart propagates along `depends_on` edges marked `restart: true`,
 * transitively: a dependent that would otherwise be unchanged or updated in
 * place is restarted too. Starts, recoveries and stops do not propagate.
 */
function cascadeRestarts(actions: Action[], desired: Plan): void {
  const graph = buildGraph(desired.instances);
  const byInstance = new Map(actions.map((a) => [a.instance, a]));
  const disabled = new Set(desired.instances.filter((s) => s.disabled).map((s) => s.name));
  const queue = actions.filter((a) => a.kind === 'restart').map((a) => a.instance);
  const converted = new Set<Action>();
  while (queue.length > 0) {
    const name = queue.shift()!;
    const cause = byInstance.get(name)!;
    for (const edge of graph.dependents.get(name) ?? []) {
      const dependent = byInstance.get(edge.from);
      if (!edge.restart || !dependent || disabled.has(dependent.instance)) continue;
      if (dependent.kind === 'unchanged' || dependent.kind === 'update') {
        dependent.kind = 'restart';
        converted.add(dependent);
        queue.push(dependent.instance);
      }
      if (converted.has(dependent) && !(dependent.triggeredBy ?? []).includes(cause.agent)) {
        dependent.triggeredBy = [...(dependent.triggeredBy ?? []), cause.agent];
      }
    }
  }
  for (const a of converted) {
    const by = a.triggeredBy ?? [];
    const phrase = by.length === 1 ? `dependency ${by[0]} restarts` : `dependencies ${by.join(', ')} restart`;
    a.reason = a.fields ? `${phrase}; changed: ${a.fields.map((f) => f.path).join(', ')}` : phrase;
  }
}

/** Stops first, in reverse dependency order (of the plan they were started under); then the rest in dependency order. */
function executionOrder(actions: Action[], applied: Plan | undefined, desired: Plan, orphans: string[]): Action[] {
  const desiredGraph = buildGraph(desired.instances);
  const stopSequence = [
    ...[...orphans].sort(),
    ...(applied ? stopLevels(buildGraph(applied.instances)).flat() : []),
    ...stopLevels(desiredGraph).flat(),
  ];
  const stopRank = new Map<string, number>();
  stopSequence.forEach((name, i) => {
    if (!stopRank.has(name)) stopRank.set(name, i);
  });
  const startRank = new Map(startOrder(desiredGraph).map((name, i) => [name, i]));
  const stops = actions.filter((a) => a.kind === 'stop');
  const rest = actions.filter((a) => a.kind !== 'stop');
  stops.sort((a, b) => stopRank.get(a.instance)! - stopRank.get(b.instance)!);
  rest.sort((a, b) => startRank.get(a.instance)! - startRank.get(b.instance)!);
  return [...stops, ...rest];
}

/** Project settings the daemon applies in place: name, monitor interval, notify. */
function projectChanges(applied: Plan, desired: Plan): FieldChange[] {
  const leaves = (p: Plan): [string, unknown][] => [
    ['name', p.name],
    ['monitor.interval', formatDuration(p.monitor.intervalMs)],
    ['notify.command', p.notify?.command],
    ['notify.webhook', p.notify?.webhook],
    ['notify.events', p.notify?.events],
    ['notify.timeout', p.notify ? formatDuration(p.notify.timeoutMs) : undefined],
    ['notify.retries', p.notify?.retries],
    ...Object.entries(p.notify?.headers ?? {}).map(([k, v]): [string, unknown] => [`notify.headers.${k}`, v]),
  ];
  const before = new Map(leaves(applied));
  // A webhook URL may carry a token that some agent also has as a secret; header values are secret outright.
  const secrets = valuesToMask([...planSecretValues(applied), ...planSecretValues(desired)]);
  const mask = (v: unknown): unknown => maskDeep(v, secrets);
  const changes: FieldChange[] = [];
  for (const [path, value] of leaves(desired)) {
    const old = before.get(path);
    if (sameValue(old, value)) continue;
    const change: FieldChange = { path };
    const secret = path.startsWith('notify.headers.');
    if (old !== undefined) change.old = secret ? SECRET_MASK : mask(old);
    if (value !== undefined) change.new = secret ? SECRET_MASK : mask(value);
    if (secret) change.secret = true;
    const origin = desired.origins[path] ?? desired.origins[`${path}.0`];
    if (origin && value !== undefined) change.origin = origin;
    changes.push(change);
  }
  return changes;
}
