/**
 * Running orchestra as a non-root user for real, for the tests of delegated
 * cgroups: a throwaway system user, a cgroup delegated to it the way
 * systemd's `Delegate=yes` does (the directory and its cgroup.procs,
 * cgroup.subtree_control and cgroup.threads chowned to the user), a project
 * folder it owns, and the built CLI run as it (`setpriv`) from inside a
 * given cgroup. Every teardown kills the user's processes by pid, removes
 * the cgroups bottom-up and deletes the user, even after a failed test.
 * Needs root; `canRunAsUser` says why not otherwise.
 */

import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { cgroup2Mount } from '../../src/supervise/cgroup-fs.js';
import { cliPath, type CliResult } from './run-cli.js';

/** Why these tests cannot run here (not root, no cgroup2 mount, no useradd/setpriv), or false. */
export function canRunAsUser(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a user and delegate a cgroup';
  if (!cgroup2Mount()) return 'no cgroup v2 mount';
  for (const tool of ['useradd', 'userdel', 'setpriv']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not found`;
  }
  return false;
}

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
}

let users = 0;

/** A new system user without a home, deleted (with every process it still has) at teardown. */
export function testUser(t: Test): TestUser {
  const name = `orchdlg${process.pid}x${users++}`;
  const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', name], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`useradd ${name}: ${made.stderr}`);
  const ids = /^[^:]*:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`)) ?? '');
  const user = { name, uid: Number(ids![1]), gid: Number(ids![2]) };
  t.teardown(async () => {
    await killUserProcesses(user.uid);
    spawnSync('userdel', [name]);
  });
  return user;
}

/** SIGKILLs every process of the uid, by pid, and waits until none is left (bounded). */
export async function killUserProcesses(uid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids = processesOf(uid);
    if (pids.length === 0 || Date.now() > deadline) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The user's processes (pid and command line) still alive once they had up to 10 s to exit (a daemon answers `down` before it exits). */
export async function leftOf(uid: number): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (processesOf(uid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return processesOf(uid).map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
    } catch {
      return `${pid}`;
    }
  });
}

/** The live (not zombie) processes whose real uid is `uid`. */
export function processesOf(uid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status) && !/^State:\s+Z/m.test(status)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A cgroup under the v2 mount, removed with everything below it at teardown (its processes killed through cgroup.kill). */
export function testCgroup(t: Test, name: string): string {
  const dir = join(cgroup2Mount()!, name);
  mkdirSync(dir);
  t.teardown(() => removeCgroupTree(dir));
  return dir;
}

/** Hands a cgroup to the user as systemd's Delegate=yes does: the directory and the three files that let it manage its subtree. */
export function delegate(dir: string, user: TestUser): void {
  for (const f of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) chownSync(join(dir, f), user.uid, user.gid);
}

/** Kills everything in a cgroup tree and removes it bottom-up; waits (bounded) for its processes to go. */
export async function removeCgroupTree(dir: string): Promise<void> {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    return; // gone already
  }
  const deadline = Date.now() + 10_000;
  while (/^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8')) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const remove = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) remove(join(d, e.name));
    rmdirSync(d);
  };
  remove(dir);
}

/** The cgroup directories below `dir` (relative paths), deepest last. */
export function cgroupsBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      out.push(join(rel, e.name));
      walk(join(d, e.name), join(rel, e.name));
    }
  };
  walk(dir, '');
  return out;
}

/** A project folder owned by the user, with its manifest; removed at teardown. */
export function userProject(t: Test, user: TestUser, manifest: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-dlg-'));
  writeFileSync(join(dir, 'orchestra.yaml'), manifest);
  chownSync(dir, user.uid, user.gid);
  chownSync(join(dir, 'orchestra.yaml'), user.uid, user.gid);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The argv and env that run `orchestra ...args` as the user, started from inside `cgroup` when given (root moves the shell there, then drops to the user). */
function asUser(user: TestUser, dir: string, args: string[], options: RunOptions): { argv: string[]; env: Record<string, string> } {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NO_COLOR: '1', ...options.env };
  const move = options.cgroup ? `echo $$ > '${options.cgroup}/cgroup.procs' && ` : '';
  // In a mount namespace of its own, where the cgroup2 mount is gone: as on a host without cgroup v2.
  const hide = options.noCgroup2 ? `umount -l '${cgroup2Mount()}' && ` : '';
  // tap's process tracking adds NODE_OPTIONS to every child; as the user it could not write its records.
  const script = `${move}${hide}exec setpriv --reuid=${user.uid} --regid=${user.gid} --init-groups -- env -u NODE_OPTIONS "$@"`;
  const sh = ['sh', '-c', script, 'as-user', process.execPath, cliPath, ...args];
  return { argv: options.noCgroup2 ? ['unshare', '-m', '--propagation', 'private', ...sh] : sh, env };
}

export interface RunOptions {
  /** A cgroup to start the CLI in; else the test's own. */
  cgroup?: string;
  /** Added to a minimal environment (PATH, HOME, NO_COLOR). */
  env?: Record<string, string>;
  /** Run without a cgroup2 mount in sight (a private mount namespace where it is unmounted). */
  noCgroup2?: boolean;
}

/** Runs `orchestra ...args` as the user in `dir` (see asUser). */
export function runAsUser(user: TestUser, dir: string, args: string[], options: RunOptions = {}): CliResult {
  const { argv, env } = asUser(user, dir, args, options);
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like runAsUser without blocking the test's event loop (for a test that serves requests meanwhile). */
export function runAsUserAsync(user: TestUser, dir: string, args: string[], options: RunOptions = {}): Promise<CliResult> {
  const { argv, env } = asUser(user, dir, args, options);
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
