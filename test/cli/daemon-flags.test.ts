// The node flags the launcher gives the daemon (src/daemon/daemon-flags.ts): on a daemon started by
// `apply`, on the one that replaces it after a SIGKILL, never on an agent; lite mode by default.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

t.test('without the variable the daemon runs in lite mode, with no WebAssembly warning in its log', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }));
  t.equal(p.cli('apply', '--yes').code, 0);
  const pid = p.daemonPid()!;
  const args = cmdline(pid);
  t.same(args.slice(1, 6), ['--lite-mode', '--no-expose-wasm', '--no-memory-reducer-for-small-heaps', '--memory-reducer-single-gc', '--single-threaded-gc'], 'the defaults come right after node');
  t.match(args[6], /daemon-main\.js$/, 'then the script');
  t.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /State:\s+[SR]/, 'the daemon runs');
  t.equal(p.cli('status').code, 0, 'and answers');
  const log = join(p.stateDir, 'daemon.log');
  t.notMatch(existsSync(log) ? readFileSync(log, 'utf8') : '', /Warning|disabling flag/, 'V8 printed nothing about its flags');
  const agent = p.pids()['a']!;
  t.notMatch(readFileSync(`/proc/${agent}/environ`, 'utf8'), /lite-mode|expose-wasm/, "the agent's environment carries none of them");
  t.notMatch(cmdline(agent).join(' '), /lite-mode/, 'nor its command line');
});

t.test('--no-lite-mode in the variable turns the default off (it comes later)', async (t) => {
  const p = new Project(t, foreverManifest({ a: [] }), { ORCHESTRA_DAEMON_NODE_FLAGS: '--no-lite-mode' });
  t.equal(p.cli('apply', '--yes').code, 0);
  const args = cmdline(p.daemonPid()!);
  t.ok(args.indexOf('--no-lite-mode') > args.indexOf('--lite-mode'), 'after the default');
  t.equal(p.cli('status').code, 0, 'the daemon answers');
});
