import t from 'tap';
import { alive, foreverManifest, Project, projectProcesses } from './project.js';

t.test('kill -9 of the daemon: agents live on and are re-adopted, no duplicates', async (t) => {
  const agents: Record<string, string[]> = {};
  for (let i = 0; i < 20; i++) agents[`a${i}`] = [];
  const p = new Project(t, foreverManifest(agents));
  t.equal(p.cli('apply', '--yes').code, 0);
  const before = p.pids();
  t.equal(Object.keys(before).length, 20);
  const daemon = p.daemonPid()!;
  process.kill(daemon, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  for (const pid of Object.values(before)) t.ok(alive(pid), `pid ${pid} survived the daemon`);
  const status = p.cli('status', '--json');
  t.equal(status.code, 0, status.stderr);
  const snapshot = JSON.parse(status.stdout) as { agents: { name: string; pid?: number; state: string }[] };
  t.not(p.daemonPid(), daemon, 'a new daemon');
  t.same(
    Object.fromEntries(snapshot.agents.map((a) => [a.name, a.pid])),
    before,
    'the same 20 pids',
  );
  t.equal(projectProcesses(p.dir).length, 20, 'no duplicate processes');
});
