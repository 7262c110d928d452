// A/B of an idle daemon's own CPU: two or three builds of orchestra (A, B, optionally C: repo folders with dist/
// built) each run 100 idle agents (bench/compare's agent.sh), side by side and at the same time, so all see the
// same machine load; which starts first rotates from run to run. Per
// run it prints each daemon's CPU (ns from /proc/<pid>/task/*/schedstat, all threads) and how often its main thread
// was scheduled (a proxy for wake-ups) in three windows after the last agent started: 1-21 s (right after start),
// 60-80 s (bench/compare's steady W2) and 60-180 s (two idle minutes). Nobody runs `status` meanwhile. Not a test.
// Run: A=/path/to/old B=/path/to/new [C=/path/to/newer] RUNS=3 node bench/compare/idle-ab.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sched, sleep } from './tools.mjs';

const agentScript = fileURLToPath(new URL('./agent.sh', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 3);
const N = Number(process.env.AGENTS ?? 100);
const builds = Object.fromEntries(['A', 'B', 'C'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]));
const names = Object.keys(builds);
if (!builds.A || !builds.B) throw new Error('set A and B (and C if you like) to repo folders with dist/ built');

function start(name, repo) {
  const dir = mkdtempSync(join(tmpdir(), `orchidle-${name}-`));
  mkdirSync(join(dir, 'pids'));
  const lines = ['version: 1', 'name: bench', 'agents:'];
  for (let i = 0; i < N; i++) lines.push(`  a${i}:`, `    command: ${JSON.stringify(['sh', agentScript, join(dir, 'pids', `a${i}`), 'plain'])}`);
  writeFileSync(join(dir, 'orchestra.yaml'), lines.join('\n') + '\n');
  const cli = (...args) => spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), ...args], { cwd: dir, encoding: 'utf8' });
  const r = cli('apply', '--yes');
  if (r.status !== 0) throw new Error(`${name}: apply failed: ${r.stderr}`);
  return { name, dir, cli, pid: Number(readFileSync(join(dir, '.orchestra', 'daemon.pid'), 'utf8')) };
}

const results = Object.fromEntries(names.map((k) => [k, []]));
for (let run = 0; run < RUNS; run++) {
  // Alternate which one starts first.
  const order = names.map((_, i) => names[(i + run) % names.length]);
  const fleets = order.map((k) => start(k, builds[k]));
  try {
    for (const f of fleets) while (readdirSync(join(f.dir, 'pids')).filter((p) => !p.endsWith('.tmp')).length < N) await sleep(20);
    const t0 = performance.now();
    const at = (s) => sleep(Math.max(0, t0 + s * 1000 - performance.now()));
    const mark = () => Object.fromEntries(fleets.map((f) => [f.name, { ...sched(f.pid), t: performance.now() }]));
    const windows = {};
    await at(1);
    const m1 = mark();
    await at(21);
    const m21 = mark();
    await at(60);
    const m60 = mark();
    await at(80);
    const m80 = mark();
    await at(180);
    const m180 = mark();
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    for (const f of fleets) {
      const w = (a, b) => ({ cpuPct: ((b[f.name].ns - a[f.name].ns) / 1e6 / (b[f.name].t - a[f.name].t)) * 100, slices: b[f.name].slices - a[f.name].slices });
      windows[f.name] = { start: w(m1, m21), steady: w(m60, m80), twoMin: w(m60, m180) };
      results[f.name].push(windows[f.name]);
      const x = windows[f.name];
      console.log(`run ${run + 1} ${f.name}: 1-21 s ${x.start.cpuPct.toFixed(3)} % (${x.start.slices} slices), 60-80 s ${x.steady.cpuPct.toFixed(3)} % (${x.steady.slices}), 60-180 s ${x.twoMin.cpuPct.toFixed(3)} % (${x.twoMin.slices}); load ${load}`);
    }
  } finally {
    for (const f of fleets) {
      f.cli('down');
      if (existsSync(join(f.dir, '.orchestra', 'daemon.pid'))) {
        try {
          process.kill(f.pid, 'SIGKILL');
        } catch {}
      }
      rmSync(f.dir, { recursive: true, force: true });
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const k of names) {
  const r = results[k];
  const m = (w) => `${median(r.map((x) => x[w].cpuPct)).toFixed(3)} % / ${median(r.map((x) => x[w].slices))} slices`;
  console.log(`median ${k} (${builds[k]}): 1-21 s ${m('start')}; 60-80 s ${m('steady')}; 60-180 s ${m('twoMin')}`);
}
