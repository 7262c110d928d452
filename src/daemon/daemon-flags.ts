/**
 * The node flags the launcher starts the daemon with: none by default, or
 * those `ORCHESTRA_DAEMON_NODE_FLAGS` lists (space-separated), e.g.
 * `--max-semi-space-size=1`, which keeps an idle daemon's young generation
 * from staying grown after an apply (2-8 MiB less RSS in the first minute)
 * but makes the apply itself slower (more scavenges; docs/decisions.md has
 * the measurements). Flags on the daemon's command line reach no agent,
 * unlike NODE_OPTIONS, which the agents would inherit. The launcher uses
 * them for every daemon it starts, the one after a crash included.
 */

/** The daemon's node flags, space-separated. */
export const DAEMON_NODE_FLAGS_VAR = 'ORCHESTRA_DAEMON_NODE_FLAGS';

/** The node flags for a daemon started from an environment `env`. */
export function daemonNodeFlags(env: NodeJS.ProcessEnv): string[] {
  return (env[DAEMON_NODE_FLAGS_VAR] ?? '').split(/\s+/).filter((flag) => flag !== '');
}
