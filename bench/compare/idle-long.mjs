// What an idle fleet nobody looks at costs its supervisor over minutes, not seconds: the floor, orchestra, PM2 and
// supervisord each run the same 100 idle agents (compare.mjs's fleet), all at the same time so they share the
// machine's drift; once the last fleet has started, STEADY_S seconds (60) are left to settle, then over WINDOW_S
// seconds (600) each supervisor's CPU (all threads, /proc/<pid>/task/*/schedstat), how often its main thread was
// scheduled (a proxy for wake-ups: /proc/<pid>/schedstat's third field) and its RSS at the window's start and end.
// compare.mjs's steady window is 20 s: it holds one of orchestra's minute rounds or none, and whatever a peer does
// now and then may fall outside it; ten minutes hold every periodic task of each. Nobody runs `status` meanwhile.
// Not a test. Run: `npm run build && RUNS=1 WINDOW_S=600 node bench/compare/idle-long.mjs` (TOOLS=floor,orchestra
// for a subset).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleet, killMarked, makeTools, sched, sleep } from './tools.mjs';

const RUNS = Number(process.env.RUNS ?? 1);
const N = Number(process.env.AGENTS ?? 100);
const STEADY_S = Number(process.env.STEADY_S ?? 60);
const WINDOW_S = Number(process.env.WINDOW_S ?? 600);
const only = process.env.TOOLS?.split(',') ?? ['floor', 'orchestra', 'pm2', 'supervisord'];

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

for (let run = 0; run < RUNS; run++) {
  const tools = makeTools().filter((t) => only.includes(t.name));
  // Rotate who starts first: the last to start has the least time to settle before the window.
  for (let k = 0; k < run % tools.length; k++) tools.push(tools.shift());
  const started = [];
  try {
    for (const tool of tools) {
      const dir = mkdtempSync(join(tmpdir(), `orchidle-${tool.name}-`));
      const mark = `idle-${tool.name}-${run}-${process.pid}-${Date.now()}`;
      const agents = fleet(dir, N);
      started.push({ tool, dir, mark });
      tool.setup(dir, agents, { ...process.env, BENCH_MARK: mark });
      await tool.start();
      while (!agents.every((a) => existsSync(a.pidFile))) await sleep(10);
    }
    await sleep(STEADY_S * 1000);
    const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const before = started.map(({ tool }) => ({ ...sched(tool.supervisorPid()), rss: rssMiB(tool.supervisorPid()) }));
    const t0 = performance.now();
    await sleep(WINDOW_S * 1000);
    const seconds = (performance.now() - t0) / 1000;
    const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`run ${run + 1}: ${seconds.toFixed(0)} s from ${STEADY_S} s after the last fleet started, load ${load0} -> ${load1}`);
    started.forEach(({ tool }, k) => {
      const pid = tool.supervisorPid();
      const after = sched(pid);
      const ms = (after.ns - before[k].ns) / 1e6;
      const wakes = ((after.slices - before[k].slices) / seconds) * 60;
      console.log(`  ${tool.name.padEnd(11)} ${ms.toFixed(1).padStart(8)} ms  ${((ms / 1000 / seconds) * 100).toFixed(4)} % of a core  ${wakes.toFixed(1).padStart(6)} wake-ups a minute  rss ${before[k].rss.toFixed(1)} -> ${rssMiB(pid).toFixed(1)} MiB`);
    });
  } finally {
    for (const { tool, dir, mark } of started) {
      try {
        tool.cleanup();
      } catch (e) {
        console.error(`${tool.name} cleanup: ${e.message}`);
      }
      killMarked(mark);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
