/**
 * Secret masking for events: replaces every value of a secret env key with
 * `***` anywhere in an event's strings. Pure; the engine applies it before any
 * listener sees an event, so no renderer can leak a secret by mistake.
 */

import { SECRET_KEY_PATTERN, SECRET_MASK, type AgentSpec } from '../plan/spec.js';
import type { OrchestraEvent } from './event.js';

/** The secret values of a set of instances: env values whose key is listed in `secrets:` or matches the secret pattern. */
export function secretValues(instances: readonly Pick<AgentSpec, 'env' | 'secretKeys'>[]): string[] {
  const values = new Set<string>();
  for (const i of instances) {
    for (const [k, v] of Object.entries(i.env)) {
      // Very short values would mask ordinary words; they are not secrets worth the name.
      if (v.length >= 3 && (i.secretKeys.includes(k) || SECRET_KEY_PATTERN.test(k))) values.add(v);
    }
  }
  // Longest first so a secret containing another is masked whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** Returns the text with every secret value replaced by `***`. */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(SECRET_MASK);
  return out;
}

function maskValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return maskText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, secrets)]));
  }
  return value;
}

/** Returns the event with every secret value replaced by `***`. */
export function maskEvent<E extends OrchestraEvent>(event: E, secrets: readonly string[]): E {
  if (secrets.length === 0) return event;
  return maskValue(event, secrets) as E;
}
