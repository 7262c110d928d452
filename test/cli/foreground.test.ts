import { spawn } from 'node:child_process';
import t from 'tap';
import { alive, foreverManifest, Project } from './project.js';
import { cliPath } from './run-cli.js';

t.test('apply --foreground stays attached and Ctrl-C brings everything down', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: ['depends_on: { a: started }'] }));
  const child = spawn(process.execPath, [cliPath, 'apply', '--foreground', '--yes'], {
    cwd: p.dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Attached')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never attached:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pids = p.pids();
  t.same(Object.keys(pids).sort(), ['a', 'b']);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGINT');
  t.equal(await exited, 0);
  t.match(out, /Stopping every agent/);
  t.match(out, /b: .*stop/, 'events were shown');
  for (const pid of Object.values(pids)) t.notOk(alive(pid), `pid ${pid} stopped`);
  t.notOk(p.daemonPid() !== undefined && alive(p.daemonPid()!), 'the daemon exited');
});
