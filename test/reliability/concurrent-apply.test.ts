/**
 * Ten applies at once, each with a different manifest (agent `m<i>` only),
 * all with `--lock-timeout 120s`: every one succeeds, they take the lock one
 * after another (ten consecutive revisions), and the manifest of the apply
 * that got the highest revision is exactly what runs at the end.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { foreverManifest, Project, projectProcesses } from '../cli/project.js';

const N = 10;

t.test('concurrent applies serialize and the last to take the lock wins', async (t) => {
  const p = new Project(t);
  for (let i = 0; i < N; i++) writeFileSync(join(p.dir, `m${i}.yaml`), foreverManifest({ [`m${i}`]: [] }).replace('name: test', 'name: conc'));
  const runs = await Promise.all(Array.from({ length: N }, (_, i) => p.cliAsync('apply', '--yes', '--lock-timeout', '120s', '-f', `m${i}.yaml`)));
  runs.forEach((r, i) => t.equal(r.code, 0, `apply m${i} ${r.stderr}`));
  const revisions = runs.map((r) => Number(/revision (\d+)/.exec(r.stdout)?.[1]));
  t.same([...revisions].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i + 1), 'ten consecutive revisions, one per apply');
  const last = revisions.indexOf(N);
  t.comment(`lock order: ${[...revisions.keys()].sort((a, b) => revisions[a]! - revisions[b]!).map((i) => `m${i}`).join(' → ')}`);
  t.same(Object.keys(p.pids()), [`m${last}`], `only m${last} (the last apply) is recorded`);
  const status = JSON.parse(p.cli('status', '--json').stdout) as { agents: { name: string; state: string }[] };
  t.same(
    status.agents.map((a) => [a.name, a.state]),
    [[`m${last}`, 'running']],
    'the daemon runs exactly the last manifest',
  );
  t.equal(projectProcesses(p.dir).length, 1, 'one agent process, nothing left from earlier applies');
});
