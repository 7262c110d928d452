// Soak (not a test, not in CI): orchestra (dist/) runs 20 crash-looping and 10 chatty agents for
// SOAK_MINUTES (default 10). Every 10 s it samples the daemon's RSS, CPU time and open descriptors;
// at the end it prints the series, the growth after warm-up (first minute excluded), the lowest and
// highest RSS after warm-up, a least-squares slope in MiB per minute, the restart count, and the bytes of log written. Run:
// `npm run build && node bench/compare/soak.mjs` (SOAK_MINUTES=1 for a quick look).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist', 'cli', 'main.js');
const fixtures = join(repo, 'test', 'fixtures', 'agents');
const dir = mkdtempSync(join(tmpdir(), 'orchestra-soak-'));
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });

const lines = ['version: 1', 'name: soak', 'agents:'];
for (let i = 0; i < 20; i++) {
  // Exits 1 after 1-3 s, so the fleet restarts roughly ten times a second.
  lines.push(`  crash${i}:`, `    command: ["sh", "-c", "echo up; sleep ${1 + (i % 3)}; echo down >&2; exit 1"]`, '    restart: { when: always, strategy: immediate, max_attempts: 0 }');
}
for (let i = 0; i < 10; i++) {
  // 100 lines a second each, small log files so rotation runs all the time.
  lines.push(`  chatty${i}:`, `    command: ["node", "${fixtures}/print-slowly.js", "10"]`, '    logs: { max_size: 256KiB, keep: 2 }');
}
writeFileSync(join(dir, 'orchestra.yaml'), lines.join('\n') + '\n');

const ticks = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const fds = (pid) => readdirSync(`/proc/${pid}/fd`).length;

let daemon;
try {
  const applied = run('apply', '--yes');
  if (applied.status !== 0) throw new Error(applied.stderr);
  daemon = Number(readFileSync(join(dir, '.orchestra', 'daemon.pid'), 'utf8'));
  const samples = [];
  const t0 = Date.now();
  const c0 = ticks(daemon);
  while (Date.now() - t0 < MINUTES * 60_000) {
    await new Promise((r) => setTimeout(r, 10_000));
    const s = { t: (Date.now() - t0) / 1000, rssMiB: rss(daemon), cpuS: (ticks(daemon) - c0) / 100, fds: fds(daemon) };
    samples.push(s);
    console.log(`t=${s.t.toFixed(0)}s rss=${s.rssMiB.toFixed(1)}MiB cpu=${s.cpuS.toFixed(1)}s fds=${s.fds}`);
  }
  const status = JSON.parse(run('status', '--json').stdout);
  const restarts = status.agents.reduce((a, x) => a + x.restarts, 0);
  const logs = join(dir, '.orchestra', 'logs');
  const logBytes = readdirSync(logs).reduce((a, f) => a + statSync(join(logs, f)).size, 0);
  const warm = samples.filter((s) => s.t >= 60);
  const n = warm.length;
  const mx = warm.reduce((a, s) => a + s.t / 60, 0) / n;
  const my = warm.reduce((a, s) => a + s.rssMiB, 0) / n;
  const slope = warm.reduce((a, s) => a + (s.t / 60 - mx) * (s.rssMiB - my), 0) / warm.reduce((a, s) => a + (s.t / 60 - mx) ** 2, 0);
  const summary = {
    minutes: MINUTES,
    restarts,
    rssFirstMiB: samples[0]?.rssMiB,
    rssAfterWarmupMiB: warm[0]?.rssMiB,
    rssLastMiB: samples.at(-1)?.rssMiB,
    rssMaxMiB: Math.max(...samples.map((s) => s.rssMiB)),
    rssMinAfterWarmupMiB: Math.min(...warm.map((s) => s.rssMiB)),
    rssMaxAfterWarmupMiB: Math.max(...warm.map((s) => s.rssMiB)),
    growthAfterWarmupMiB: (warm.at(-1)?.rssMiB ?? NaN) - (warm[0]?.rssMiB ?? NaN),
    slopeMiBPerMin: slope,
    cpuSecondsTotal: samples.at(-1)?.cpuS,
    cpuPercentOfCore: ((samples.at(-1)?.cpuS ?? 0) / (MINUTES * 60)) * 100,
    fdsFirst: samples[0]?.fds,
    fdsLast: samples.at(-1)?.fds,
    logBytesOnDisk: logBytes,
  };
  console.log(JSON.stringify(summary, null, 2));
  writeFileSync(join(repo, 'bench', 'compare', 'soak-results.json'), JSON.stringify({ date: new Date().toISOString(), summary, samples }, null, 2) + '\n');
} finally {
  run('down');
  if (daemon && existsSync(`/proc/${daemon}`)) process.kill(daemon, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
