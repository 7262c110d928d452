/**
 * Secrets: which env values are secret and how every output hides them. The
 * one rule, used by plan, config, events, status, page, logs, history,
 * export and import:
 *
 * - an env key is secret when `secrets:` lists it or its name matches
 *   SECRET_KEY_PATTERN; its own value is always shown as `***`, whatever
 *   its length;
 * - a secret value of at least MIN_MASKED_LENGTH characters is also replaced
 *   by `***` wherever it appears inside other text (a token on a command
 *   line, a password in a URL, an agent's log line). Shorter values are left
 *   in other text: hunting every `1` or `ab` would mangle every output and
 *   protect nothing a guess would not find.
 *
 * Pure; no module outside this one spells the pattern, the mask or the
 * minimum length.
 */

/** The pattern that flags an env key as secret even when not listed in `secrets:`. */
export const SECRET_KEY_PATTERN = /SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE/i;

/** The mask shown in place of a secret value. */
export const SECRET_MASK = '***';

/** Secret values at least this long are masked inside other text too. */
export const MIN_MASKED_LENGTH = 3;

/** What the rule needs of an instance; an AgentSpec is one. */
export interface SecretSource {
  env: Readonly<Record<string, string>>;
  secretKeys: readonly string[];
}

/** True when the env key holds a secret: listed in `secrets:` or matching the pattern. */
export function isSecretKey(key: string, listed: readonly string[]): boolean {
  return listed.includes(key) || SECRET_KEY_PATTERN.test(key);
}

/** The env keys of an instance that hold secrets, in env order. */
export function secretEnvKeys(source: SecretSource): string[] {
  return Object.keys(source.env).filter((k) => isSecretKey(k, source.secretKeys));
}

/** The env with every secret value replaced by `***`. */
export function maskedEnv(source: SecretSource): Record<string, string> {
  return Object.fromEntries(Object.entries(source.env).map(([k, v]) => [k, isSecretKey(k, source.secretKeys) ? SECRET_MASK : v]));
}

/** The secret values of these instances to hunt for in other text. */
export function secretValues(sources: readonly SecretSource[]): string[] {
  return valuesToMask(sources.flatMap((source) => secretEnvKeys(source).map((key) => source.env[key]!)));
}

/** Every secret value of a plan: its instances' and the webhook's header values, which are secret outright. */
export function planSecretValues(plan: { instances: readonly SecretSource[]; notify?: { headers?: Readonly<Record<string, string>> } }): string[] {
  return valuesToMask([...plan.instances.flatMap((i) => secretEnvKeys(i).map((k) => i.env[k]!)), ...Object.values(plan.notify?.headers ?? {})]);
}

/** Known secret values reduced to those hunted in other text, longest first so a secret containing another is masked whole. */
export function valuesToMask(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((v) => v.length >= MIN_MASKED_LENGTH).sort((a, b) => b.length - a.length);
}

/** Replaces every secret value inside a text. */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(SECRET_MASK);
  return out;
}

/** Returns the value with every secret replaced inside each string it holds (object keys are kept). */
export function maskDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
