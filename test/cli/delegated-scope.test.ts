import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DEFAULT_DAEMON_NODE_FLAGS } from '../../src/daemon/daemon-flags.js';
import { cgroup2Mount } from '../../src/supervise/cgroup-fs.js';
import { alive, fixtureAgents } from './project.js';
import { canRunAsUser, cgroupsBelow, delegate, leftOf, runAsUserAsync, testCgroup, testUser, userProject, type TestUser } from './delegated-user.js';
import { cliPath } from './run-cli.js';
import { tempDir } from '../supervise/spec-helper.js';

// The launcher's systemd-run path, as a non-root user whose own cgroup is not writable. The real
// `systemd-run --user` is NOT available on this machine (PID 1 is not systemd, there is no user manager), so a
// `systemd-run` on PATH emulates a scope with Delegate=yes: it asks this test (root) to create a cgroup for the
// unit, delegate it to the user and move the caller into it, then execs the command as `systemd-run --scope` does.
const skip = canRunAsUser();

const manifest = ['version: 1', 'name: dlg', 'agents:', '  d:', `    command: ["node", "${fixtureAgents}double-fork.js"]`, '    stop: { timeout: 2s }', ''].join('\n');

/** The stand-in `systemd-run`: records its arguments, has root make the scope, execs the command in it. */
function fakeSystemdRun(dir: string): string {
  return `#!/bin/sh
printf '%s\\n' "$*" >> '${dir}/calls'
unit=
while [ $# -gt 0 ]; do
  case $1 in
    --unit) unit=$2; shift 2 ;;
    --unit=*) unit=\${1#--unit=}; shift ;;
    -p) shift 2 ;;
    --) shift; break ;;
    *) shift ;;
  esac
done
[ -n "$unit" ] || unit=run-u$$
node -e 'const c = require("net").connect(process.argv[1]); c.end(process.argv[2] + " " + process.argv[3] + "\\n");
  let a = ""; c.on("data", (d) => (a += d)); c.on("close", () => process.exit(a.startsWith("ok") ? 0 : 1)); c.on("error", () => process.exit(1));' \\
  '${dir}/helper.sock' $$ "$unit" || { echo "Failed to start transient scope unit: emulation refused" >&2; exit 1; }
exec "$@"
`;
}

/** A folder with the stand-in as bin/systemd-run and the `calls` file it appends to (writable by the user). */
function fakeSystemdRunDir(t: Test, user: TestUser): string {
  const fake = tempDir(t);
  chmodSync(fake, 0o755);
  mkdirSync(join(fake, 'bin'));
  writeFileSync(join(fake, 'bin', 'systemd-run'), fakeSystemdRun(fake), { mode: 0o755 });
  writeFileSync(join(fake, 'calls'), '');
  chownSync(join(fake, 'calls'), user.uid, user.gid);
  return fake;
}

/** The root side of the emulation: a unix socket on which the fake asks for `<slice>/<unit>.scope`, delegated to the user, with its pid in it. */
async function scopeHelper(t: Test, dir: string, slice: string, user: TestUser): Promise<void> {
  const server = createServer((sock) => {
    let got = '';
    sock.on('data', (d) => {
      got += String(d);
      if (!got.includes('\n')) return;
      const [pid, unit] = got.trim().split(' ');
      try {
        if (!/^\d+$/.test(pid ?? '') || !/^[A-Za-z0-9_.-]+$/.test(unit ?? '')) throw new Error(`bad request ${got}`);
        const scope = join(slice, `${unit}.scope`);
        mkdirSync(scope);
        delegate(scope, user);
        writeFileSync(join(scope, 'cgroup.procs'), pid!);
        sock.end('ok\n');
      } catch (e) {
        sock.end(`error ${(e as Error).message}\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(join(dir, 'helper.sock'), r));
  chmodSync(join(dir, 'helper.sock'), 0o777);
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
}

t.test('(c) not root, own cgroup not writable, systemd-run works: the daemon starts in a delegated scope and uses it', { skip }, async (t) => {
  const user = testUser(t);
  const slice = testCgroup(t, `orchestra-test-scope-${process.pid}`);
  const fake = fakeSystemdRunDir(t, user);
  // A user manager's slice is the user's own, so a daemon may move between its scopes.
  delegate(slice, user);
  await scopeHelper(t, fake, slice, user);
  const dir = userProject(t, user, manifest);
  const env = { PATH: `${fake}/bin:${process.env.PATH ?? '/usr/bin:/bin'}` };
  const run = (...args: string[]) => runAsUserAsync(user, dir, args, { env });

  const applied = await run('apply', '--yes');
  t.equal(applied.code, 0, applied.stderr);
  const calls = readFileSync(join(fake, 'calls'), 'utf8').trim().split('\n');
  t.equal(calls.length, 2, 'asked once whether scopes work, then started the daemon');
  t.equal(calls[0], '--user --scope -p Delegate=yes --quiet --collect -- true');
  const daemonMain = join(cliPath, '..', '..', 'daemon', 'daemon-main.js');
  const launched = new RegExp(`^--user --scope -p Delegate=yes --quiet --collect --unit (orchestra-orchestra-dlg-\\w+-[0-9a-f]{12}-[0-9a-z]+) -- ${process.execPath} ${[...DEFAULT_DAEMON_NODE_FLAGS, daemonMain].join(' ')} --state-dir ${dir}/.orchestra --wait-for-go$`).exec(calls[1]!);
  t.ok(launched, `the daemon's argv: ${calls[1]}`);
  const scope = join(slice, `${launched?.[1]}.scope`);

  const status = JSON.parse((await run('status', '--json')).stdout) as { boundary?: { kind: string; path?: string; delegated?: string } };
  t.match(status.boundary, { kind: 'cgroup', delegated: scope }, `the daemon found itself in a delegated subtree: ${JSON.stringify(status.boundary)}`);
  t.match(status.boundary?.path, `${scope}/orchestra/orchestra-dlg-`);
  const daemon = Number(readFileSync(join(dir, '.orchestra', 'daemon.pid'), 'utf8'));
  t.match(readFileSync(`/proc/${daemon}/cgroup`, 'utf8'), `\n0::${scope.slice(cgroup2Mount()!.length)}\n`, 'the daemon runs in the scope');
  const escape = await waitForEscape(dir);
  t.ok(alive(escape));
  t.match(readFileSync(`/proc/${escape}/cgroup`, 'utf8'), `${scope.slice(cgroup2Mount()!.length)}/orchestra/`, 'the escape is held below the scope');

  // The daemon dies; the next one starts in a new scope and moves back into the one holding the agents.
  process.kill(daemon, 'SIGKILL');
  while (alive(daemon)) await new Promise((r) => setTimeout(r, 20));
  const again = JSON.parse((await run('status', '--json')).stdout) as { boundary?: { delegated?: string }; agents: { state: string }[] };
  const calls2 = readFileSync(join(fake, 'calls'), 'utf8').trim().split('\n');
  t.equal(calls2.length, 4, 'the new daemon was started through systemd-run too');
  t.match(again, { boundary: { delegated: scope }, agents: [{ state: 'running' }] }, 'in the first scope again, the agent adopted');
  const daemon2 = Number(readFileSync(join(dir, '.orchestra', 'daemon.pid'), 'utf8'));
  t.match(readFileSync(`/proc/${daemon2}/cgroup`, 'utf8'), `\n0::${scope.slice(cgroup2Mount()!.length)}\n`, 'the new daemon moved into it');
  t.match(readFileSync(join(dir, '.orchestra', 'daemon.log'), 'utf8'), `joined the scope of an earlier daemon, which still holds agents: ${scope}`);
  t.equal((await run('stop', 'd')).code, 0);
  t.notOk(alive(escape), 'stop through the rejoined cgroup ended the escape');

  const down = await run('down');
  t.equal(down.code, 0, down.stderr);
  t.notOk(alive(escape), 'down ended the escape');
  t.same(cgroupsBelow(scope), [], 'nothing left below the scope');
  t.same(cgroupsBelow(slice).filter((c) => c.includes('/')), [], 'nor below the second one');
  t.same(await leftOf(user.uid), [], 'no process of the user left');
});

async function waitForEscape(dir: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const log = join(dir, '.orchestra', 'logs', 'd.log');
    const m = existsSync(log) ? /daemon (\d+)/.exec(readFileSync(log, 'utf8')) : null;
    if (m) return Number(m[1]);
    if (Date.now() > deadline) throw new Error('the agent printed no daemon line');
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('(d) without a cgroup v2 mount a scope cannot help: systemd-run is not asked, and the reason says what is missing', { skip }, async (t) => {
  const user = testUser(t);
  const fake = fakeSystemdRunDir(t, user);
  const dir = userProject(t, user, manifest);
  const options = { env: { PATH: `${fake}/bin:${process.env.PATH ?? '/usr/bin:/bin'}` }, noCgroup2: true };
  const applied = await runAsUserAsync(user, dir, ['apply', '--yes'], options);
  t.equal(applied.code, 0, applied.stderr);
  const status = JSON.parse((await runAsUserAsync(user, dir, ['status', '--json'], options)).stdout) as { boundary?: { kind: string; reason?: string } };
  t.same(status.boundary, { kind: 'tree', reason: 'no cgroup v2 mount in /proc/mounts' });
  t.equal(readFileSync(join(fake, 'calls'), 'utf8'), '', 'systemd-run was not asked');
  t.equal((await runAsUserAsync(user, dir, ['down'], options)).code, 0);
  t.same(await leftOf(user.uid), [], 'no process of the user left');
});
