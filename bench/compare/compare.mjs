// Side-by-side benchmark: the same workloads against the floor (a bare Node spawner), orchestra (dist/),
// PM2 and supervisord, in one run. Prints figures, writes results.json, the "Comparison" table in
// docs/performance.md and docs/images/compare.svg. Not a test. Run: `npm run build && node bench/compare/compare.mjs`
// (RUNS=3 IDLE_S=20 STEADY_S=60 AGENTS=100 by default; TOOLS=floor,orchestra runs a subset, W5=0 skips W5,
// and WRITE=0 leaves results.json and the docs alone: both needed for a partial run). Needs `supervisord` on PATH and pm2 in node_modules.
//   W1 cold start of N agents until every one has run (its pid file exists)
//   W2 the supervisor's own CPU and RSS with N idle agents over IDLE_S seconds: once from 1 s after the
//      last agent started, once more (steady) from STEADY_S seconds after it
//   W3 restart latency: SIGKILL an agent, time until its replacement has written its pid
//   W4 stop all (10 agents take 0.5 s to honour SIGTERM, 10 have a SIGTERM-ignoring grandchild)
//   W5 SIGKILL of the supervisor: orphans, and duplicates once it is brought back (once per tool)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, fleet as fleetOf, killMarked, makeTools, marked, sleep } from './tools.mjs';
import { renderSvg, renderTable } from './report.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const IDLE_S = Number(process.env.IDLE_S ?? 20);
const STEADY_S = Number(process.env.STEADY_S ?? 60);
const N = Number(process.env.AGENTS ?? 100);
const WRITE = process.env.WRITE !== '0';
const W5 = process.env.W5 !== '0';
const repo = fileURLToPath(new URL('../../', import.meta.url));
const CLK_TCK = 100;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fleet = (dir) => fleetOf(dir, N);
const pidOf = (file) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || undefined : undefined);

async function waitAllPidFiles(agents, timeoutMs = 300_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (agents.every((a) => existsSync(a.pidFile))) return;
    await sleep(5);
  }
  throw new Error('agents did not all start');
}

/**
 * CPU time of every thread of the process, ms: the first field of each
 * /proc/<pid>/task/<tid>/schedstat (ns, exact), or utime+stime in clock ticks
 * where schedstat is missing. Ticks are too coarse for an idle supervisor: one
 * tick in a 20 s window is 0.05 % of a core.
 */
function cpuMs(pid) {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended
      }
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    // no task list: fall back to ticks
  }
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1000;
}
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** The supervisor's CPU (% of a core) over IDLE_S seconds and its RSS (median of one reading every 2 s). */
async function idleWindow(sup, suffix) {
  const cpu0 = cpuMs(sup);
  const rss = [];
  const t0 = performance.now();
  for (let s = 0; s < IDLE_S; s += 2) {
    await sleep(2000);
    rss.push(rssMiB(sup));
  }
  const cpu = ((cpuMs(sup) - cpu0) / (performance.now() - t0)) * 100;
  return { [`w2${suffix}CpuPct`]: cpu, [`w2${suffix}RssMiB`]: median(rss) };
}

async function oneRun(tool, run) {
  const dir = mkdtempSync(join(tmpdir(), `orchbench-${tool.name}-`));
  const mark = `${tool.name}-${run}-${process.pid}-${Date.now()}`;
  const env = { ...process.env, BENCH_MARK: mark };
  const agents = fleet(dir);
  const out = {};
  try {
    tool.setup(dir, agents, env);
    let t0 = performance.now();
    await tool.start();
    await waitAllPidFiles(agents);
    const started = performance.now();
    out.w1StartMs = started - t0;
    await sleep(1000);

    const sup = tool.supervisorPid();
    Object.assign(out, await idleWindow(sup, ''));
    await sleep(Math.max(0, STEADY_S * 1000 - (performance.now() - started)));
    Object.assign(out, await idleWindow(sup, 'Steady'));

    const lat = [];
    for (let k = 0; k < 5; k++) {
      const a = agents[20 + k];
      const before = pidOf(a.pidFile);
      process.kill(before, 'SIGKILL');
      t0 = performance.now();
      for (;;) {
        const now = pidOf(a.pidFile);
        if (now && now !== before && alive(now)) break;
        if (performance.now() - t0 > 30_000) throw new Error(`${tool.name}: ${a.name} not restarted`);
        await sleep(2);
      }
      lat.push(performance.now() - t0);
      await sleep(300);
    }
    out.w3RestartMs = median(lat);

    const pids = agents.map((a) => pidOf(a.pidFile));
    const grandchildren = agents.filter((a) => a.mode === 'grandchild').map((a) => pidOf(`${a.pidFile}.gc`));
    t0 = performance.now();
    await tool.stopAll();
    while (pids.some(alive)) await sleep(5);
    out.w4StopMs = performance.now() - t0;
    await sleep(500);
    out.w4GrandchildrenLeft = grandchildren.filter(alive).length;
  } finally {
    try { tool.cleanup(); } catch (e) { console.error(`${tool.name} cleanup: ${e.message}`); }
    killMarked(mark);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function w5(tool) {
  const dir = mkdtempSync(join(tmpdir(), `orchbench-w5-${tool.name}-`));
  const mark = `w5-${tool.name}-${process.pid}-${Date.now()}`;
  const env = { ...process.env, BENCH_MARK: mark };
  const agents = fleet(dir);
  try {
    tool.setup(dir, agents, env);
    await tool.start();
    await waitAllPidFiles(agents);
    if (tool.save) tool.save();
    await sleep(1000);
    const sup = tool.supervisorPid();
    process.kill(sup, 'SIGKILL');
    while (alive(sup)) await sleep(5);
    await sleep(1000);
    const orphans = marked(mark).agents.length;
    await tool.restartSupervisor();
    // Settled: the count of agent processes unchanged for 3 s (or 60 s passed).
    let last = -1;
    let stableSince = Date.now();
    const end = Date.now() + 60_000;
    while (Date.now() < end && Date.now() - stableSince < 3000) {
      const n = marked(mark).agents.length;
      if (n !== last) (last = n), (stableSince = Date.now());
      await sleep(100);
    }
    return { orphansAlive: orphans, afterRestart: last, duplicates: Math.max(0, last - N) };
  } finally {
    try { tool.cleanup(); } catch (e) { console.error(`${tool.name} cleanup: ${e.message}`); }
    killMarked(mark);
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.env.TOOLS?.split(',');
const tools = makeTools().filter((t) => !only || only.includes(t.name));
// The docs table has a column per tool and the crash rows: only a full run may write it.
if (WRITE && (only || !W5)) throw new Error('TOOLS or W5=0 need WRITE=0');
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const loads = [loadavg()];
// RENDER_ONLY=1 re-renders the docs table and chart from the last results.json without running anything.
const saved = process.env.RENDER_ONLY === '1' ? JSON.parse(readFileSync(join(repo, 'bench', 'compare', 'results.json'), 'utf8')) : undefined;
const runs = saved?.runs ?? Object.fromEntries(tools.map((t) => [t.name, []]));
for (let r = 0; r < (saved ? 0 : RUNS); r++) {
  // Rotate the order so no tool always runs first (cold caches) or last.
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[(i + r) % tools.length];
    const res = await oneRun(tool, r);
    runs[tool.name].push(res);
    loads.push(loadavg());
    console.log(`run ${r + 1} ${tool.name.padEnd(11)} ${JSON.stringify(Object.fromEntries(Object.entries(res).map(([k, v]) => [k, Math.round(v * 100) / 100])))}`);
  }
}
const crash = saved?.crash ?? {};
for (const tool of saved || !W5 ? [] : tools) {
  crash[tool.name] = await w5(tool);
  console.log(`W5 ${tool.name.padEnd(11)} ${JSON.stringify(crash[tool.name])}`);
}

const measures = ['w1StartMs', 'w2CpuPct', 'w2RssMiB', 'w2SteadyCpuPct', 'w2SteadyRssMiB', 'w3RestartMs', 'w4StopMs', 'w4GrandchildrenLeft'];
const medians = Object.fromEntries(tools.map((t) => [t.name, Object.fromEntries(measures.map((m) => [m, median(runs[t.name].map((x) => x[m]))]))]));
const oneMinute = loads.map((l) => l[0]);
const meta = saved?.meta ?? {
  date: new Date().toISOString(),
  runs: RUNS,
  idleSeconds: IDLE_S,
  steadyFromSeconds: STEADY_S,
  agents: N,
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  load: { min: Math.min(...oneMinute), max: Math.max(...oneMinute) },
};
console.log(`load average (1 min) ${meta.load.min}–${meta.load.max}`);
if (!WRITE) process.exit(0);
writeFileSync(join(repo, 'bench', 'compare', 'results.json'), JSON.stringify({ meta, runs, medians, crash }, null, 2) + '\n');
console.log(JSON.stringify(medians, null, 2));

const table = renderTable(meta, medians, crash);
const perf = join(repo, 'docs', 'performance.md');
const text = readFileSync(perf, 'utf8');
const begin = '<!-- compare:begin -->';
const end = '<!-- compare:end -->';
const block = `${begin}\n${table}\n${end}`;
writeFileSync(perf, text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*${end}`), block) : `${text.trimEnd()}\n\n${block}\n`);
mkdirSync(join(repo, 'docs', 'images'), { recursive: true });
writeFileSync(join(repo, 'docs', 'images', 'compare.svg'), renderSvg(medians));
console.log('wrote docs/performance.md (Comparison) and docs/images/compare.svg');
