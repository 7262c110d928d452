/**
 * Secret values out of an imported manifest. The manifest an import writes
 * is meant to be committed, so, as docker compose users keep passwords in
 * `.env` and write `${DB_PASSWORD}` in the file, every env value whose key
 * the secrets rule (src/plan/secrets.ts) calls secret is replaced by a
 * `${VARIABLE}` reference, and the value is handed back to be written to
 * `.env` beside the manifest (which orchestra's loader reads for
 * interpolation). The same value inside any other string of the manifest
 * (a token on a command line) becomes the same reference. Values that
 * already refer to the environment, or that `.env` and interpolation could
 * not carry unchanged, stay in place and are reported as kept. Pure: the
 * caller reads and writes `.env`.
 */

import { parse as parseDotenv } from 'dotenv';
import { interpolateString } from '../manifest/interpolate.js';
import { isSecretKey, valuesToMask } from '../plan/secrets.js';
import type { ManifestDraft } from './draft.js';

/** One secret env value of the draft, by where it was. */
export interface SecretEnvValue {
  /** The agent, or undefined for `defaults`. */
  agent?: string;
  /** The environment overlay, when it came from one. */
  environment?: string;
  key: string;
  /** The value as the manifest writes it. */
  value: string;
  /** Its literal text, references left out: what would stay in the manifest. */
  literal: string;
}

/** A secret moved out: the manifest now says `${variable}`, and `.env` gives it `plain`. */
export interface MovedSecret extends SecretEnvValue {
  variable: string;
  /** The value as the agent sees it (the manifest string with its escapes undone). */
  plain: string;
}

export interface SecretSplit {
  /** The draft with every movable secret replaced by its reference. */
  draft: ManifestDraft;
  /** What was moved, in manifest order. */
  moved: MovedSecret[];
  /** `.env` lines to add (variables `.env` does not hold yet), `NAME=value`. */
  dotenvLines: string[];
  /** Secrets left in the manifest as written: literal text mixed with references or templates, or text `.env` cannot carry. */
  kept: SecretEnvValue[];
  /** Every secret value found, moved or kept: what outputs of the import must mask. */
  values: string[];
}

/**
 * Moves the draft's secret env values to `.env` variables. `dotenv` is what
 * `.env` beside the manifest holds now: a variable it already has with the
 * same value is reused, one it has with another value is not overwritten
 * (the secret gets a longer name, e.g. `WEB_API_TOKEN`).
 */
export function splitSecrets(draft: ManifestDraft, dotenv: Readonly<Record<string, string>>): SecretSplit {
  const found = secretEnvValues(draft);
  const taken = new Map(Object.entries(dotenv));
  const moved: MovedSecret[] = [];
  const kept: SecretEnvValue[] = [];
  const dotenvLines: string[] = [];
  const byValue = new Map<string, string>();
  for (const secret of found) {
    const { plain } = readValue(secret.value);
    // Only references (`${API_TOKEN}`): the value already lives outside the manifest.
    if (secret.literal === '') continue;
    const line = (name: string): string | undefined => (plain === undefined ? undefined : dotenvLine(name, plain));
    if (plain === undefined || line(secret.key) === undefined) {
      kept.push(secret);
      continue;
    }
    let variable = byValue.get(secret.value);
    if (variable === undefined) {
      variable = candidates(secret).find((name) => !taken.has(name) || taken.get(name) === plain)!;
      if (!taken.has(variable)) dotenvLines.push(line(variable)!);
      taken.set(variable, plain);
      byValue.set(secret.value, variable);
    }
    moved.push({ ...secret, variable, plain });
  }
  return {
    draft: replaceValues(draft, byValue),
    moved,
    dotenvLines,
    kept,
    values: valuesToMask(found.flatMap((s) => [s.value, s.literal])),
  };
}

/** Every env value of the draft (defaults, agents, environment overlays) whose key holds a secret. */
export function secretEnvValues(draft: ManifestDraft): SecretEnvValue[] {
  const out: SecretEnvValue[] = [];
  const collect = (fields: Record<string, unknown> | undefined, where: { agent?: string; environment?: string }): void => {
    const env = fields?.['env'];
    if (env === null || typeof env !== 'object') return;
    for (const [key, value] of Object.entries(env)) {
      if (typeof value === 'string' && isSecretKey(key, [])) out.push({ ...where, key, value, literal: readValue(value).literal });
    }
  };
  collect(draft.defaults, {});
  for (const agent of draft.agents) collect(agent.fields, { agent: agent.name });
  for (const [environment, agents] of Object.entries(draft.environments ?? {})) {
    for (const [agent, fields] of Object.entries(agents)) collect(fields, { agent, environment });
  }
  return out;
}

/**
 * What a manifest string holds: `plain`, the text orchestra makes of it when
 * it refers to no variable and holds no template (else undefined), and
 * `literal`, its text with every reference left out.
 */
function readValue(text: string): { plain?: string; literal: string } {
  let refers = false;
  const watch = new Proxy(
    {},
    {
      getOwnPropertyDescriptor() {
        refers = true;
        return { value: '', writable: true, enumerable: true, configurable: true };
      },
      get() {
        refers = true;
        return '';
      },
    },
  );
  const { value } = interpolateString(text, watch);
  return refers || value.includes('{{') ? { literal: value } : { plain: value, literal: value };
}

/** `NAME=value` as .env holds it, or undefined when dotenv would not read `value` back exactly. */
function dotenvLine(name: string, value: string): string | undefined {
  const forms = [/^[^\s'"`#\\]+$/.test(value) ? value : undefined, `'${value}'`, `"${value}"`, `\`${value}\``];
  for (const form of forms) {
    if (form === undefined) continue;
    const line = `${name}=${form}`;
    if (parseDotenv(line)[name] === value) return line;
  }
  return undefined;
}

/** Variable names for a secret, most natural first: the key, then prefixed by agent (and overlay), then numbered. */
function candidates(secret: SecretEnvValue): string[] {
  const upper = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const names = [secret.key];
  if (secret.agent !== undefined) names.push(`${upper(secret.agent)}_${secret.key}`);
  if (secret.agent !== undefined && secret.environment !== undefined) names.push(`${upper(secret.agent)}_${upper(secret.environment)}_${secret.key}`);
  const last = names[names.length - 1]!;
  for (let n = 2; n < 1000; n++) names.push(`${last}_${n}`);
  return names;
}

/** The draft with each secret env value, and the same text inside any other string, replaced by its `${variable}`. */
function replaceValues(draft: ManifestDraft, byValue: ReadonlyMap<string, string>): ManifestDraft {
  if (byValue.size === 0) return draft;
  // Longest first, so a secret that contains another is replaced whole.
  const order = [...byValue.keys()].sort((a, b) => b.length - a.length);
  const inText = order.filter((v) => valuesToMask([v]).length > 0);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = byValue.get(v);
      if (whole !== undefined) return `\${${whole}}`;
      let out = v;
      for (const secret of inText) if (out.includes(secret)) out = out.split(secret).join(`\${${byValue.get(secret)!}}`);
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out: ManifestDraft = {
    header: draft.header,
    agents: draft.agents.map((a) => ({ ...a, fields: walk(a.fields) as Record<string, unknown> })),
  };
  if (draft.defaults) out.defaults = walk(draft.defaults) as Record<string, unknown>;
  if (draft.environments) out.environments = walk(draft.environments) as ManifestDraft['environments'] & object;
  return out;
}

/**
 * Every secret value with the forms it can take in an imported file's quoted
 * strings (a double-quoted YAML or JSON string's `\n` and `\"`, a supervisord
 * `\"`, a single-quoted YAML string's `''`), longest first: the import's
 * output masks a source line as written, not only the value it means.
 */
export function secretSourceForms(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(value.replace(/[\\"]/g, '\\$&'));
    forms.add(value.replace(/'/g, "''"));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Values assigned to secret-looking names anywhere in a source text
 * (`NAME=value`, `NAME="value"`, `NAME: value`), as written. For a file that
 * failed to import: the importer never parsed these, yet the lines its
 * errors quote may hold them.
 */
export function secretLikeValues(text: string): string[] {
  const found: string[] = [];
  // A lookahead, so matches may overlap: in `environment=API_TOKEN=x` the first assignment's value holds the second.
  const assignment = /(?<![A-Za-z0-9_])(?=([A-Za-z_][A-Za-z0-9_]*)["']?\s*[=:]\s*("(?:[^"\\\n]|\\.)*"?|'(?:[^'\n]|'')*'?|[^\s,"'#}\]]+))/g;
  for (const m of text.matchAll(assignment)) {
    if (!isSecretKey(m[1]!, [])) continue;
    const raw = m[2]!;
    const quoted = raw.startsWith('"') || raw.startsWith("'");
    found.push(quoted ? raw.slice(1, raw.length > 1 && raw.endsWith(raw[0]!) ? -1 : undefined) : raw);
  }
  return valuesToMask(found);
}
