/**
 * Stage 6, schema validation with ajv against orchestra.schema.json, the
 * single source of the manifest's shape. Two passes:
 * - the resolved pass checks every rendered instance plus the merged
 *   top-level keys (what will actually run);
 * - the written pass checks each file as written, so a typo in an unused
 *   template or environment is still caught. It skips values that only make
 *   sense later: `null` (a removal), strings with `{{` (rendered later), and
 *   type errors of substituted strings (coerced in the resolved pass).
 * Strings produced by `${}` or `{{}}` are coerced where the schema wants an
 * integer, number or boolean (`replicas: "${N}"`). The schema is compiled
 * ahead of time (scripts/gen-docs.mjs → schema-validator.generated.ts).
 */

import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../util/diagnostic.js';
import { emptyMap, nodeAt, toPlain, type MapNode, type ScalarNode, type ValueNode } from './node.js';
import type { Rendered } from './render.js';
import { explainSchemaErrors, splitPointer, type NamePath, type PathNaming, type UnitPatterns } from './schema-errors.js';
// The schema compiled ahead of time by ajv (allErrors, verbose): compiling it
// at run time cost a noticeable share of every CLI start. A test fails when
// it no longer matches orchestra.schema.json.
import { unitPatterns, validate as generatedValidate } from './schema-validator.generated.js';

interface Compiled {
  validate: ValidateFunction;
  units: UnitPatterns;
}

function schemaValidator(): Compiled {
  return { validate: generatedValidate as unknown as ValidateFunction, units: unitPatterns as UnitPatterns };
}

/** A file as written (after interpolation), for the written pass. */
export interface WrittenFile {
  root: MapNode;
  /** Overlay files and `--set` need not carry `version` and `agents`. */
  overlay: boolean;
}

/** Validates the resolved manifest and every written file; returns all schema diagnostics. */
export function validateManifest(rendered: Rendered, written: readonly WrittenFile[]): Diagnostic[] {
  const { validate, units } = schemaValidator();
  const out: Diagnostic[] = [];

  // Resolved pass: one entry per checked instance, keyed by instance name.
  const agentsNode = emptyMap(rendered.root.loc);
  const agentOf = new Map<string, string>();
  for (const agent of rendered.agents) {
    if (agent.broken) continue;
    for (const instance of agent.checked) {
      if (agentsNode.entries.has(instance.name)) continue;
      agentsNode.entries.set(instance.name, { key: agent.keyLoc, value: instance.node });
      agentOf.set(instance.name, agent.name);
    }
  }
  const resolvedRoot: MapNode = { ...rendered.root, entries: new Map(rendered.root.entries) };
  resolvedRoot.entries.set('agents', { key: rendered.root.loc, value: agentsNode });
  const instances = rendered.agents.flatMap((a) => (a.broken ? [] : a.checked));
  const resolvedPlain = (): unknown => {
    const doc = toPlain(rendered.root) as Record<string, unknown>;
    const agents: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (const i of instances) {
      if (seen.has(i.name)) continue;
      seen.add(i.name);
      agents[i.name] = i.plain = toPlain(i.node);
    }
    doc['agents'] = agents;
    return doc;
  };
  let errors = runPlain(validate, resolvedPlain());
  if (errors.length > 0 && coerce(errors, resolvedRoot)) errors = runPlain(validate, resolvedPlain());
  const resolvedNaming: NamePath = (path) => nameResolved(path, agentOf);
  out.push(
    ...explainSchemaErrors(
      // Root `required` and agent names are the written pass's: it sees the names as written, not `api-0`.
      errors.filter((e) => !(e.keyword === 'required' && e.instancePath === '') && !(e.keyword === 'propertyNames' && e.instancePath === '/agents')),
      resolvedRoot,
      resolvedNaming,
      units,
    ),
  );

  // Written pass; a problem the resolved pass already located is not told twice.
  const seen = new Set(out.map(where));
  for (const file of written) {
    const root = file.overlay ? file.root : withoutAgentBodies(file.root);
    const raw = run(validate, root).filter((e) => keepWritten(e, file));
    for (const d of explainSchemaErrors(raw, root, nameWritten, units)) {
      if (!seen.has(where(d))) out.push(d);
    }
  }
  return out;
}

/**
 * The main file's agents as written are the bulk of a big manifest and the
 * resolved pass already checked them; keep only their names (and any entry
 * that is not a mapping, which the resolved pass skips).
 */
function withoutAgentBodies(root: MapNode): MapNode {
  const agents = root.entries.get('agents');
  if (agents?.value.kind !== 'map') return root;
  const names = emptyMap(agents.value.loc);
  for (const [name, e] of agents.value.entries) {
    names.entries.set(name, e.value.kind === 'map' ? { key: e.key, value: emptyMap(e.value.loc) } : e);
  }
  const entries = new Map(root.entries);
  entries.set('agents', { key: agents.key, value: names });
  return { ...root, entries };
}

function where(d: Diagnostic): string {
  return `${d.code}\u0000${d.location?.file}\u0000${d.location?.range?.offset}\u0000${d.location?.range?.length}`;
}

function run(validate: ValidateFunction, root: ValueNode): ErrorObject[] {
  return runPlain(validate, toPlain(root));
}

function runPlain(validate: ValidateFunction, data: unknown): ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

function keepWritten(e: ErrorObject, file: WrittenFile): boolean {
  if (file.overlay && e.keyword === 'required' && e.instancePath === '') return false;
  const data: unknown = e.data;
  if (data === null) return false;
  if (typeof data === 'string' && data.includes('{{')) return false;
  if (e.keyword === 'type' || e.keyword === 'oneOf') {
    const node = nodeAt(file.root, splitPointer(e.instancePath));
    if (node?.kind === 'scalar' && node.substituted) return false;
  }
  return true;
}

/** Coerces substituted strings where a `type` error says a number or boolean was wanted. True when anything changed. */
function coerce(errors: readonly ErrorObject[], root: ValueNode): boolean {
  let changed = false;
  for (const e of errors) {
    if (e.keyword !== 'type') continue;
    const node = nodeAt(root, splitPointer(e.instancePath));
    if (node?.kind !== 'scalar' || !node.substituted || typeof node.value !== 'string') continue;
    const value = coerceScalar(node, String((e.params as { type: string }).type).split(','));
    if (value !== undefined) {
      node.value = value;
      changed = true;
    }
  }
  return changed;
}

function coerceScalar(node: ScalarNode, types: string[]): number | boolean | undefined {
  const text = String(node.value).trim();
  if (types.includes('integer') && /^-?[0-9]+$/.test(text)) return Number(text);
  if (types.includes('number') && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return undefined;
}

function nameResolved(path: readonly string[], agentOf: ReadonlyMap<string, string>): PathNaming {
  if (path[0] === 'agents' && path.length >= 2) {
    return { where: ` in agent "${agentOf.get(path[1]!) ?? path[1]}"`, field: path.slice(2).join('.'), ...keyKind(path) };
  }
  return { where: '', field: path.join('.'), ...keyKind(path) };
}

function nameWritten(path: readonly string[]): PathNaming {
  const [head, a, b, c, ...rest] = path;
  if (head === 'agents' && a !== undefined) return { where: ` in agent "${a}"`, field: path.slice(2).join('.'), ...keyKind(path) };
  if (head === 'templates' && a !== undefined) return { where: ` in template "${a}"`, field: path.slice(2).join('.'), ...keyKind(path) };
  if (head === 'defaults') return { where: ' in defaults', field: path.slice(1).join('.'), ...keyKind(path) };
  if (head === 'environments' && a !== undefined) {
    if (b === 'agents' && c !== undefined) {
      return { where: ` in agent "${c}" of environment "${a}"`, field: rest.join('.'), ...keyKind(path) };
    }
    if (b === 'defaults') return { where: ` in defaults of environment "${a}"`, field: path.slice(3).join('.'), ...keyKind(path) };
    return { where: ` in environment "${a}"`, field: path.slice(2).join('.'), ...keyKind(path) };
  }
  return { where: '', field: path.join('.'), ...keyKind(path) };
}

function keyKind(path: readonly string[]): { keyKind?: string } {
  const last = path.at(-1);
  if (path.length === 1 && (last === 'agents' || last === 'templates' || last === 'environments')) {
    return { keyKind: last === 'agents' ? 'agent' : last === 'templates' ? 'template' : 'environment' };
  }
  if (path.length === 3 && path[0] === 'environments' && last === 'agents') return { keyKind: 'agent' };
  if (last === 'depends_on') return { keyKind: 'agent' };
  if (last === 'env') return { keyKind: 'env variable' };
  return {};
}
