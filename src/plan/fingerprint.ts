/**
 * AgentSpec fingerprint and field comparison: which leaves of two specs
 * differ, in manifest words, with secrets masked and the origin of the new
 * value attached; and a stable hash of the identity part (what, when it
 * changes, forces a restart). Pure: env file contents come in as hashes.
 */

import { createHash } from 'node:crypto';
import type { Location } from '../util/diagnostic.js';
import type { AgentSpec, Origins } from './spec.js';
import { SECRET_MASK, maskDeep, secretValues } from './secrets.js';
import type { FieldChange } from './change-set.js';
import { type EnvFileHashMap, type FieldClass, specFields } from './fields.js';

/** A changed leaf with its class, before it is put in an Action. */
export interface ClassifiedChange extends FieldChange {
  class: FieldClass;
}

export interface CompareOptions {
  /** Env file content hashes as they were for `old` and are for `new`. */
  envFileHashes: { old: EnvFileHashMap; new: EnvFileHashMap };
  /** For showing env file paths relative to the manifest. */
  baseDir: string;
  /** Origins of the new plan, to say where each new value came from. */
  origins?: Origins;
}

/** A stable sha256 over the identity fields (command, env, env file contents, cwd, ...). */
export function identityFingerprint(spec: AgentSpec, envFileHashes: EnvFileHashMap): string {
  const identity = {
    agent: spec.agent,
    type: spec.type,
    command: spec.command,
    shell: spec.shell,
    cwd: spec.cwd,
    env: Object.entries(spec.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    envFiles: spec.envFiles.map((f) => [f, envFileHashes.get(f) ?? null]),
    inheritEnv: spec.inheritEnv,
    user: spec.user ?? null,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/**
 * Every leaf that differs between two specs of the same instance, sorted by
 * path, secrets masked (old and new), with the new value's origin.
 */
export function changedFields(oldSpec: AgentSpec, newSpec: AgentSpec, options: CompareOptions): ClassifiedChange[] {
  const before = specFields(oldSpec, options.envFileHashes.old, options.baseDir);
  const after = specFields(newSpec, options.envFileHashes.new, options.baseDir);
  const secrets = secretValues([oldSpec, newSpec]);
  const mask = (v: unknown): unknown => maskDeep(v, secrets);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: ClassifiedChange[] = [];
  for (const path of paths) {
    const a = before.get(path);
    const b = after.get(path);
    if (a !== undefined && b !== undefined && sameValue(a.value, b.value)) continue;
    const cls = (b ?? a)!.class;
    if (cls === 'key') continue;
    const secret = (a?.secret ?? false) || (b?.secret ?? false);
    const change: ClassifiedChange = { path, class: cls };
    if (a !== undefined) change.old = secret ? SECRET_MASK : mask(a.value);
    if (b !== undefined) change.new = secret ? SECRET_MASK : mask(b.value);
    if (secret) change.secret = true;
    const origin = b !== undefined && options.origins ? originOf(options.origins, newSpec.agent, path) : undefined;
    if (origin) change.origin = origin;
    changes.push(change);
  }
  return changes;
}

/**
 * The manifest location of an agent's field: the exact leaf, else the first
 * element of a list (`command.0`), else for a dependency written in short
 * form (`depends_on: { redis: ready }`) the dependency itself.
 */
export function originOf(origins: Origins, agent: string, path: string): Location | undefined {
  const key = `agents.${agent}.${path}`;
  const exact = origins[key] ?? origins[`${key}.0`];
  if (exact) return exact;
  if (path.startsWith('depends_on.')) return origins[key.slice(0, key.lastIndexOf('.'))];
  return undefined;
}

/** Structural equality for JSON-like values (arrays in order, objects by key). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
