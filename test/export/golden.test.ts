/**
 * Golden outputs of examples/quickstart for every target, compared exactly.
 * Paths are made stable by moving the loaded Plan to /srv/quickstart, and
 * programs resolve to fixed paths. Regenerate with ORCHESTRA_UPDATE_GOLDEN=1.
 */

import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { EXPORTERS, EXPORT_TARGETS, type ExportOptions } from '../../src/export/index.js';
import type { Diagnostic } from '../../src/util/diagnostic.js';
import { loadManifest } from '../../src/manifest/load.js';
import type { Plan } from '../../src/plan/spec.js';
import { composeValidator } from './fixtures/compose-schema.js';
import { validateObject } from './fixtures/k8s-models.js';
import { systemdVersion, verifyUnits } from './fixtures/systemd-verify.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const manifest = path.join(repo, 'examples/quickstart/orchestra.yaml');
const goldenDir = path.join(here, 'golden/quickstart');
const update = process.env['ORCHESTRA_UPDATE_GOLDEN'] === '1';
const STABLE_BASE = '/srv/quickstart';

const options: ExportOptions = {
  image: 'node:20-alpine',
  resolveProgram: (p) => ({ node: '/usr/bin/node', sh: '/bin/sh' })[p],
};

/** The Plan as if the project lived in /srv/quickstart. */
function relocate(plan: Plan): Plan {
  const move = (p: string): string => (p === plan.baseDir || p.startsWith(plan.baseDir + path.sep) ? STABLE_BASE + p.slice(plan.baseDir.length) : p);
  return {
    ...plan,
    baseDir: STABLE_BASE,
    files: plan.files.map(move),
    instances: plan.instances.map((i) => ({ ...i, cwd: move(i.cwd), envFiles: i.envFiles.map(move) })),
  };
}

/** One line per diagnostic, with the location relative to the repository. */
function warningLines(ds: readonly Diagnostic[]): string {
  return ds
    .map((d) => {
      const where = d.location ? `${path.relative(repo, d.location.file)}${d.location.range ? `:${d.location.range.start.line}:${d.location.range.start.column}` : ''}` : '-';
      return `${d.severity} ${d.code} ${where} ${d.message}`;
    })
    .join('\n') + '\n';
}

const loaded = await loadManifest({ files: [manifest], env: {}, cwd: repo });

t.test('quickstart loads', async (t) => {
  t.same(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  t.ok(loaded.plan);
});

for (const target of EXPORT_TARGETS) {
  t.test(`${target} golden`, async (t) => {
    if (!loaded.plan) {
      t.fail('the quickstart manifest did not load');
      return;
    }
    const result = EXPORTERS[target](relocate(loaded.plan), options);
    const outputs = [...result.files, { path: 'warnings.txt', content: warningLines(result.warnings) }];
    const dir = path.join(goldenDir, target);
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const f of outputs) writeFileSync(path.join(dir, f.path), f.content);
    }
    t.same(readdirSync(dir).sort(), outputs.map((f) => f.path).sort(), 'the same files');
    for (const f of outputs) t.equal(f.content, readFileSync(path.join(dir, f.path), 'utf8'), `${target}/${f.path} matches its golden`);
    t.notOk(result.warnings.some((w) => w.severity === 'error'), 'no export errors');
    t.notOk(outputs.some((f) => f.content.includes(repo)), 'no machine-specific path');

    // The goldens themselves pass each target's validator.
    if (target === 'kubernetes') {
      for (const d of parseAllDocuments(result.files[0]!.content)) t.doesNotThrow(() => validateObject(d.toJS()));
    } else if (target === 'compose') {
      const validate = composeValidator();
      t.ok(validate(parse(result.files[0]!.content)), JSON.stringify(validate.errors));
    } else if (target === 'systemd') {
      const version = await systemdVersion();
      if (version === undefined) {
        t.pass('skipped: systemd-analyze is not installed', { skip: true });
      } else {
        const verified = await verifyUnits(t.testdir({}), result.files);
        const unexpected = verified.problems.filter((l) => !(version < 254 && /Unknown key '(RestartSteps|RestartMaxDelaySec)'/.test(l)));
        t.same(unexpected, [], 'systemd-analyze verify finds nothing beyond the documented backoff keys');
      }
    } else {
      const job = JSON.parse(result.files[0]!.content);
      t.equal(job.Job.TaskGroups[0].Tasks[0].Driver, 'raw_exec');
    }
  });
}
