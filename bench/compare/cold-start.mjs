// Cold start until the tool itself says every agent runs: from the start command with no supervisor
// running (`orchestra apply --yes`, `pm2 start`, `supervisord -c`, floor.mjs) until the tool's own
// status (`orchestra status --json`, `pm2 jlist`, `supervisorctl status`; the floor: every pid file
// exists) shows all N agents running. Then orchestra's cold path in parts: a bare `node -e 0`, the CLI
// starting (`--version`), loading the manifest (`validate`), the daemon starting until its socket
// answers, a cold `apply` on its own and the one `status --json` after it. Not a test. Run: `npm run build && node bench/compare/cold-start.mjs`
// (RUNS=3 AGENTS=100; GATE=1 adds orchestra-gate, agents behind the old `sh` gate). Needs `supervisord` on PATH (apt `supervisor`) and pm2 in node_modules.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentScript, alive, makeTools, sleep } from './tools.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const N = Number(process.env.AGENTS ?? 100);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist', 'cli', 'main.js');
const pm2Bin = join(repo, 'node_modules', 'pm2', 'bin', 'pm2');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function fleet(dir) {
  mkdirSync(join(dir, 'pids'), { recursive: true });
  return Array.from({ length: N }, (_, i) => ({ name: `a${i}`, pidFile: join(dir, 'pids', `a${i}`), command: ['sh', agentScript, join(dir, 'pids', `a${i}`), 'plain'] }));
}

/** What the last status call printed, for the error when a tool never gets there. */
let lastSeen = '';

/** Whether the tool's own status shows all N agents running (one status call). */
function allRunning(tool, dir, agents, env) {
  const run = (cmd, args, extra = {}) => spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...env, NO_COLOR: '1', ...extra } }).stdout ?? '';
  switch (tool) {
    case 'floor':
      return agents.every((a) => existsSync(a.pidFile));
    case 'orchestra':
    case 'orchestra-tree':
    case 'orchestra-gate': {
      const out = run(process.execPath, [cli, 'status', '--json']);
      lastSeen = out.slice(0, 400);
      try {
        const s = JSON.parse(out);
        return s.agents.length === N && s.agents.every((a) => a.state === 'running');
      } catch {
        return false;
      }
    }
    case 'pm2': {
      try {
        const list = JSON.parse(run(process.execPath, [pm2Bin, 'jlist'], { PM2_HOME: join(dir, 'pm2home') }));
        return list.length === N && list.every((p) => p.pm2_env.status === 'online');
      } catch {
        return false;
      }
    }
    case 'supervisord': {
      const lines = run('supervisorctl', ['-c', join(dir, 'supervisord.conf'), 'status']).trim().split('\n');
      return lines.length === N && lines.every((l) => /\sRUNNING\s/.test(l));
    }
  }
  return false;
}

function killMarked(mark) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/environ`, 'latin1').includes(`BENCH_MARK=${mark}\0`) && alive(Number(d))) process.kill(Number(d), 'SIGKILL');
    } catch {}
  }
}

async function coldStart(tool, run) {
  const dir = mkdtempSync(join(tmpdir(), `orchcold-${tool.name}-`));
  const mark = `cold-${tool.name}-${run}-${process.pid}-${Date.now()}`;
  const env = { ...process.env, BENCH_MARK: mark };
  const agents = fleet(dir);
  try {
    tool.setup(dir, agents, env);
    const t0 = performance.now();
    await tool.start();
    const end = Date.now() + 300_000;
    while (!allRunning(tool.name, dir, agents, env)) {
      if (Date.now() > end) throw new Error(`${tool.name}: not all running after 300 s; its status said: ${lastSeen}`);
      await sleep(tool.name === 'floor' ? 5 : 20);
    }
    return performance.now() - t0;
  } finally {
    try {
      tool.cleanup();
    } catch {}
    killMarked(mark);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds of a synchronous command, median of `n`. */
function timed(n, cmd, args, opts = {}) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
    if (r.status !== 0 && !opts.allowFail) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

const ping = (socket) =>
  new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/v1/ping', agent: false }, (res) => (res.resume(), res.on('end', () => resolve(true))));
    req.on('error', () => resolve(false));
    req.end();
  });

/** Daemon start: spawn daemon-main for an empty state dir until its socket answers; median of `n`. */
async function daemonStart(n) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'orchcold-daemon-'));
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(repo, 'dist', 'daemon', 'daemon-main.js'), '--state-dir', dir], { stdio: 'ignore' });
    while (!(await ping(join(dir, 'daemon.sock')))) await sleep(2);
    xs.push(performance.now() - t0);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
  return median(xs);
}

/** A cold `apply --yes` on its own (until it returns: every agent running), then one `status --json` with all running; medians of `n`. */
function coldApply(n) {
  const applies = [];
  const statuses = [];
  for (let i = 0; i < n; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'orchcold-apply-'));
    const mark = `cold-parts-${i}-${process.pid}-${Date.now()}`;
    const env = { ...process.env, BENCH_MARK: mark, NO_COLOR: '1' };
    const orch = makeTools().find((t) => t.name === 'orchestra');
    orch.setup(dir, fleet(dir), env);
    try {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [cli, 'apply', '--yes'], { cwd: dir, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`apply: ${r.stderr}`);
      applies.push(performance.now() - t0);
      const t1 = performance.now();
      if (!allRunning('orchestra', dir, [], env)) throw new Error('apply returned before status showed every agent running');
      statuses.push(performance.now() - t1);
    } finally {
      try {
        orch.cleanup();
      } catch {}
      killMarked(mark);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { apply: median(applies), status: median(statuses) };
}

function withoutExtraCa() {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

const tools = makeTools({ gate: process.env.GATE === '1' });
const results = Object.fromEntries(tools.map((t) => [t.name, []]));
for (let run = 0; run < RUNS; run++) {
  // Rotate the order so no tool always runs first (cold caches) or last.
  for (let k = 0; k < tools.length; k++) {
    const tool = tools[(run + k) % tools.length];
    const ms = await coldStart(tool, run);
    results[tool.name].push(ms);
    console.log(`run ${run + 1}: ${tool.name} ${ms.toFixed(0)} ms`);
  }
}
const floorMs = median(results.floor);
console.log(`\ncold start of ${N} agents until the tool's status shows all running (median of ${RUNS}):`);
for (const [name, xs] of Object.entries(results)) console.log(`  ${name.padEnd(12)} ${median(xs).toFixed(0).padStart(6)} ms  ${(median(xs) / floorMs).toFixed(2)}× floor   runs: ${xs.map((x) => x.toFixed(0)).join(', ')}`);

// Where orchestra's time goes: each part measured on its own.
const manifestDir = mkdtempSync(join(tmpdir(), 'orchcold-parts-'));
const orch = tools.find((t) => t.name === 'orchestra');
orch.setup(manifestDir, fleet(manifestDir), process.env);
const parts = {
  'node -e 0': timed(5, process.execPath, ['-e', '0']),
  // Every Node start parses the whole CA file it names (tens of ms); orchestra's path has three starts, the floor one.
  ...(process.env.NODE_EXTRA_CA_CERTS ? { 'node -e 0 without NODE_EXTRA_CA_CERTS': timed(5, process.execPath, ['-e', '0'], { env: withoutExtraCa() }) } : {}),
  'orchestra --version (CLI start)': timed(5, process.execPath, [cli, '--version']),
  [`orchestra validate (CLI + load ${N} agents)`]: timed(5, process.execPath, [cli, 'validate'], { cwd: manifestDir }),
  'daemon start (spawn until the socket answers)': await daemonStart(5),
  'status with nothing applied (CLI + connect)': timed(5, process.execPath, [cli, 'status'], { cwd: manifestDir, allowFail: true }),
};
const cold = coldApply(5);
parts[`cold apply --yes until it returns (${N} running)`] = cold.apply;
parts[`status --json with ${N} running (CLI + one round trip)`] = cold.status;
rmSync(manifestDir, { recursive: true, force: true });
console.log('\norchestra cold path in parts (median of 5, ms):');
for (const [k, v] of Object.entries(parts)) console.log(`  ${k.padEnd(48)} ${v.toFixed(0).padStart(6)}`);
