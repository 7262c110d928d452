/**
 * The node flags the launcher starts the daemon with: `--lite-mode` (V8
 * without its optimizing and baseline compilers, feedback allocated lazily),
 * then those `ORCHESTRA_DAEMON_NODE_FLAGS` lists (space-separated), which
 * come later and so win (`--no-lite-mode` turns the default off). An idle
 * daemon runs little JavaScript and most of it once: the compilers' code in
 * the node binary and what they compile cost it ~7 MiB of RSS with 100
 * agents (docs/decisions.md has the measurements, and what lite mode costs
 * in CPU). Lite mode implies V8's jitless mode, which has no WebAssembly:
 * `--no-expose-wasm` says so up front, or V8 would warn on every start; the
 * daemon uses none (no fetch, whose HTTP parser is WebAssembly).
 * `--no-memory-reducer-for-small-heaps`: V8 does not schedule a memory
 * reducing mark-compact 8 s after the start-up's heap growth while the old
 * generation is small (under 10 MB committed); past that its reducer works as
 * usual. With 100 agents that GC was half of the daemon's CPU in the 20 s
 * after an apply, and ten minutes later the RSS is the same without it
 * (docs/decisions.md). `--memory-reducer-single-gc`: where the reducer does
 * run, it shrinks the heap with one mark-compact instead of two or three.
 * `--single-threaded-gc`: V8's collector does its work on the daemon's
 * thread instead of waking helper threads for each scavenge, marking and
 * sweep; a heap of ~8 MiB gains nothing from them on a machine whose cores
 * the agents use, and the waking was ~10 % of the daemon's CPU under churn
 * (docs/decisions.md). Flags on the
 * daemon's command line reach no agent, unlike NODE_OPTIONS, which the agents
 * would inherit. The launcher uses them for every daemon it starts, the one
 * after a crash included.
 */

/** The daemon's extra node flags, space-separated, after the defaults. */
export const DAEMON_NODE_FLAGS_VAR = 'ORCHESTRA_DAEMON_NODE_FLAGS';

/** What every daemon gets before the variable's flags. */
export const DEFAULT_DAEMON_NODE_FLAGS: readonly string[] = [
  '--lite-mode',
  '--no-expose-wasm',
  '--no-memory-reducer-for-small-heaps',
  '--memory-reducer-single-gc',
  '--single-threaded-gc',
];

/** The node flags for a daemon started from an environment `env`. */
export function daemonNodeFlags(env: NodeJS.ProcessEnv): string[] {
  return [...DEFAULT_DAEMON_NODE_FLAGS, ...(env[DAEMON_NODE_FLAGS_VAR] ?? '').split(/\s+/).filter((flag) => flag !== '')];
}
