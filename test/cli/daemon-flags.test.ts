// The node flags the launcher gives the daemon (src/daemon/daemon-flags.ts): on a daemon started by
// `apply`, on the one that replaces it after a SIGKILL, never on an agent.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { foreverManifest, Project } from './project.js';

const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
const FLAG = '--max-semi-space-size=1';

t.test('ORCHESTRA_DAEMON_NODE_FLAGS reaches the daemon apply starts and the one after a SIGKILL', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }), { ORCHESTRA_DAEMON_NODE_FLAGS: `${FLAG} --stack-trace-limit=7` });
  t.equal(p.cli('apply', '--yes').code, 0);
  const first = p.daemonPid()!;
  const args = cmdline(first);
  t.ok(args.includes(FLAG) && args.includes('--stack-trace-limit=7'), 'the first daemon has both');
  t.ok(args.indexOf(FLAG) < args.findIndex((arg) => arg.endsWith('daemon-main.js')), 'as node flags, before the script');
  process.kill(first, 'SIGKILL');
  t.equal(p.cli('status').code, 0);
  const second = p.daemonPid()!;
  t.not(second, first, 'a new daemon');
  t.ok(cmdline(second).includes(FLAG), 'the new daemon has them too');
});

t.test('without the variable the daemon runs with no node flags', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const args = cmdline(p.daemonPid()!);
  t.match(args[1], /daemon-main\.js$/, 'the script comes right after node');
});
