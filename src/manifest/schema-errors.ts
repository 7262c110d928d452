/**
 * ajv's raw errors → human diagnostics located at the offending key or value.
 * Collapses the noise of `oneOf` to the branch the value was meant for, names
 * units by example, and suggests the nearest key or enum value. Pure: the
 * caller supplies the located tree the errors refer to and how to name the
 * owner of a path (agent, template, environment).
 */

import type { ErrorObject } from 'ajv';
import { error, type Diagnostic, type Location } from '../util/diagnostic.js';
import type { MapNode, ValueNode } from './node.js';
import { describe } from './parse.js';
import { didYouMean } from './suggest.js';

/** How a path is named in messages: its owner (` in agent "api"`), the field (`restart.when`), and what kind of name a key there is. */
export interface PathNaming {
  where: string;
  field: string;
  /** For a key error under this path: `agent`, `template`, `environment`, `env variable` or undefined. */
  keyKind?: string;
}

export type NamePath = (path: readonly string[]) => PathNaming;

/** Known unit patterns of the schema, keyed by their regular expression source. */
export interface UnitPatterns {
  duration: string;
  size: string;
  percent: string;
}

/** Turns one validation run's errors into diagnostics. */
export function explainSchemaErrors(
  errors: readonly ErrorObject[],
  root: ValueNode,
  name: NamePath,
  units: UnitPatterns,
): Diagnostic[] {
  const kept = collapseOneOf(errors.filter((e) => e.propertyName === undefined));
  const out: Diagnostic[] = [];
  for (const e of kept) {
    const path = splitPointer(e.instancePath);
    const target = locateIn(root, path);
    const naming = name(path);
    const d = explainOne(e, path, target, naming, units);
    if (d) out.push(d);
  }
  return out;
}

interface Located {
  node?: ValueNode;
  keyLoc?: Location;
  loc: Location;
}

function explainOne(e: ErrorObject, path: string[], at: Located, n: PathNaming, units: UnitPatterns): Diagnostic | undefined {
  const field = n.field === '' ? '' : `"${n.field}"`;
  const subject = field === '' ? (n.where === '' ? 'the manifest' : n.where.replace(/^ in /, '')) : `${field}${n.where}`;
  const got = at.node ? describe(at.node) : 'nothing';
  const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const child = at.node?.kind === 'map' ? at.node.entries.get(key) : undefined;
      const allowed = Object.keys(parent?.properties ?? {});
      const suggestion = didYouMean(key, allowed);
      const owner = field === '' ? n.where : ` in ${field}${n.where}`;
      return error('unknown-key', `unknown key "${key}"${owner}`, child?.key ?? at.loc, {
        hint: suggestion ? `did you mean "${suggestion}"?` : `allowed keys: ${allowed.join(', ')} (and x-* extension keys)`,
      });
    }
    case 'propertyNames': {
      const key = String((e.params as { propertyName: string }).propertyName);
      const child = at.node?.kind === 'map' ? at.node.entries.get(key) : undefined;
      const kind = n.keyKind ?? 'key';
      const code = kind === 'agent' ? 'invalid-agent-name' : `invalid-${kind.replace(/ /g, '-')}-name`;
      const rule =
        kind === 'env variable'
          ? 'letters, digits and _, not starting with a digit'
          : kind === 'environment'
            ? 'letters, digits, _ and -, starting with a letter'
            : 'lowercase letters, digits, _ and -, starting with a letter, at most 63 characters';
      return error(code, `invalid ${kind} name "${key}"`, child?.key ?? at.loc, { hint: `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} name is ${rule}` });
    }
    case 'type': {
      const pattern = (e.parentSchema as { pattern?: string } | undefined)?.pattern;
      // `timeout: 10` or `warn: 80`: the number needs its unit; say which.
      if (pattern !== undefined && [units.duration, units.size, units.percent].includes(pattern)) {
        return explainPattern(pattern, subject, got, at, units);
      }
      const want = String((e.params as { type: string }).type).split(',').map(article);
      return error('wrong-type', `${subject} must be ${orList(want)}, got ${got}`, at.loc);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const value = scalarOf(at.node);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      return error('bad-enum', `${subject} must be one of ${allowed.join(', ')}; got ${got}`, at.loc, {
        ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
      });
    }
    case 'const':
      if (path.length === 1 && path[0] === 'version') {
        return error('bad-version', `unsupported manifest version: ${got}`, at.loc, { hint: 'write `version: 1`' });
      }
      return error('bad-value', `${subject} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${got}`, at.loc);
    case 'pattern':
      return explainPattern(String((e.params as { pattern: string }).pattern), subject, got, at, units);
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      return error('missing-key', `missing required key "${key}"${field === '' ? n.where : ` in ${field}${n.where}`}`, at.keyLoc ?? at.loc);
    }
    case 'minimum':
    case 'maximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return error('out-of-range', `${subject} must be ${comparison} ${limit}, got ${got}`, at.loc);
    }
    case 'minItems':
    case 'minLength':
      return error('empty-value', `${subject} must not be empty`, at.loc);
    case 'oneOf':
      return explainOneOf(e, subject, got, at);
    default:
      return error('schema', `${subject} ${e.message ?? 'is invalid'}`, at.loc);
  }
}

function explainPattern(pattern: string, subject: string, got: string, at: Located, units: UnitPatterns): Diagnostic {
  if (pattern === units.duration) {
    return error('bad-duration', `${subject} is not a duration: ${got}`, at.loc, { hint: 'expected a duration such as 10s or 250ms (units ms, s, m, h; 1m30s also works)' });
  }
  if (pattern === units.size) {
    return error('bad-size', `${subject} is not a size: ${got}`, at.loc, { hint: 'expected a size such as 512MiB or 1GB (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)' });
  }
  if (pattern === units.percent) {
    return error('bad-percent', `${subject} is not a percentage: ${got}`, at.loc, { hint: 'expected a percentage such as 80%' });
  }
  if (pattern.startsWith('^(\\[')) return error('bad-address', `${subject} is not a host:port address: ${got}`, at.loc, { hint: 'expected host:port such as 127.0.0.1:6379' });
  if (pattern === '^https?://') return error('bad-url', `${subject} is not an http URL: ${got}`, at.loc, { hint: 'expected a URL such as http://127.0.0.1:8080/health' });
  if (pattern.startsWith('^http://(127')) {
    return error('bad-url', `${subject} is not a loopback URL: ${got}`, at.loc, { hint: 'expected http://127.0.0.1…, http://localhost… or http://[::1]…' });
  }
  if (pattern.startsWith('^[a-z]')) {
    return error('invalid-name', `${subject} is not a valid name: ${got}`, at.loc, { hint: 'lowercase letters, digits, _ and -, starting with a letter' });
  }
  return error('bad-pattern', `${subject} does not match ${pattern}: ${got}`, at.loc);
}

function explainOneOf(e: ErrorObject, subject: string, got: string, at: Located): Diagnostic {
  const branches = ((e.schema as { type?: string | string[] }[] | undefined) ?? []).map((b) =>
    b.type === 'array' ? 'a list' : b.type === 'object' ? 'a mapping' : b.type ? article(String(b.type)) : 'a value',
  );
  return error('wrong-type', `${subject} must be ${orList(branches)}, got ${got}`, at.loc);
}

/**
 * For each failed `oneOf`, keeps only the errors of the branch whose type the
 * value has (a string meant for the enum branch gets the enum message); when
 * no branch has the right type, only the `oneOf` error itself remains.
 */
function collapseOneOf(errors: ErrorObject[]): ErrorObject[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  if (oneOfs.length === 0) return errors;
  const drop = new Set<ErrorObject>();
  for (const o of oneOfs) {
    const prefix = `${o.schemaPath}/`;
    const inside = errors.filter((e) => e !== o && e.schemaPath.startsWith(prefix) && e.instancePath.startsWith(o.instancePath));
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of inside) {
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    const typed = [...byBranch.values()].filter((list) => !list.some((e) => e.keyword === 'type' && e.instancePath === o.instancePath));
    for (const e of inside) drop.add(e);
    if (typed.length === 1) {
      for (const e of typed[0]!) drop.delete(e);
      drop.add(o);
    }
  }
  return errors.filter((e) => !drop.has(e));
}

/** `/agents/api/env` → ['agents', 'api', 'env'] (JSON pointer unescaping). */
export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function locateIn(root: ValueNode, path: readonly string[]): Located {
  let node: ValueNode | undefined = root;
  let keyLoc: Location | undefined;
  for (const part of path) {
    if (node?.kind === 'map') {
      const entry: { key: Location; value: ValueNode } | undefined = (node as MapNode).entries.get(part);
      keyLoc = entry?.key;
      node = entry?.value;
    } else if (node?.kind === 'seq') {
      node = node.items[Number(part)];
      keyLoc = undefined;
    } else {
      break;
    }
    if (node === undefined) break;
  }
  const loc = node?.loc ?? keyLoc ?? root.loc;
  return { ...(node ? { node } : {}), ...(keyLoc ? { keyLoc } : {}), loc };
}

function scalarOf(node: ValueNode | undefined): unknown {
  return node?.kind === 'scalar' ? node.value : undefined;
}

function article(type: string): string {
  switch (type) {
    case 'integer':
      return 'an integer';
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    default:
      return `a ${type}`;
  }
}

function orList(items: string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? (unique[0] ?? 'valid') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}
