// What an idle daemon spends right after start, second by second: for each build (A, B, ...: repo folders with
// dist/ built), one after the other and alternating (RUNS rounds), a cold `apply` of bench/compare's W2 fleet
// (100 agents: 10 slow, 10 with a SIGTERM-ignoring grandchild, 80 plain), then the daemon's CPU over all its threads
// (/proc/<pid>/task/*/schedstat, ms) in each of the 25 seconds after the last agent's pid file exists. Prints the
// series, seconds 1-3 (the first page write and the first full round) and W2's window (seconds 1-21, as
// compare.mjs measures it), the daemon's CPU from its start to the window's end (so work moved out of the window
// still shows) and its RSS at the end. FLAGS= goes to ORCHESTRA_DAEMON_NODE_FLAGS for every build (e.g.
// `--cpu-prof --cpu-prof-dir=/tmp/p`), FLAGS_A= (FLAGS_B=, ...) for one build only, after FLAGS: A=. B=. with
// different FLAGS_ compares V8 flags on one build.
// Sequential, so the builds do not share the window's CPU; interleaved, so they share the machine's drift. Not a test.
// Run: A=/path/to/old B=/path/to/new RUNS=3 node bench/compare/start-probe.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const agentScript = fileURLToPath(new URL('./agent.sh', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 3);
// How many seconds to follow (W2's steady window is seconds 60-80).
const SECONDS = Number(process.env.SECONDS ?? 25);
const builds = Object.entries(process.env).filter(([k]) => /^[A-Z]$/.test(k)).sort();
if (builds.length === 0) throw new Error('set A (and B, C...) to repo folders with dist/ built');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU ns of every thread of `pid`. */
function cpuNs(pid) {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that just ended
    }
  }
  return ns;
}

async function probe(name, repo) {
  const dir = mkdtempSync(join(tmpdir(), `orchprobe-${name}-`));
  mkdirSync(join(dir, 'pids'));
  const lines = ['version: 1', 'name: bench', 'agents:'];
  const pidFiles = [];
  for (let i = 0; i < 100; i++) {
    const mode = i < 10 ? 'slow' : i < 20 ? 'grandchild' : 'plain';
    pidFiles.push(join(dir, 'pids', `a${i}`));
    lines.push(`  a${i}:`, `    command: ${JSON.stringify(['sh', agentScript, pidFiles[i], mode])}`, '    restart: { when: always, strategy: immediate, max_attempts: 0 }', '    stop: { timeout: 2s }');
  }
  writeFileSync(join(dir, 'orchestra.yaml'), lines.join('\n') + '\n');
  const flags = [process.env.FLAGS, process.env[`FLAGS_${name}`]].filter(Boolean).join(' ');
  const env = { ...process.env, NO_COLOR: '1', ...(flags ? { ORCHESTRA_DAEMON_NODE_FLAGS: flags } : {}) };
  const cli = (...args) => spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), ...args], { cwd: dir, env, encoding: 'utf8' });
  let pid;
  try {
    const r = cli('apply', '--yes');
    if (r.status !== 0) throw new Error(`${name}: apply failed: ${r.stderr}`);
    while (!pidFiles.every((f) => existsSync(f))) await sleep(10);
    pid = Number(readFileSync(join(dir, '.orchestra', 'daemon.pid'), 'utf8'));
    const series = [];
    let last = cpuNs(pid);
    for (let s = 0; s < SECONDS; s++) {
      await sleep(1000);
      const now = cpuNs(pid);
      series.push((now - last) / 1e6);
      last = now;
    }
    const sum = (from, to) => series.slice(from, to).reduce((a, b) => a + b, 0);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
    // Threads that ended before now are not counted (V8's are long-lived): close to the daemon's whole CPU since it started.
    const totalMs = last / 1e6;
    const steady = SECONDS >= 80 ? `\tsteady ${sum(60, 80).toFixed(1)} ms = ${(sum(60, 80) / 200).toFixed(3)} %` : '';
    console.log(`${name}\ts1-3 ${sum(1, 4).toFixed(1)} ms\tW2 ${sum(1, 21).toFixed(1)} ms = ${(sum(1, 21) / 200).toFixed(3)} %${steady}\tsince start ${totalMs.toFixed(0)} ms\trss ${rssMiB.toFixed(1)} MiB\tload ${load}\t[${series.map((x) => x.toFixed(1)).join(' ')}]`);
  } finally {
    cli('down');
    if (pid && existsSync(join(dir, '.orchestra', 'daemon.pid'))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

for (let run = 0; run < RUNS; run++) for (const [name, repo] of run % 2 ? [...builds].reverse() : builds) await probe(name, repo);
