import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { chooseBoundary } from '../../src/supervise/boundary.js';
import { statePaths } from '../../src/daemon/paths.js';
import { fixtureAgents, foreverManifest, Project } from './project.js';

const here = chooseBoundary(statePaths(join(fixtureAgents, 'no-such-state-dir')), {});
here.cleanup();

t.test('status, status --json and the status page say which boundary holds the agents, and why the fallback', async (t) => {
  const cases = [
    { env: { ORCHESTRA_BOUNDARY: 'tree' }, kind: 'tree', text: /boundary: process tree \(forced by ORCHESTRA_BOUNDARY=tree\)/, page: /process tree <span class="badge badge-warn">fallback<\/span>/ },
    ...(here.info.kind === 'cgroup' ? [{ env: {}, kind: 'cgroup', text: /boundary: cgroup v2 \(\/.*\/orchestra\/orchestra-project-/, page: /<dt>Boundary<\/dt><dd title="[^"]+">cgroup v2 </ }] : []),
  ];
  for (const c of cases) {
    const p = new Project(t, foreverManifest({ a: [] }), c.env);
    t.equal(p.cli('apply', '--yes').code, 0);
    const json = JSON.parse(p.cli('status', '--json').stdout) as { boundary?: { kind: string; reason?: string; path?: string } };
    t.equal(json.boundary?.kind, c.kind, `--json names the ${c.kind} boundary`);
    if (c.kind === 'tree') t.equal(json.boundary?.reason, 'forced by ORCHESTRA_BOUNDARY=tree');
    else t.match(json.boundary?.path, /\/orchestra\/orchestra-project-\w+-[0-9a-f]{12}$/);
    t.match(p.cli('status').stdout, c.text, 'the table says it under the title');
    t.equal(p.cli('page', '-o', 'status.html').code, 0);
    t.match(readFileSync(join(p.dir, 'status.html'), 'utf8'), c.page, 'the page header says it');
  }
});
