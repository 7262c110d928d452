/**
 * A throwaway project for daemon tests: a temp folder with a manifest, the
 * CLI run inside it, and a teardown that leaves no process behind (down,
 * then SIGKILL of every recorded pid and the daemon, by pid, including a
 * daemon that has not written daemon.pid yet, found by its --state-dir) and
 * fails the test if a daemon or the project's cgroup outlives it.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { assertNoCgroupLeft } from '../helpers/cgroups-left.js';
import { runCli, runCliAsync, type CliResult } from './run-cli.js';

export const fixtureAgents = new URL('../fixtures/agents/', import.meta.url).pathname;

export class Project {
  readonly dir = mkdtempSync(join(tmpdir(), 'orchestra-project-'));
  readonly manifest = join(this.dir, 'orchestra.yaml');
  readonly stateDir = join(this.dir, '.orchestra');

  /** `env` is added to every CLI run (and so to the daemon it starts), e.g. ORCHESTRA_BOUNDARY=tree. */
  constructor(t: Test, yaml?: string, readonly env: Record<string, string> = {}) {
    if (yaml !== undefined) this.write(yaml);
    t.teardown(async () => {
      const survivors = await this.destroy();
      await assertNoCgroupLeft(this.stateDir);
      if (survivors.length > 0) throw new Error(`a daemon of the test outlived its teardown (now killed): pid ${survivors.join(', ')}`);
    });
  }

  /** Writes the manifest. */
  write(yaml: string): void {
    writeFileSync(this.manifest, yaml);
  }

  /** Runs the CLI in the project folder. */
  cli(...args: string[]): CliResult {
    return runCli(args, { cwd: this.dir, env: this.env });
  }

  /** Runs the CLI without blocking. */
  async cliAsync(...args: string[]): Promise<CliResult> {
    return runCliAsync(args, { cwd: this.dir, env: this.env });
  }

  /** The recorded pid of each running instance, from state.json. */
  pids(): Record<string, number> {
    const file = join(this.stateDir, 'state.json');
    if (!existsSync(file)) return {};
    const state = JSON.parse(readFileSync(file, 'utf8')) as { agents: Record<string, { pid: number }> };
    return Object.fromEntries(Object.entries(state.agents).map(([k, v]) => [k, v.pid]));
  }

  /** The daemon's pid, if one was started. */
  daemonPid(): number | undefined {
    const file = join(this.stateDir, 'daemon.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  }

  /**
   * Stops everything this project started, even after a failed test; returns
   * the pids of daemons still running after `down` (killed here), which the
   * teardown reports as a failure.
   */
  async destroy(): Promise<number[]> {
    if (existsSync(this.stateDir)) runCli(['down'], { cwd: this.dir, env: this.env });
    // A daemon that `down` stopped may take a moment to exit.
    const deadline = Date.now() + 5000;
    while (daemonProcesses(this.stateDir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Only pids still recorded now: an old pid may have been reused by a stranger.
    const leftovers = [...Object.values(this.pids()), this.daemonPid()].filter((p): p is number => p !== undefined && alive(p));
    killGroupsAndPids(leftovers);
    const daemon = this.daemonPid();
    // A warm-started daemon may not have written daemon.pid yet: found by its command line, killed by pid.
    const survivors = daemonProcesses(this.stateDir).filter((pid) => pid !== daemon);
    killGroupsAndPids(survivors);
    rmSync(this.dir, { recursive: true, force: true });
    return survivors;
  }
}

function killGroupsAndPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group leader, or already gone
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Live daemon-main processes for `stateDir`, from /proc/<pid>/cmdline (never by name alone). */
export function daemonProcesses(stateDir: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
        const at = argv.indexOf('--state-dir');
        return argv.some((a) => a.endsWith('daemon-main.js')) && at >= 0 && argv[at + 1] === stateDir && alive(Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** True when a process with this pid exists (zombies count as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** A manifest of `forever` agents: `agents` maps name → extra YAML lines for it. */
export function foreverManifest(agents: Record<string, string[]>, header: string[] = []): string {
  const lines = ['version: 1', 'name: test', ...header, 'agents:'];
  for (const [name, extra] of Object.entries(agents)) {
    lines.push(`  ${name}:`, `    command: ["node", "${fixtureAgents}forever.js"]`, '    stop: { timeout: 2s }');
    for (const l of extra) lines.push(`    ${l}`);
  }
  return lines.join('\n') + '\n';
}

/** Every live agent process of a project: forever.js processes whose cwd is the project folder. */
export function projectProcesses(dir: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('forever.js') && readlinkSync(`/proc/${d}/cwd`) === dir && alive(Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

