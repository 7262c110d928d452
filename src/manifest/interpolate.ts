/**
 * Stage 2, environment interpolation, compose style: `${VAR}`, `${VAR:-d}`,
 * `${VAR-d}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR:+alt}`, `${VAR+alt}` and `$$`.
 * Applied to string scalar values after parsing, never to YAML text, so every
 * value keeps its position. A lone `$` not followed by `{` or `$` is kept
 * as written (shell snippets stay readable). Pure: the environment is passed in.
 */

import { error, type Diagnostic } from '../util/diagnostic.js';
import { mapStrings, type MapNode, type ValueNode } from './node.js';

export type EnvLookup = Readonly<Record<string, string | undefined>>;

interface Problem {
  code: 'unset-env-var' | 'required-env-var' | 'bad-interpolation';
  message: string;
  hint?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Substitutes variables in one string; problems are collected, never thrown. */
export function interpolateString(text: string, env: EnvLookup, problems: Problem[] = []): { value: string; problems: Problem[] } {
  if (!text.includes('$')) return { value: text, problems };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next !== '{') {
      out += '$';
      i++;
      continue;
    }
    const close = matchingBrace(text, i + 2);
    if (close < 0) {
      problems.push({ code: 'bad-interpolation', message: `unclosed "\${" in ${JSON.stringify(text)}`, hint: 'write `$${` for a literal `${`' });
      return { value: out + text.slice(i), problems };
    }
    out += expand(text.slice(i + 2, close), env, problems);
    i = close + 1;
  }
  return { value: out, problems };
}

function matchingBrace(text: string, from: number): number {
  let depth = 0;
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '$' && text[j + 1] === '$') j++;
    else if (c === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (c === '}') {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
}

function expand(inner: string, env: EnvLookup, problems: Problem[]): string {
  const name = NAME.exec(inner)?.[0];
  if (name === undefined) {
    problems.push({ code: 'bad-interpolation', message: `invalid variable reference "\${${inner}}"`, hint: 'a name is letters, digits and `_`, e.g. ${PORT}' });
    return '';
  }
  const rest = inner.slice(name.length);
  const value = Object.hasOwn(env, name) ? env[name] : undefined;
  const op = /^(:-|-|:\?|\?|:\+|\+)?/.exec(rest)![0];
  const arg = rest.slice(op.length);
  if (op === '' && rest !== '') {
    problems.push({ code: 'bad-interpolation', message: `invalid variable reference "\${${inner}}"`, hint: 'use ${VAR}, ${VAR:-default}, ${VAR-default} or ${VAR:?message}' });
    return '';
  }
  const unsetOrEmpty = value === undefined || value === '';
  const sub = (s: string): string => interpolateString(s, env, problems).value;
  switch (op) {
    case '':
      if (value === undefined) {
        problems.push({
          code: 'unset-env-var',
          message: `environment variable "${name}" is not set`,
          hint: `set it, add it to .env beside the manifest, or give a default: \${${name}:-value}`,
        });
        return '';
      }
      return value;
    case ':-':
      return unsetOrEmpty ? sub(arg) : value;
    case '-':
      return value === undefined ? sub(arg) : value;
    case ':?':
    case '?':
      if (op === ':?' ? unsetOrEmpty : value === undefined) {
        const why = sub(arg);
        problems.push({
          code: 'required-env-var',
          message: `environment variable "${name}" is required${why ? `: ${why}` : ''}`,
          hint: `set ${name} in the environment or in .env beside the manifest`,
        });
        return '';
      }
      return value ?? '';
    case ':+':
      return unsetOrEmpty ? '' : sub(arg);
    default:
      return value === undefined ? '' : sub(arg);
  }
}

/** Interpolates every string scalar of a parsed file. */
export function interpolateTree(root: MapNode, env: EnvLookup): { root: MapNode; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const next = mapStrings(root, (scalar): ValueNode | undefined => {
    if (!scalar.value.includes('$')) return undefined;
    const { value, problems } = interpolateString(scalar.value, env);
    for (const p of problems) diagnostics.push(error(p.code, p.message, scalar.loc, p.hint !== undefined ? { hint: p.hint } : {}));
    if (value === scalar.value) return undefined;
    return { kind: 'scalar', value, loc: scalar.loc, substituted: true };
  });
  return { root: next as MapNode, diagnostics };
}
