/**
 * The plan of a rollback cites lines of the manifest as revision N had it,
 * and says so: the file on disk has moved on, and a bare `orchestra.yaml:7:18`
 * would point at whatever that line holds now.
 */

import t from 'tap';
import { fixtureAgents, Project } from './project.js';

const revision1 = ['version: 1', 'name: rb', 'agents:', '  web:', `    command: ["node", "${fixtureAgents}forever.js"]`, '    stop: { timeout: 2s }', '    env: { PORT: "1" }', ''];
const revision2 = ['version: 1', 'name: rb', '# two lines that move', '# everything down', 'agents:', '  web:', `    command: ["node", "${fixtureAgents}forever.js"]`, '    stop: { timeout: 2s }', '    env: { PORT: "2", EXTRA: "x" }', ''];

t.test('a rollback plan names the revision its lines come from', async (t) => {
  const p = new Project(t, revision1.join('\n'));
  t.equal(p.cli('apply', '--yes').code, 0);
  p.write(revision2.join('\n'));
  t.equal(p.cli('apply', '--yes').code, 0);

  // Not a terminal and no --yes: the plan is shown and nothing is applied.
  const rollback = p.cli('rollback', '1');
  t.match(rollback.stdout, /env\.PORT: "2" -> "1"  \(revision 1: orchestra\.yaml:7:18\)/, 'the origin is line 7 of revision 1');
  t.notMatch(rollback.stdout, /\(orchestra\.yaml:/, 'no origin reads as a line of the current file');

  const diff = p.cli('diff', '2', '1');
  t.match(diff.stdout, /\(revision 1: orchestra\.yaml:7:18\)/);
  const json = JSON.parse(p.cli('diff', '2', '1', '--json').stdout) as { actions: { fields: { path: string; origin: unknown }[] }[] };
  const port = json.actions.flatMap((a) => a.fields).find((f) => f.path === 'env.PORT');
  t.same(port?.origin, { file: 'orchestra.yaml', line: 7, column: 18, revision: 1 });

  // Against the manifest on disk, the origins are that file's lines and carry no revision.
  const current = p.cli('diff', '1');
  t.match(current.stdout, /env\.PORT: "1" -> "2"  \(orchestra\.yaml:9:18\)/);
});
