/**
 * The loader's fast paths are switchable and invisible: every manifest in
 * examples/ and test/manifest/ loads to the same Plan (origins included) and
 * the same diagnostics with them and with ORCHESTRA_FULL_PARSERS=1, and with
 * the variable set the full parsers (`yaml`, Handlebars) really are the ones
 * that run.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { fastPathsEnabled } from '../../../src/manifest/fast/switch.js';
import { loadManifest } from '../../../src/manifest/load.js';

const root = join(import.meta.dirname, '..', '..', '..');

function manifests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return manifests(p);
    return /^orchestra.*\.ya?ml$|\.manifest\.ya?ml$/.test(name) ? [p] : [];
  });
}

async function loadBothWays(file: string): Promise<{ fast: string; full: string }> {
  const shape = async (): Promise<string> => {
    const r = await loadManifest({ files: [file], cwd: root, env: { NODE_ENV: 'test' } });
    return JSON.stringify({ plan: r.plan ? { ...r.plan, origins: r.plan.origins } : null, diagnostics: r.diagnostics });
  };
  const fast = await shape();
  process.env['ORCHESTRA_FULL_PARSERS'] = '1';
  try {
    return { fast, full: await shape() };
  } finally {
    delete process.env['ORCHESTRA_FULL_PARSERS'];
  }
}

t.test('the switch reads the environment', async (t) => {
  t.equal(fastPathsEnabled({}), true);
  t.equal(fastPathsEnabled({ ORCHESTRA_FULL_PARSERS: '0' }), true);
  t.equal(fastPathsEnabled({ ORCHESTRA_FULL_PARSERS: '' }), true);
  t.equal(fastPathsEnabled({ ORCHESTRA_FULL_PARSERS: '1' }), false);
});

t.test('every manifest loads the same both ways', async (t) => {
  const files = [...manifests(join(root, 'examples')), ...manifests(join(root, 'test', 'manifest'))];
  t.ok(files.length >= 5, `${files.length} manifests`);
  for (const file of files) {
    const { fast, full } = await loadBothWays(file);
    t.equal(full, fast, file.slice(root.length + 1));
  }
});

t.test('with the variable set, yaml and Handlebars are loaded; without, neither is', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'orchestra.yaml');
  writeFileSync(file, 'version: 1\nvars: { port: 80 }\nagents:\n  web:\n    command: ["node", "web.js", "{{vars.port}}"]\n');
  const script = `
    const { loadManifest } = await import(${JSON.stringify(join(root, 'dist', 'manifest', 'load.js'))});
    const r = await loadManifest({ files: [${JSON.stringify(file)}] });
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ ok: r.plan !== undefined, yaml: loaded.some((k) => k.includes('/node_modules/yaml/')), handlebars: loaded.some((k) => k.includes('/node_modules/handlebars/')) }));`;
  const run = (env: Record<string, string>): unknown => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
    t.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  t.same(run({ ORCHESTRA_FULL_PARSERS: '0' }), { ok: true, yaml: false, handlebars: false }, 'fast paths');
  t.same(run({ ORCHESTRA_FULL_PARSERS: '1' }), { ok: true, yaml: true, handlebars: true }, 'full parsers');
});
