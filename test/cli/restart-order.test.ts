import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Project } from './project.js';

// Each agent stamps its start and (on SIGTERM) its stop into one shared file; line order is event order.
const stamping = `trap 'echo "stop $NAME" >> stamps; exit 0' TERM; echo "start $NAME" >> stamps; echo up; while :; do sleep 1 & wait $!; done`;

function manifest(): string {
  const agent = (name: string, extra: string[]) => [
    `  ${name}:`,
    `    command: ${JSON.stringify(stamping)}`,
    '    shell: true',
    `    env: { NAME: ${name} }`,
    '    readiness: { log: "^up$", interval: 50ms }',
    '    stop: { timeout: 5s }',
    ...extra.map((l) => `    ${l}`),
  ];
  return [
    'version: 1',
    'name: test',
    'agents:',
    ...agent('db', []),
    ...agent('api', ['depends_on: { db: { condition: ready, restart: true } }']),
    ...agent('web', ['depends_on: { api: { condition: ready, restart: true } }']),
    '',
  ].join('\n');
}

t.test('an apply that restarts db stops its restart: true dependents first and starts them after', async (t) => {
  const p = new Project(t, manifest());
  t.equal(p.cli('apply', '--yes').code, 0);
  const stamps = (): string[] => readFileSync(join(p.dir, 'stamps'), 'utf8').split('\n').filter(Boolean);
  const before = stamps().length;
  t.same(stamps(), ['start db', 'start api', 'start web']);
  // An identity change of db only: its env.
  writeFileSync(p.manifest, readFileSync(p.manifest, 'utf8').replace('env: { NAME: db }', 'env: { NAME: db, LEVEL: "2" }'));
  const plan = p.cli('plan');
  t.match(plan.stdout, /-\/\+ db \(forces restart\)/);
  t.match(plan.stdout, /-\/\+ api \(forces restart: dependency db restarts\)/);
  const applied = p.cli('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  t.same(stamps().slice(before), ['stop web', 'stop api', 'stop db', 'start db', 'start api', 'start web']);
});
