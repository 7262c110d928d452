/**
 * A daemon never hangs on (decisions.md): it exits when its state directory
 * is removed under it, when that directory is gone by the time of the go,
 * when the CLI that spawned it ahead goes away without a go, and on SIGTERM.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';

const daemonMain = fileURLToPath(new URL('../../dist/daemon/daemon-main.js', import.meta.url));

/** A warm-started daemon-main for a fresh state directory; killed by pid and its folder removed at teardown. */
function warmDaemon(t: Test): { child: ChildProcess; stateDir: string; exited: Promise<number | null> } {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-daemon-exit-'));
  const stateDir = join(dir, '.orchestra');
  // The CLI creates it before spawning (launcher.ts).
  mkdirSync(stateDir, { mode: 0o700 });
  const child = spawn(process.execPath, [daemonMain, '--state-dir', stateDir, '--wait-for-go'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return { child, stateDir, exited };
}

/** Resolves once `name` exists in `dir`. */
async function appears(dir: string, name: string): Promise<void> {
  if (existsSync(join(dir, name))) return;
  await new Promise<void>((resolve) => {
    const w = watch(dir, () => {
      if (existsSync(join(dir, name))) {
        w.close();
        resolve();
      }
    });
    if (existsSync(join(dir, name))) {
      w.close();
      resolve();
    }
  });
}

t.test('after the go, removing the state directory ends the daemon', async (t) => {
  const d = warmDaemon(t);
  d.child.stdin!.write('go\n');
  await appears(d.stateDir, 'daemon.sock');
  // Moved away at once, then removed: a removal file by file races the daemon's own writes (ENOTEMPTY).
  renameSync(d.stateDir, `${d.stateDir}.gone`);
  rmSync(`${d.stateDir}.gone`, { recursive: true, force: true });
  // Its files are gone with the folder, so closing may fail: that it exits by itself is what counts.
  t.type(await d.exited, 'number', 'exited on its own, not by a signal');
  t.notOk(existsSync(d.stateDir), 'not recreated');
});

t.test('a state directory gone by the time of the go is not recreated', async (t) => {
  const d = warmDaemon(t);
  rmSync(d.stateDir, { recursive: true, force: true });
  d.child.stdin!.end('go\n');
  t.equal(await d.exited, 0);
  t.notOk(existsSync(d.stateDir));
});

t.test('the CLI going away before the go ends the daemon', async (t) => {
  const d = warmDaemon(t);
  d.child.stdin!.end();
  t.equal(await d.exited, 0);
  t.notOk(existsSync(join(d.stateDir, 'daemon.pid')));
});

t.test('SIGTERM ends a running daemon and it removes its socket and pid files', async (t) => {
  const d = warmDaemon(t);
  d.child.stdin!.write('go\n');
  await appears(d.stateDir, 'daemon.sock');
  d.child.kill('SIGTERM');
  t.equal(await d.exited, 0);
  t.notOk(existsSync(join(d.stateDir, 'daemon.sock')));
  t.notOk(existsSync(join(d.stateDir, 'daemon.pid')));
});
