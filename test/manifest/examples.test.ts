/**
 * Every manifest under examples/ loads without diagnostics. An overlay file
 * named `X.override.yaml` is loaded on top of its base `X.yaml`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { loadManifest } from '../../src/manifest/load.js';
import { formatDiagnostics } from '../../src/report/diagnostics.js';

const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples');

function manifests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) out.push(...manifests(path));
    else if (entry.isFile() && /^orchestra.*\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

const found = manifests(examples);
t.ok(found.length > 0, 'examples exist');
for (const file of found) {
  const override = /\.override\.ya?ml$/.test(file);
  const files = override ? [file.replace(/\.override(\.ya?ml)$/, '$1'), file] : [file];
  t.test(relative(root, file), async (t) => {
    if (override) t.ok(existsSync(files[0]!), 'the base of an override exists');
    const r = await loadManifest({ files, cwd: root, env: { PATH: process.env['PATH'] ?? '/usr/bin' } });
    t.equal(formatDiagnostics(r.diagnostics, r.sources, { color: false, cwd: root }), 'no problems');
    t.ok(r.plan, 'a plan');
    t.ok((r.plan?.instances.length ?? 0) > 0, 'at least one instance');
  });
}
