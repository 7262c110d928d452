import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { alive, fixtureAgents, Project } from './project.js';
import { until } from '../helpers/until.js';


type Status = { agents: { name: string; state: string; pid?: number; restarts: number; type: string }[] };

t.test('a forking agent under the daemon: status shows the daemon pid, kill -9 restarts it, down leaves nothing', async (t) => {
  const p = new Project(
    t,
    [
      'version: 1',
      'name: test',
      'agents:',
      '  svc:',
      '    type: forking',
      `    command: ["node", "${fixtureAgents}daemonize.js", "svc.pid"]`,
      '    pid_file: svc.pid',
      '    restart: { when: always, strategy: immediate }',
      '    stop: { timeout: 5s }',
      '',
    ].join('\n'),
  );
  const applied = p.cli('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  const status = (): Status['agents'][number] => (JSON.parse(p.cli('status', '--json').stdout) as Status).agents[0]!;
  const pidInFile = (): number => Number(readFileSync(join(p.dir, 'svc.pid'), 'utf8'));
  const first = status();
  t.match(first, { name: 'svc', type: 'forking', state: 'running', pid: pidInFile() });
  t.equal(p.pids().svc, first.pid, 'state.json records the daemon, for adoption after a daemon restart');

  process.kill(first.pid!, 'SIGKILL');
  await until(() => {
    const s = status();
    return s.state === 'running' && s.pid !== first.pid && s.pid === pidInFile();
  }, 'the daemon to be started again');
  const second = status();
  t.equal(second.restarts, 1);
  t.ok(alive(second.pid!));

  t.equal(p.cli('down').code, 0);
  t.notOk(alive(second.pid!), 'down leaves nothing');
});
