// The daemon's memory, A/B: the same 100 idle agents (agent.sh) under orchestra (dist/) with variants of the
// daemon's environment, each variant's daemons started side by side in a round, rounds repeated. Prints,
// per variant and window, the median RSS and what it is made of (/proc/<pid>/smaps by mapping kind), and
// the `apply` wall time, the daemon's CPU time until every agent runs and in each window. Not a test. Run: `npm run build && node bench/compare/rss-ab.mjs`
// (ROUNDS=3 AGENTS=100 WINDOW_S=20; VARIANTS is a JSON object { name: { ENV: value } }, where the key CLI, if given, is the
// dist/cli/main.js to run instead of this tree's (an old build for an A/B); default: this tree alone).
// Windows as compare.mjs W2: from 1 s after the last agent started for 20 s, and from 60 s (or the first's end) for 20 s.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentScript, alive, sleep } from './tools.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const N = Number(process.env.AGENTS ?? 100);
const VARIANTS = JSON.parse(process.env.VARIANTS ?? '{"this":{}}');
// Seconds per window: 20 as compare.mjs; longer to see the CPU of a daemon whose monitor wakes once a minute when unwatched.
const WINDOW_S = Number(process.env.WINDOW_S ?? 20);
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const readPid = (file) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || undefined : undefined);

/** RSS in MiB by mapping kind: the node binary, other files, [heap] (glibc's main arena), other anonymous (V8 heap, thread arenas, stacks). */
function smapsByKind(pid) {
  const kinds = { total: 0, nodeBinary: 0, files: 0, brkHeap: 0, anon: 0 };
  let kind = 'anon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const name = head[1];
      kind = name === '' ? 'anon' : name === '[heap]' ? 'brkHeap' : name === process.execPath || name.endsWith('/node') ? 'nodeBinary' : name.startsWith('/') ? 'files' : 'anon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      kinds[kind] += Number(rss[1]) / 1024;
      kinds.total += Number(rss[1]) / 1024;
    }
  }
  return kinds;
}

function setup(name, round) {
  const dir = mkdtempSync(join(tmpdir(), `orchrss-${name}-`));
  mkdirSync(join(dir, 'pids'));
  const lines = ['version: 1', 'name: rssab', 'agents:'];
  for (let i = 0; i < N; i++) {
    const pidFile = join(dir, 'pids', `a${i}`);
    lines.push(`  a${i}:`, `    command: ${JSON.stringify(['sh', agentScript, pidFile, 'plain'])}`, '    stop: { timeout: 2s }');
  }
  writeFileSync(join(dir, 'orchestra.yaml'), lines.join('\n') + '\n');
  const { CLI = cli, ...vars } = VARIANTS[name];
  const env = { ...process.env, NO_COLOR: '1', ...vars };
  return { name, round, dir, env, run: (...args) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 180_000 }) };
}

/** CPU time of all the process's threads, ms (/proc/<pid>/task/<tid>/schedstat, ns). */
function cpuMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended
    }
  }
  return ns / 1e6;
}

async function window(daemons, key) {
  const samples = new Map(daemons.map((d) => [d, []]));
  const cpu0 = new Map(daemons.map((d) => [d, cpuMs(d.pid)]));
  for (let s = 0; s < WINDOW_S; s += 2) {
    await sleep(2000);
    for (const d of daemons) samples.get(d).push(smapsByKind(d.pid));
  }
  for (const d of daemons) {
    const xs = samples.get(d);
    d[key] = Object.fromEntries(Object.keys(xs[0]).map((k) => [k, median(xs.map((x) => x[k]))]));
    d[key].cpuMs = cpuMs(d.pid) - cpu0.get(d);
  }
}

const results = Object.fromEntries(Object.keys(VARIANTS).map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Alternate who starts first, so neither variant always applies on a quieter machine.
  const names = Object.keys(VARIANTS);
  if (round % 2) names.reverse();
  const daemons = names.map((n) => setup(n, round));
  try {
    for (const d of daemons) {
      const t0 = performance.now();
      const r = d.run('apply', '--yes');
      if (r.status !== 0) throw new Error(`${d.name}: apply → ${r.status}\n${r.stdout}${r.stderr}`);
      d.applyMs = performance.now() - t0;
      while (!Array.from({ length: N }, (_, i) => join(d.dir, 'pids', `a${i}`)).every(existsSync)) await sleep(5);
      d.started = performance.now();
      d.pid = readPid(join(d.dir, '.orchestra', 'daemon.pid'));
      // The daemon's CPU from its start until every agent runs: the apply's cost on its side (interpreter-only flags show here).
      d.applyCpuMs = cpuMs(d.pid);
    }
    await sleep(1000);
    await window(daemons, 'early');
    await sleep(Math.max(0, 60_000 - (performance.now() - daemons[daemons.length - 1].started)));
    await window(daemons, 'steady');
    for (const d of daemons) {
      results[d.name].push(d);
      const f = (w) => `${w.total.toFixed(1)} (cpu ${w.cpuMs.toFixed(0)} ms, bin ${w.nodeBinary.toFixed(1)}, files ${w.files.toFixed(1)}, brk ${w.brkHeap.toFixed(1)}, anon ${w.anon.toFixed(1)})`;
      console.log(`round ${round} ${d.name.padEnd(10)} apply ${d.applyMs.toFixed(0)} ms (daemon cpu ${d.applyCpuMs.toFixed(0)} ms)  early ${f(d.early)}  steady ${f(d.steady)}`);
    }
  } finally {
    for (const d of daemons) {
      d.run('down');
      if (d.pid && alive(d.pid)) process.kill(d.pid, 'SIGKILL');
      rmSync(d.dir, { recursive: true, force: true });
    }
  }
}
console.log(`medians over ${ROUNDS} rounds (MiB; apply ms)`);
for (const [name, runs] of Object.entries(results)) {
  const m = (get) => median(runs.map(get)).toFixed(1);
  console.log(`${name.padEnd(10)} early ${m((d) => d.early.total)}  steady ${m((d) => d.steady.total)}  anon early/steady ${m((d) => d.early.anon)}/${m((d) => d.steady.anon)}  brk ${m((d) => d.early.brkHeap)}/${m((d) => d.steady.brkHeap)}  apply ${m((d) => d.applyMs)} (daemon cpu ${m((d) => d.applyCpuMs)})  cpu ms early/steady ${m((d) => d.early.cpuMs)}/${m((d) => d.steady.cpuMs)}`);
}
