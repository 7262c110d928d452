/**
 * The layering of src/: reads every import (type-only and dynamic ones too)
 * and fails on an import cycle between top-level folders or on an import in
 * a forbidden direction. The layers and their order are drawn in
 * docs/architecture.md; this test is what keeps that drawing true.
 */

import t from 'tap';
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Folders that must not import the folders listed after them. */
const FORBIDDEN: Record<string, readonly string[]> = {
  report: ['daemon', 'reconcile', 'cli'],
  manifest: ['daemon', 'reconcile', 'cli'],
  plan: ['daemon', 'reconcile', 'cli'],
  graph: ['daemon', 'reconcile', 'cli'],
  events: ['daemon', 'reconcile', 'cli'],
  supervise: ['daemon', 'report', 'cli'],
  daemon: ['cli'],
};

/** The bottom layers: they import no other folder of src/. */
const BOTTOM = ['util', 'generated'];

/** An import from one file of src/ to another in a different top-level folder. */
interface CrossImport {
  from: string;
  to: string;
  fromFile: string;
  toFile: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

function folderOf(file: string): string {
  return relative(SRC, file).split('/')[0]!;
}

/** Every relative import in src/ that crosses a top-level folder. */
function crossImports(): CrossImport[] {
  const found: CrossImport[] = [];
  for (const file of sourceFiles(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), imported.fileName);
      if (relative(SRC, target).startsWith('..')) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) found.push({ from, to, fromFile: relative(SRC, file), toFile: relative(SRC, target) });
    }
  }
  return found;
}

/** The strongly connected groups of more than one folder (Tarjan). */
function folderCycles(edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (!next.has(e.to)) next.set(e.to, new Set());
    next.get(e.from)!.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return groups;
}

function describe(edges: readonly CrossImport[]): string {
  return edges.map((e) => `  src/${e.fromFile} imports src/${e.toFile}`).join('\n');
}

t.test('the cycle finder finds cycles and only cycles', async (t) => {
  t.same(folderCycles([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }]), []);
  t.same(folderCycles([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }, { from: 'c', to: 'd' }]), [
    ['a', 'b', 'c'],
  ]);
  t.same(folderCycles([{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }, { from: 'x', to: 'y' }, { from: 'y', to: 'x' }]).length, 2);
});

t.test('the import reader sees src/ and its cross-folder imports', async (t) => {
  const edges = crossImports();
  // A reader that saw nothing would pass every rule below.
  t.ok(edges.some((e) => e.from === 'cli' && e.to === 'daemon'), 'cli imports daemon');
  t.ok(edges.some((e) => e.from === 'supervise' && e.to === 'plan'), 'supervise imports plan');
});

t.test('no import cycle between top-level folders of src/', async (t) => {
  const edges = crossImports();
  for (const group of folderCycles(edges)) {
    const inGroup = edges.filter((e) => group.includes(e.from) && group.includes(e.to));
    t.fail(`import cycle between ${group.join(', ')}:\n${describe(inGroup)}`);
  }
  t.pass('checked');
});

t.test('no folder imports a layer above it', async (t) => {
  const edges = crossImports();
  for (const [folder, above] of Object.entries(FORBIDDEN)) {
    const wrong = edges.filter((e) => e.from === folder && above.includes(e.to));
    t.same(describe(wrong), '', `src/${folder} imports nothing from ${above.join(', ')}`);
  }
  for (const folder of BOTTOM) {
    const wrong = edges.filter((e) => e.from === folder);
    t.same(describe(wrong), '', `src/${folder} imports no other folder of src/`);
  }
});
