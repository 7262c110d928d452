/**
 * The boundary's own cost on the built code (prints figures; not a test):
 * spawn-to-exit latency of `/bin/true` as a plain agent spawn, through the
 * tree boundary (ledger append) and through the cgroup boundary (sh gate +
 * cgroup.procs write), interleaved in one run so machine load hits all alike.
 * Run after `npm run build`: node bench/supervise/boundary.bench.mjs   (SPAWNS=200)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statePaths } from '../../dist/daemon/paths.js';
import { chooseBoundary } from '../../dist/supervise/boundary.js';
import { spawnAgent } from '../../dist/supervise/process-group.js';
import { treeBoundary } from '../../dist/supervise/tree-boundary.js';

const SPAWNS = Number(process.env.SPAWNS ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'orchestra-bnd-bench-'));
const spec = { name: 'b', command: ['/bin/true'], cwd: dir, env: {}, inheritEnv: false };
const paths = statePaths(dir);
const cgroup = chooseBoundary(paths, {});
if (cgroup.info.kind !== 'cgroup') console.log(`(no cgroup boundary here: ${cgroup.info.reason})`);
const kinds = { plain: undefined, tree: treeBoundary(paths, 'bench').instance('b'), cgroup: cgroup.info.kind === 'cgroup' ? cgroup.instance('b') : undefined };
const times = { plain: [], tree: [], cgroup: [] };
const log = join(dir, 'b.log');
// Agents are unref'd (a supervisor must not wait on them); this keeps the loop alive while exits are awaited.
const keepAlive = setInterval(() => {}, 1 << 30);
for (let i = 0; i < SPAWNS; i++) {
  for (const [kind, boundary] of Object.entries(kinds)) {
    if (kind === 'cgroup' && !boundary) continue;
    const t0 = performance.now();
    const r = await spawnAgent(spec, { logFile: log, stateDir: dir, baseEnv: { PATH: process.env.PATH }, boundary });
    if (!r.ok) throw new Error(r.error);
    await r.value.exited;
    times[kind].push(performance.now() - t0);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
for (const [kind, xs] of Object.entries(times)) {
  if (xs.length === 0) continue;
  console.log(`${kind.padEnd(6)} spawn→exit of /bin/true: median ${median(xs).toFixed(2)} ms, p90 ${p90(xs).toFixed(2)} ms, ratio to plain ${(median(xs) / median(times.plain)).toFixed(2)} (${xs.length} spawns)`);
}
clearInterval(keepAlive);
kinds.cgroup?.release();
cgroup.cleanup();
rmSync(dir, { recursive: true, force: true });
