import { join } from 'node:path';
import t from 'tap';
import { daemonLaunch, scopeUnit } from '../../src/daemon/delegated-scope.js';
import { chooseBoundary } from '../../src/supervise/boundary.js';
import { statePaths } from '../../src/daemon/paths.js';

// The launcher's decision. As root (this machine's CI) the daemon can create cgroups, so no scope is ever wanted;
// the non-root branches run for real in test/cli/delegated-cgroup.test.ts and delegated-scope.test.ts.
const stateDir = join(import.meta.dirname, 'no-such-project', '.orchestra');
const daemon = ['/usr/bin/node', '/x/daemon-main.js', '--state-dir', stateDir];

t.test('where the daemon can create cgroups (root here) or the tree is forced, it starts as is and systemd-run is not asked', async (t) => {
  const asked: string[] = [];
  const check = () => (asked.push('asked'), undefined);
  const here = chooseBoundary(statePaths(stateDir), {});
  here.cleanup();
  if (here.info.kind === 'cgroup') t.same(daemonLaunch(stateDir, daemon, { A: '1' }, check), { argv: daemon, env: { A: '1' } });
  t.same(daemonLaunch(stateDir, daemon, { ORCHESTRA_BOUNDARY: 'tree' }, check), { argv: daemon, env: { ORCHESTRA_BOUNDARY: 'tree' } });
  t.same(asked, []);
});

t.test('a stale reason in the caller’s environment is never handed on', async (t) => {
  const launch = daemonLaunch(stateDir, daemon, { ORCHESTRA_BOUNDARY: 'tree', ORCHESTRA_NO_SCOPE_REASON: 'old' });
  t.same(launch.env, { ORCHESTRA_BOUNDARY: 'tree' });
});

t.test('the unit name: the project cgroup name in unit-name characters, and a start stamp', async (t) => {
  t.match(scopeUnit('/srv/my app/.orchestra', 1_700_000_000_000), /^orchestra-my_20app-[0-9a-f]{12}-loyw3v28$/);
});
