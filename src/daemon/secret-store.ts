/**
 * Secret values out of line: a revision keeps `orchestra-secret:<id>` in
 * place of every secret env value (keys listed in `secrets:` or matching the
 * secret pattern), and the values live in one `secrets.json` (0600) keyed by
 * random ids, so a revision file can be backed up, shared or pasted into an
 * issue without carrying a secret, and the ids say nothing about the values
 * (no hash of a short password to guess against). Reading a revision puts
 * the values back. The store is pruned with the revisions.
 */

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSecretKey } from '../plan/fields.js';
import type { Plan } from '../plan/spec.js';
import { type Result, err, ok } from '../util/result.js';
import { writeFileAtomic } from './atomic-write.js';

export const SECRETS_FILE = 'secrets.json';
const TOKEN_PREFIX = 'orchestra-secret:';
const TOKEN = /^orchestra-secret:([0-9a-f]{32})$/;

/** id → secret value. */
export type SecretValues = Map<string, string>;

/** The plan with every secret env value replaced by a token; `values` gains an id for each value it did not hold yet. */
export function stashSecrets(plan: Plan, values: SecretValues): Plan {
  const idOf = new Map([...values].map(([id, v]) => [v, id]));
  const instances = plan.instances.map((spec) => {
    let env: Record<string, string> | undefined;
    for (const [key, value] of Object.entries(spec.env)) {
      if (!isSecretKey(key, spec.secretKeys)) continue;
      let id = idOf.get(value);
      if (id === undefined) {
        id = randomBytes(16).toString('hex');
        values.set(id, value);
        idOf.set(value, id);
      }
      env ??= { ...spec.env };
      env[key] = `${TOKEN_PREFIX}${id}`;
    }
    return env ? { ...spec, env } : spec;
  });
  return { ...plan, instances };
}

/** The plan with its tokens replaced by their values, or the ids the store does not hold. */
export function restoreSecrets(plan: Plan, values: SecretValues): Result<Plan, string[]> {
  const missing: string[] = [];
  const instances = plan.instances.map((spec) => {
    let env: Record<string, string> | undefined;
    for (const [key, value] of Object.entries(spec.env)) {
      const m = TOKEN.exec(value);
      if (!m || !isSecretKey(key, spec.secretKeys)) continue;
      const secret = values.get(m[1]!);
      if (secret === undefined) {
        missing.push(m[1]!);
        continue;
      }
      env ??= { ...spec.env };
      env[key] = secret;
    }
    return env ? { ...spec, env } : spec;
  });
  return missing.length > 0 ? err(missing) : ok({ ...plan, instances });
}

/** Every secret id a stored revision's text refers to. */
export function referencedIds(text: string): string[] {
  return [...text.matchAll(/orchestra-secret:([0-9a-f]{32})/g)].map((m) => m[1]!);
}

/** The store of a state directory; empty when there is none yet. A store that cannot be parsed is an error, never silently empty. */
export async function readSecretValues(stateDir: string): Promise<Result<SecretValues, string>> {
  const path = join(stateDir, SECRETS_FILE);
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
  await writeFileAtomic(join(stateDir, SECRETS_FILE), `${JSON.stringify({ version: 1, values: sorted }, null, 2)}\n`);
}
