/**
 * Every runtime dependency in package.json is used, and nothing else is
 * used at run time: reads every import of src/ (static, dynamic and through
 * `createRequire`), leaves out type-only ones, and compares the packages
 * with `dependencies`. A package used only by tests or benchmarks belongs in
 * `devDependencies` (docs/decisions.md says where the design card's packages
 * went).
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The package a bare specifier names: `ajv/dist/x.js` → `ajv`, `@scope/a/b` → `@scope/a`; undefined for relative and built-in modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/** The module specifiers a file loads when it runs: type-only imports and `typeof import()` are left out. */
function runtimeSpecifiers(text: string, fileName = 'x.ts'): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      // import('x'), require('x'), createRequire(import.meta.url)('x')
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require') || ts.isCallExpression(callee);
      if (loads) out.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

t.test('the reader sees runtime imports and leaves type-only ones out', async (t) => {
  const text = [
    "import type { A } from 'typeonly';",
    "import { type B } from 'typeonly-named';",
    "import x, { type C } from 'mixed';",
    "import 'side-effect';",
    "export { y } from 'reexport';",
    "export type { Z } from 'typeonly-export';",
    "type H = typeof import('typeof-import');",
    "const d = await import('dynamic');",
    "const r = createRequire(import.meta.url)('required');",
  ].join('\n');
  t.same(runtimeSpecifiers(text), ['mixed', 'side-effect', 'reexport', 'dynamic', 'required']);
  t.same(['ajv/dist/runtime/x.js', '@scope/a/b', 'node:fs', 'fs', './x.js'].map(packageOf), ['ajv', '@scope/a', undefined, undefined, undefined]);
});

t.test('src/ uses every runtime dependency and no other package at run time', async (t) => {
  const used = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    for (const specifier of runtimeSpecifiers(readFileSync(file, 'utf8'), file)) {
      const name = packageOf(specifier);
      if (name !== undefined && !used.has(name)) used.set(name, relative(ROOT, file));
    }
  }
  const declared = Object.keys(pkg.dependencies).sort();
  t.same(declared.filter((d) => !used.has(d)), [], 'every dependency is loaded by src/ at run time (else move it to devDependencies or drop it)');
  t.same(
    [...used].filter(([name]) => !declared.includes(name)).map(([name, file]) => `${name} (${file})`),
    [],
    'every package src/ loads at run time is a dependency',
  );
});
