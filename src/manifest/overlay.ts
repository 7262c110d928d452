/**
 * Stage 3, overlays: picks every layer that takes part and sorts it by
 * precedence, without merging agents yet. Layers, lowest first: the main
 * manifest, the chosen `environments.<env>` overlay, each extra file in
 * order, then `--set`. Owns the unknown-environment and unknown-`--set`-agent
 * errors. Overlays are chosen before inheritance because an overlay may add an
 * agent or change its `extends`; precedence comes from fold order alone.
 */

import { error, type Diagnostic, type Location } from '../util/diagnostic.js';
import { child, emptyMap, isNull, type MapNode, type ValueNode } from './node.js';
import { mergeLayers, without } from './merge.js';
import type { SetLayer } from './set-args.js';
import { didYouMean } from './suggest.js';

/** Every layer of the manifest, sorted by precedence (lowest first). */
export interface Layers {
  mainFile: string;
  environment?: string;
  /** Top-level keys other than agents/templates/defaults/environments, per layer. */
  root: ValueNode[];
  /** `defaults` per layer (main, environment, files, --set). */
  defaults: ValueNode[];
  /** Templates by name; a name defined in several files is folded in file order. */
  templates: Map<string, ValueNode[]>;
  /** Agents in first-seen order, each with its own layers (an agent may first appear in an overlay). */
  agents: Map<string, { layers: ValueNode[]; keyLoc: Location }>;
}

const STRUCTURAL = ['agents', 'templates', 'defaults', 'environments'];

/** Collects the layers; `files` are the main manifest then extra files, all parsed and interpolated. */
export function collectLayers(
  files: readonly MapNode[],
  environment: string | undefined,
  set: SetLayer | undefined,
): { layers: Layers; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const main = files[0]!;
  const mainFile = main.loc.file;
  const layers: Layers = { mainFile, root: [], defaults: [], templates: new Map(), agents: new Map() };

  const envLayer = chooseEnvironment(files, environment, diagnostics);
  if (envLayer !== undefined) layers.environment = environment!;
  const ordered: { node: MapNode; isEnv: boolean }[] = [
    { node: main, isEnv: false },
    ...(envLayer ? [{ node: envLayer, isEnv: true }] : []),
    ...files.slice(1).map((node) => ({ node, isEnv: false })),
    ...(set ? [{ node: set.root, isEnv: false }] : []),
  ];
  ordered.forEach(({ node, isEnv }, n) => {
    layers.root.push(without(node, STRUCTURAL));
    const defaults = child(node, 'defaults');
    if (defaults !== undefined) layers.defaults.push(defaults);
    const templates = isEnv ? undefined : child(node, 'templates');
    if (templates?.kind === 'map') {
      for (const [name, e] of templates.entries) {
        if (name.startsWith('x-')) continue;
        const list = layers.templates.get(name) ?? [];
        list.push(e.value);
        layers.templates.set(name, list);
      }
    }
    const agents = child(node, 'agents');
    if (agents?.kind !== 'map') return;
    for (const [name, e] of agents.entries) {
      if (name.startsWith('x-')) continue;
      // In the main manifest `api:` with no value is an agent with no fields of its own.
      const value = n === 0 && isNull(e.value) ? emptyMap(e.key) : e.value;
      const agent = layers.agents.get(name);
      if (agent) agent.layers.push(value);
      else if (set !== undefined && node === set.root) continue; // reported by checkSetAgents
      else layers.agents.set(name, { layers: [value], keyLoc: e.key });
    }
  });

  if (set) checkSetAgents(set, files, envLayer, diagnostics);
  return { layers, diagnostics };
}

function chooseEnvironment(files: readonly MapNode[], name: string | undefined, diagnostics: Diagnostic[]): MapNode | undefined {
  if (name === undefined || name === '') return undefined;
  const defined = files.map((f) => child(f, 'environments')).filter((e): e is ValueNode => e?.kind === 'map');
  const envs = defined.length > 0 ? (mergeLayers(defined, emptyMap(files[0]!.loc)) as MapNode) : undefined;
  const chosen = envs?.entries.get(name)?.value;
  if (chosen?.kind === 'map') return chosen;
  if (chosen !== undefined) return emptyMap(chosen.loc);
  const names = envs ? [...envs.entries.keys()].filter((k) => !k.startsWith('x-')) : [];
  const suggestion = didYouMean(name, names);
  const firstEnvs = files[0]!.entries.get('environments');
  const loc = firstEnvs?.key ?? startOf(files[0]!.loc);
  diagnostics.push(
    error('unknown-environment', `unknown environment "${name}"`, loc, {
      hint: suggestion
        ? `did you mean "${suggestion}"?`
        : names.length > 0
          ? `the manifest defines: ${names.join(', ')}`
          : 'the manifest defines no `environments:`',
    }),
  );
  return undefined;
}

function checkSetAgents(set: SetLayer, files: readonly MapNode[], envLayer: MapNode | undefined, diagnostics: Diagnostic[]): void {
  const known = new Set<string>();
  for (const f of [...files, ...(envLayer ? [envLayer] : [])]) {
    const agents = child(f, 'agents');
    if (agents?.kind === 'map') for (const k of agents.entries.keys()) known.add(k);
  }
  for (const p of set.paths) {
    if (p.path[0] !== 'agents' || p.path.length < 2 || known.has(p.path[1]!)) continue;
    const suggestion = didYouMean(p.path[1]!, known);
    diagnostics.push(
      error('invalid-set-path', `--set ${p.path.join('.')}: there is no agent "${p.path[1]}"`, p.segmentLocs[1]!, {
        hint: suggestion ? `did you mean "${suggestion}"?` : `agents are: ${[...known].join(', ')}`,
      }),
    );
  }
}

function startOf(loc: Location): Location {
  if (!loc.range) return loc;
  return { file: loc.file, range: { start: loc.range.start, end: loc.range.start, offset: loc.range.offset, length: 0 } };
}
