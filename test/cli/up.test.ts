import { spawn } from 'node:child_process';
import t from 'tap';
import { alive, foreverManifest, Project } from './project.js';
import { cliPath } from './run-cli.js';

t.test('up runs the daemon runtime: status and stop work from another terminal, apply and a second up are told who holds the lock, down ends it', async (t) => {
  const p = new Project(t, foreverManifest({ a: [], b: ['depends_on: { a: started }'] }));
  const child = spawn(process.execPath, [cliPath, 'up'], { cwd: p.dir, env: { ...process.env, NO_COLOR: '1' } });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  while (Object.keys(p.pids()).length < 2 || !/b +\| ▶ started/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never started:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const status = await p.cliAsync('status', '--json');
  t.equal(status.code, 0, status.stderr);
  const snapshot = JSON.parse(status.stdout) as { daemon: { pid: number }; instances?: { name: string; state: string }[] };
  t.equal(snapshot.daemon.pid, child.pid, 'status is answered by the up process');
  t.match(status.stdout, /"running"/);

  const apply = await p.cliAsync('apply', '--yes');
  t.equal(apply.code, 1);
  t.match(apply.stderr, new RegExp(`locked by pid ${child.pid} \\(orchestra up`));
  const second = await p.cliAsync('up');
  t.equal(second.code, 1);
  t.match(second.stderr, new RegExp(`locked by pid ${child.pid} \\(orchestra up`));

  const history = await p.cliAsync('history');
  t.match(history.stdout, /^\s+1\s/m, 'up recorded a revision');

  const stop = await p.cliAsync('stop', 'b');
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.stdout, /stopped: b/);

  const pids = p.pids();
  const down = await p.cliAsync('down');
  t.equal(down.code, 0, down.stderr);
  t.equal(await exited, 0, 'up exits 0 after down');
  for (const pid of Object.values(pids)) t.notOk(alive(pid), `pid ${pid} stopped`);
  t.notOk(p.daemonPid(), 'daemon.pid is released');
});
