/**
 * How the launcher starts the daemon so that it can hold each agent in a
 * cgroup: as it is when it can create cgroups already (root, or inside a
 * delegated subtree); else, when `systemd-run --user` works, inside a
 * transient user scope with `Delegate=yes`, where the daemon finds its own
 * cgroup writable (cgroup-boundary.ts); else as it is, handing the daemon
 * what failed so its fallback reason names it. `ORCHESTRA_SYSTEMD_RUN=0`
 * turns the scope off. Owns that decision and the argv (spawning only the
 * one `systemd-run … -- true` that asks whether scopes work here), and the
 * daemon's move back into the scope an earlier daemon of the project left
 * its agents in.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BOUNDARY_VAR, NO_SCOPE_VAR } from '../supervise/boundary.js';
import { cgroupBoundary, NOT_WRITABLE, projectCgroupName } from '../supervise/cgroup-boundary.js';
import { cgroup2Mount, moveInto, ownCgroup, populated } from '../supervise/cgroup-fs.js';
import { deferExtraCa } from '../util/deferred-ca.js';

/** Set to `0`, `no`, `off` or `false` to never start the daemon through systemd-run. */
export const SYSTEMD_RUN_VAR = 'ORCHESTRA_SYSTEMD_RUN';

/** The systemd-run options that make a scope whose cgroup is handed to the caller (systemd-run(1), systemd.resource-control(5)). */
const SCOPE_ARGS = ['--user', '--scope', '-p', 'Delegate=yes', '--quiet', '--collect'];

/** What the launcher runs: `argv[0]` with the rest, in `env`. */
export interface DaemonLaunch {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** The scope's unit name when started through systemd-run. */
  unit?: string;
}

/** What `systemd-run --user --scope -p Delegate=yes -- true` answered: undefined when it worked, else what failed. */
export type ScopeCheck = () => string | undefined;

/**
 * How to start the daemon `daemonArgv` for `stateDir`: in a delegated user
 * scope when the daemon could not create cgroups where it is and systemd-run
 * works, otherwise as given (with the reason in NO_SCOPE_VAR when a scope
 * would have been wanted).
 */
export function daemonLaunch(stateDir: string, daemonArgv: readonly string[], env: NodeJS.ProcessEnv, check: ScopeCheck = checkScope): DaemonLaunch {
  // The daemon reads NODE_EXTRA_CA_CERTS on its first https request, not at its start (deferred-ca.ts).
  const plain = deferExtraCa({ ...env });
  delete plain[NO_SCOPE_VAR];
  const direct = (reason?: string): DaemonLaunch => ({ argv: [...daemonArgv], env: reason === undefined ? plain : { ...plain, [NO_SCOPE_VAR]: reason } });
  if (env[BOUNDARY_VAR] === 'tree' || process.getuid?.() === 0) return direct();
  // The daemon inherits this process's cgroup: if a cgroup can be made here, it can there.
  const here = cgroupBoundary(stateDir);
  // A scope helps only where cgroup v2 is usable but not writable here (not without a mount, nor without cgroup.kill).
  if (here.ok || !here.error.startsWith(NOT_WRITABLE)) return direct();
  if (/^(0|no|off|false)$/i.test(env[SYSTEMD_RUN_VAR] ?? '')) return direct(`systemd-run not tried (${SYSTEMD_RUN_VAR}=${env[SYSTEMD_RUN_VAR]})`);
  const failed = check();
  if (failed !== undefined) return direct(failed);
  const unit = scopeUnit(stateDir, Date.now());
  return { argv: ['systemd-run', ...SCOPE_ARGS, '--unit', unit, '--', ...daemonArgv], env: plain, unit };
}

/**
 * The scope's unit name: the project's cgroup name in the characters unit
 * names allow, and a start stamp, because the scope of an earlier daemon
 * lives on while its agents run and a unit name cannot be taken twice.
 */
export function scopeUnit(stateDir: string, now: number): string {
  return `${scopePrefix(stateDir)}${now.toString(36)}`;
}

/** What every scope unit of this state directory's daemons starts with. */
function scopePrefix(stateDir: string): string {
  return `orchestra-${projectCgroupName(stateDir).replace(/[^A-Za-z0-9_.-]/g, '_')}-`;
}

/**
 * Run by a daemon started in a new scope: when an earlier daemon of the same
 * project died and left its agents in its own scope (a sibling of ours),
 * moves this process into that scope, so the project keeps one cgroup tree
 * and the agents are found, stopped and swept through it. Returns the scope
 * joined, or undefined when there is none or the move is not permitted
 * (then the agents are adopted through state.json or the spawn ledger).
 */
export function rejoinEarlierScope(stateDir: string): string | undefined {
  const mount = cgroup2Mount();
  const own = ownCgroup();
  if (process.getuid?.() === 0 || mount === undefined || own === undefined) return undefined;
  const ownDir = join(mount, own);
  const prefix = scopePrefix(stateDir);
  const isOurs = (name: string): boolean => name.startsWith(prefix) && name.endsWith('.scope');
  if (!isOurs(basename(ownDir))) return undefined;
  let siblings: string[];
  try {
    siblings = readdirSync(dirname(ownDir));
  } catch {
    return undefined;
  }
  for (const name of siblings) {
    const scope = join(dirname(ownDir), name);
    if (scope === ownDir || !isOurs(name) || !populated(join(scope, 'orchestra', projectCgroupName(stateDir)))) continue;
    try {
      // Needs write access to the parent's cgroup.procs: a user manager's slice is the user's.
      moveInto(scope, process.pid);
      return scope;
    } catch {
      // Not permitted here: try the next, else stay.
    }
  }
  return undefined;
}

/** Runs `systemd-run --user --scope -p Delegate=yes -- true`: undefined when it worked, else what failed in its own words. */
export function checkScope(): string | undefined {
  const command = `systemd-run ${SCOPE_ARGS.slice(0, 4).join(' ')}`;
  const r = spawnSync('systemd-run', [...SCOPE_ARGS, '--', 'true'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'systemd-run not found' : `${command} failed: ${code ?? r.error.message}`;
  }
  if (r.status === 0) return undefined;
  const said = r.stderr.trim().split('\n').filter(Boolean).pop();
  return `${command} failed: ${said ?? (r.signal ? `signal ${r.signal}` : `exit code ${r.status}`)}`;
}
