/**
 * Secret values out of line: a revision keeps `orchestra-secret:<id>` in
 * place of every secret env value (keys listed in `secrets:` or matching the
 * secret pattern) and every `notify.headers` value, and the values live in one `secrets.json` (0600) keyed by
 * random ids, so a revision file can be backed up, shared or pasted into an
 * issue without carrying a secret, and the ids say nothing about the values
 * (no hash of a short password to guess against). Reading a revision puts
 * the values back. The store is pruned with the revisions.
 */

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { secretEnvKeys, secretValues } from '../plan/secrets.js';
import type { Plan } from '../plan/spec.js';
import { type Result, err, ok } from '../util/result.js';
import { writeFileAtomic } from './atomic-write.js';
import { statePaths } from './paths.js';

const TOKEN_PREFIX = 'orchestra-secret:';
const TOKEN = /orchestra-secret:([0-9a-f]{32})/g;

/** id → secret value. */
export type SecretValues = Map<string, string>;

/**
 * The plan with every secret env value replaced by a token, and every secret
 * value long enough to be hunted (src/plan/secrets.ts) replaced by its token
 * inside any other string too (a token on a command line, a password in a
 * URL); `values` gains an id for each value it did not hold yet.
 */
export function stashSecrets(plan: Plan, values: SecretValues): Plan {
  const idOf = new Map([...values].map(([id, v]) => [v, id]));
  const tokenFor = (value: string): string => {
    let id = idOf.get(value);
    if (id === undefined) {
      id = randomBytes(16).toString('hex');
      values.set(id, value);
      idOf.set(value, id);
    }
    return `${TOKEN_PREFIX}${id}`;
  };
  const instances = plan.instances.map((spec) => {
    let env: Record<string, string> | undefined;
    for (const key of secretEnvKeys(spec)) {
      env ??= { ...spec.env };
      env[key] = tokenFor(spec.env[key]!);
    }
    return env ? { ...spec, env } : spec;
  });
  // Webhook header values are secret outright (they usually carry a token).
  const headers = plan.notify?.headers;
  const stashed: Plan = headers
    ? { ...plan, instances, notify: { ...plan.notify!, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, tokenFor(v)])) } }
    : { ...plan, instances };
  const hunted = secretValues(plan.instances);
  // One pass, longest first: a shorter secret must never match inside a token already written.
  const pattern = new RegExp(hunted.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, tokenFor);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return hunted.length === 0 ? stashed : (walk(stashed) as Plan);
}

/** The plan with its tokens, wherever they stand, replaced by their values, or the ids the store does not hold. */
export function restoreSecrets(plan: Plan, values: SecretValues): Result<Plan, string[]> {
  const missing: string[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!v.includes(TOKEN_PREFIX)) return v;
      return v.replace(TOKEN, (token, id: string) => {
        const secret = values.get(id);
        if (secret === undefined) missing.push(id);
        return secret ?? token;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const restored = walk(plan) as Plan;
  return missing.length > 0 ? err(missing) : ok(restored);
}

/** Every secret id a stored revision's text refers to. */
export function referencedIds(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[1]!);
}

/** The store of a state directory; empty when there is none yet. A store that cannot be parsed is an error, never silently empty. */
export async function readSecretValues(stateDir: string): Promise<Result<SecretValues, string>> {
  const path = statePaths(stateDir).secrets;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? ok(new Map()) : err(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const data = JSON.parse(text) as { values?: unknown };
    if (typeof data.values !== 'object' || data.values === null) return err(`${path} is corrupt: it lacks "values"`);
    return ok(new Map(Object.entries(data.values as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string')));
  } catch (e) {
    return err(`${path} is corrupt: not valid JSON (${(e as Error).message})`);
  }
}

/** Replaces the store (owner-only, atomic). */
export async function writeSecretValues(stateDir: string, values: SecretValues): Promise<void> {
  const sorted = Object.fromEntries([...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFileAtomic(statePaths(stateDir).secrets, `${JSON.stringify({ version: 1, values: sorted }, null, 2)}\n`);
}
