/**
 * Stage 4, inheritance: folds each agent's layers in precedence order,
 * `defaults` → `extends` chain (left to right, recursively) → the agent's own
 * layers (main manifest, environment overlay, extra files, `--set`). Owns the
 * extends-cycle and unknown-template errors. Tombstones (`null`) survive every
 * intermediate fold and are dropped only at the end. No rendering, no schema.
 */

import { error, type Diagnostic, type Location } from '../util/diagnostic.js';
import { child, emptyMap, isNull, type MapNode, type ValueNode } from './node.js';
import { dropTombstones, mergeLayers, without } from './merge.js';
import type { Layers } from './overlay.js';
import { describe } from './parse.js';
import { didYouMean } from './suggest.js';

export interface MergedAgent {
  /** The manifest agent name. */
  name: string;
  /** Where the agent's key was first written. */
  keyLoc: Location;
  /** All layers folded, tombstones dropped; `extends` consumed. */
  node: MapNode;
  /** The agent's value was not a mapping (the schema pass reports it); later checks skip it. */
  broken: boolean;
  /** A template in its `extends` chain was unknown or cyclic, so a missing field is no news. */
  incomplete: boolean;
}

export interface Merged {
  mainFile: string;
  environment?: string;
  /** Top-level keys (name, vars, secrets, monitor, notify, x-*) after every layer. */
  root: MapNode;
  agents: MergedAgent[];
}

interface Ref {
  name: string;
  loc: Location;
}

/** Runs inheritance for every agent. */
export function inherit(layers: Layers): { merged: Merged; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fileLoc: Location = { file: layers.mainFile };
  const resolved = new Map<string, ValueNode | undefined>();
  const reportedCycles = new Set<string>();

  const extendsOf = (node: ValueNode | undefined): Ref[] => {
    const ext = child(node, 'extends');
    if (ext === undefined) return [];
    const items = ext.kind === 'seq' ? ext.items : [ext];
    return items.flatMap((i) => (i.kind === 'scalar' && typeof i.value === 'string' ? [{ name: i.value, loc: i.loc }] : []));
  };

  const failed = new Set<string>();
  const resolveChain = (refs: Ref[], stack: Ref[]): ValueNode[] =>
    refs.flatMap((ref) => {
      const r = resolveTemplate(ref, stack);
      if (r === undefined || failed.has(ref.name)) for (const s of stack) failed.add(s.name);
      return r === undefined ? [] : [r];
    });

  const resolveTemplate = (ref: Ref, stack: Ref[]): ValueNode | undefined => {
    const at = stack.findIndex((s) => s.name === ref.name);
    if (at >= 0) {
      reportCycle([...stack.slice(at), ref]);
      return undefined;
    }
    if (resolved.has(ref.name)) return resolved.get(ref.name);
    const defs = layers.templates.get(ref.name);
    if (defs === undefined) {
      const suggestion = didYouMean(ref.name, layers.templates.keys());
      diagnostics.push(
        error('unknown-template', `unknown template "${ref.name}"`, ref.loc, {
          hint: suggestion
            ? `did you mean "${suggestion}"?`
            : layers.templates.size > 0
              ? `templates are: ${[...layers.templates.keys()].join(', ')}`
              : 'define it under `templates:`',
        }),
      );
      return undefined;
    }
    const own = mergeLayers(defs, emptyMap(ref.loc));
    const chain = resolveChain(extendsOf(own), [...stack, ref]);
    const result = mergeLayers([...chain, without(own, ['extends'])], emptyMap(ref.loc));
    resolved.set(ref.name, result);
    return result;
  };

  // `stack` holds the extends references followed so far; the first entry is the agent itself.
  const reportCycle = (loop: Ref[]): void => {
    const names = loop.slice(0, -1).map((r) => r.name);
    const key = [...names].sort().join('\u0000');
    if (reportedCycles.has(key)) return;
    reportedCycles.add(key);
    const path = loop.map((r) => r.name).join(' → ');
    const related = loop.slice(1).map((r, i) => ({ message: `"${loop[i]!.name}" extends "${r.name}"`, location: r.loc }));
    diagnostics.push(
      error('extends-cycle', `templates extend each other in a loop: ${path}`, loop[1]!.loc, {
        hint: 'remove one `extends` of the loop',
        related,
      }),
    );
  };

  const defaultsOwn = mergeLayers(layers.defaults, emptyMap(fileLoc));
  const defaults = mergeLayers(
    [...resolveChain(extendsOf(defaultsOwn), [{ name: '(defaults)', loc: fileLoc }]), without(defaultsOwn, ['extends'])],
    emptyMap(fileLoc),
  );

  // Hundreds of agents share a few `extends` lists, so `defaults` folded with
  // each distinct resolved chain is computed once. The left fold makes this
  // exact: ((defaults + chain) + own) is what folding all three gives.
  const nodeIds = new Map<ValueNode, number>();
  const idOf = (n: ValueNode): number => {
    let id = nodeIds.get(n);
    if (id === undefined) nodeIds.set(n, (id = nodeIds.size));
    return id;
  };
  const prefixes = new Map<string, ValueNode>();
  const inheritedBase = (chain: ValueNode[], keyLoc: Location): ValueNode => {
    if (chain.length === 0) return defaults;
    const key = chain.map(idOf).join(',');
    let prefix = prefixes.get(key);
    if (prefix === undefined) prefixes.set(key, (prefix = mergeLayers([defaults, ...chain], emptyMap(keyLoc))));
    return prefix;
  };

  const agents: MergedAgent[] = [];
  for (const [name, { layers: own, keyLoc }] of layers.agents) {
    const folded = mergeLayers(own, emptyMap(keyLoc));
    if (isNull(folded)) continue; // an overlay removed the agent
    const broken = folded.kind !== 'map';
    const base = broken ? emptyMap(keyLoc) : folded;
    checkExtendsShape(name, child(base, 'extends'), diagnostics);
    const chain = resolveChain(extendsOf(base), [{ name: `agent:${name}`, loc: keyLoc }]);
    const node = dropTombstones(mergeLayers([inheritedBase(chain, keyLoc), without(base, ['extends'])], emptyMap(keyLoc)));
    agents.push({ name, keyLoc, node: node as MapNode, broken, incomplete: failed.has(`agent:${name}`) });
  }

  const root = dropTombstones(mergeLayers(layers.root, emptyMap(fileLoc))) as MapNode;
  const merged: Merged = { mainFile: layers.mainFile, root, agents };
  if (layers.environment !== undefined) merged.environment = layers.environment;
  return { merged, diagnostics };
}

/** An agent's `extends` is consumed here, so its shape is checked here (templates' are checked by the schema pass). */
function checkExtendsShape(agent: string, ext: ValueNode | undefined, diagnostics: Diagnostic[]): void {
  if (ext === undefined || isNull(ext)) return;
  const ok = (n: ValueNode): boolean => n.kind === 'scalar' && typeof n.value === 'string';
  if (ok(ext) || (ext.kind === 'seq' && ext.items.every(ok))) return;
  const bad = ext.kind === 'seq' ? ext.items.find((n) => !ok(n))! : ext;
  diagnostics.push(
    error('wrong-type', `"extends" in agent "${agent}" must be a template name or a list of names, got ${describe(bad)}`, bad.loc),
  );
}
