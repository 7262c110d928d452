/**
 * Supervision benchmarks on the built code (prints figures; not a test).
 * Run after `npm run build`:  node bench/supervise/supervise.bench.mjs [scenario…]
 * Each scenario runs in a fresh child process, so CPU and RSS belong to it alone.
 * Scenarios: start, dag, restart, stop, stop-sh, idle (IDLE_MS overrides the 30 s window;
 * SAMPLER=proc|pidusage picks the sampler instead of the engine's default).
 * Definitions are in docs/performance.md (Supervision).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { statePaths } from '../../dist/daemon/paths.js';
import { Engine } from '../../dist/supervise/engine.js';
import { procSampler } from '../../dist/supervise/sampler.js';
import { pidusageSampler } from './pidusage-sampler.mjs';

const FIX = fileURLToPath(new URL('../../test/fixtures/agents/', import.meta.url));
const cmd = (name, ...a) => [process.execPath, join(FIX, `${name}.js`), ...a.map(String)];
const IMMEDIATE = { when: 'always', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 300_000 };
const spec = (o) => ({
  agent: o.name, replica: { index: 0, count: 1 }, type: 'service', command: cmd('forever'), shell: false, cwd: FIX, env: {}, envFiles: [],
  inheritEnv: true, disabled: false, priority: 0, dependsOn: [], restart: IMMEDIATE,
  stop: { signal: 'SIGTERM', timeoutMs: 10_000 }, startup: { timeoutMs: 120_000, retries: 0 }, logs: { maxSizeBytes: 10 << 20, keep: 5 },
  secretKeys: [], extensions: {}, ...o,
});
const plan = (instances) => ({ version: 1, name: 'bench', files: [], baseDir: FIX, agents: instances.map((i) => ({ name: i.name, instances: [i.name] })), instances, monitor: { intervalMs: 2000 }, origins: {} });
const tcp = (port) => ({ kind: 'tcp', host: '127.0.0.1', port, intervalMs: 10, timeoutMs: 1000, failures: 3, initialDelayMs: 0 });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
const N = 100;

// Ports below the ephemeral range (32768+), so probe connections' local ports never take an agent's port.
let nextPort = 20_000 + Math.floor(Math.random() * 5000);
function tryListen(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
/** A port free a moment ago; handed out in sequence, so two calls never return the same one. */
async function freePort() {
  for (;;) {
    const port = nextPort++;
    if (await tryListen(port)) return port;
  }
}
const freePorts = async (n) => { const out = []; for (let k = 0; k < n; k++) out.push(await freePort()); return out; };

/** Spawns like the engine does (own group, output to a file descriptor) and resolves with the child once it has a pid. */
function bareSpawn(argv) {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: true });
    c.once('spawn', () => resolve(c));
    c.once('error', reject);
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Polls a port every 10 ms (the probe interval used below) until it accepts. */
async function untilAccepts(port) {
  while (!(await accepts(port))) await new Promise((r) => setTimeout(r, 10));
}

const killAll = (kids) => { for (const c of kids) try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } };

async function withEngine(p, f, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-bench-'));
  const e = new Engine(p, { paths: statePaths(dir), ...options });
  try {
    return await f(e);
  } finally {
    await e.kill();
    await e.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const scenarios = {
  async start() {
    const t0 = performance.now();
    const kids = await Promise.all(Array.from({ length: N }, () => bareSpawn(cmd('forever'))));
    const floor = performance.now() - t0;
    killAll(kids);
    const engine = await withEngine(plan(Array.from({ length: N }, (_, k) => spec({ name: `a${k}` }))), async (e) => {
      const t1 = performance.now();
      await e.startAll();
      return performance.now() - t1;
    });
    console.log(`start ${N} agents to running: floor (bare spawn loop) ${ms(floor)}, engine ${ms(engine)}, ratio ${(engine / floor).toFixed(2)}`);
  },

  async dag() {
    const LEVELS = 10;
    const WIDTH = N / LEVELS;
    // Floor of one level: WIDTH bare spawns in parallel, each polled every 10 ms until its port accepts.
    const floors = [];
    for (let r = 0; r < 3; r++) {
      const ports = await freePorts(WIDTH);
      const t0 = performance.now();
      const kids = await Promise.all(ports.map((p) => bareSpawn(cmd('listen-tcp', p))));
      await Promise.all(ports.map(untilAccepts));
      floors.push(performance.now() - t0);
      killAll(kids);
      console.error(`  (floor rep ${r + 1}: ${(performance.now() - t0).toFixed(0)} ms)`);
    }
    const floor = median(floors);
    const ports = await freePorts(N);
    const name = (l, k) => `l${l}n${k}`;
    const specs = [];
    for (let l = 0; l < LEVELS; l++) {
      for (let k = 0; k < WIDTH; k++) {
        const dependsOn = l === 0 ? [] : Array.from({ length: WIDTH }, (_, j) => ({ agent: name(l - 1, j), condition: 'ready', restart: false }));
        // restart never: a failed bind must show up as a failure, not a crash loop.
        specs.push(spec({ name: name(l, k), command: cmd('listen-tcp', ports[l * WIDTH + k]), readiness: tcp(ports[l * WIDTH + k]), dependsOn, restart: { ...IMMEDIATE, when: 'never' } }));
      }
    }
    const readyAt = new Map();
    const total = await withEngine(plan(specs), async (e) => {
      e.onEvent((ev) => {
        if (ev.type === 'agent-ready') readyAt.set(ev.agent, performance.now());
        if (ev.type === 'agent-ready' && ev.agent.endsWith('n0')) console.error(`  (${ev.agent} ready)`);
      });
      const t0 = performance.now();
      await e.startAll();
      readyAt.set('start', t0);
      const bad = e.status().filter((st) => st.state !== 'running');
      if (bad.length > 0) throw new Error(`dag: not running: ${bad.map((st) => `${st.name} ${st.state} ${st.detail ?? ''}`).join('; ')}`);
      return performance.now() - t0;
    });
    const levelDone = (l) => (l < 0 ? readyAt.get('start') : Math.max(...Array.from({ length: WIDTH }, (_, k) => readyAt.get(name(l, k)))));
    const per = Array.from({ length: LEVELS }, (_, l) => levelDone(l) - levelDone(l - 1));
    const above = per.map((x) => x - floor);
    console.log(`dag ${N} agents in ${LEVELS} levels, tcp readiness (10 ms interval): total ${ms(total)}; level floor (${WIDTH} bare spawns to accepting) median ${ms(floor)} of [${floors.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`  per level ${per.map((x) => x.toFixed(0)).join(' ')} ms; above floor median ${ms(median(above))}, max ${ms(Math.max(...above))}`);
  },

  async restart() {
    const RUNS = 30;
    // Floor: a bare spawn returning a pid, and a bare spawn until its port accepts.
    const spawnFloor = [];
    const readyFloor = [];
    for (let r = 0; r < 10; r++) {
      const port = await freePort();
      const t0 = performance.now();
      const c = await bareSpawn(cmd('listen-tcp', port));
      spawnFloor.push(performance.now() - t0);
      await untilAccepts(port);
      readyFloor.push(performance.now() - t0);
      killAll([c]);
    }
    const port = await freePort();
    const r = await withEngine(plan([spec({ name: 'r', command: cmd('listen-then-exit', port, 200), readiness: tcp(port) })]), async (e) => {
      const spawned = [];
      const ready = [];
      let exitAt = 0;
      await new Promise((done) => {
        e.onEvent((ev) => {
          if (ev.type === 'agent-exited') exitAt = performance.now();
          if (ev.type === 'agent-started' && exitAt > 0) spawned.push(performance.now() - exitAt);
          if (ev.type === 'agent-ready' && exitAt > 0) ready.push(performance.now() - exitAt);
          if (ready.length >= RUNS) done();
        });
        void e.startAll();
      });
      return { spawned, ready };
    });
    console.log(`restart, strategy immediate, ${RUNS} runs: exit→spawn returned pid median ${ms(median(r.spawned))}, max ${ms(Math.max(...r.spawned))} (bare spawn floor median ${ms(median(spawnFloor))})`);
    console.log(`  exit→ready (tcp probe every 10 ms) median ${ms(median(r.ready))}, max ${ms(Math.max(...r.ready))} (bare spawn-to-accepting floor median ${ms(median(readyFloor))})`);
  },

  async stop() {
    await stopScenario('node', (slow) => (slow ? cmd('ignore-sigterm', 500) : cmd('forever')));
  },

  // The same with `sh` agents, whose teardown is cheap: what is left above 0.5 s is the supervisor's own work.
  async 'stop-sh'() {
    await stopScenario('sh', (slow) =>
      slow ? ['sh', '-c', 'trap "sleep 0.5; exit 0" TERM; echo ignoring; while :; do sleep 0.05; done'] : ['sh', '-c', 'exec sleep 100000'],
    );
  },

  async idle() {
    const window = Number(process.env.IDLE_MS ?? 30_000);
    const samplers = { proc: procSampler, pidusage: pidusageSampler };
    const which = process.env.SAMPLER;
    if (which !== undefined && !samplers[which]) throw new Error(`SAMPLER=${which}; known: ${Object.keys(samplers).join(', ')}`);
    const options = which ? { sampler: samplers[which]() } : {};
    const r = await withEngine(plan(Array.from({ length: N }, (_, k) => spec({ name: `i${k}` }))), async (e) => {
      await e.startAll();
      const started = performance.now();
      // Let startup garbage settle out of the first window.
      await sleep(2500);
      const early = await measureIdle(window);
      // The second window starts a minute after startup: the monitor's code is compiled by then, as in a daemon that has run for a while.
      await sleep(Math.max(0, 60_000 - (performance.now() - started)));
      const steady = await measureIdle(window);
      return { early, steady };
    }, options);
    const line = (what, m) => `${what}: supervisor cpu ${m.cpu.toFixed(2)}% of a core, max rss ${(m.rss / 1024 ** 2).toFixed(1)} MiB (heap used ${(m.heap / 1024 ** 2).toFixed(1)} MiB)`;
    console.log(`idle ${N} agents, ${window / 1000} s windows at 2 s sampling, sampler ${which ?? 'engine default'}`);
    console.log(`  ${line('from 2.5 s after start', r.early)}`);
    console.log(`  ${line('from 60 s after start (steady)', r.steady)}`);
  },
};

/**
 * 100 agents of which every tenth takes 0.5 s to honour SIGTERM: the engine's stopAll() against a floor of the
 * same processes spawned bare, SIGTERMed in one loop, until every exit event.
 */
async function stopScenario(kind, argvOf) {
  const kids = await Promise.all(
    Array.from({ length: N }, (_, k) =>
      new Promise((resolve, reject) => {
        const slow = k % 10 === 0;
        const argv = argvOf(slow);
        const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', slow ? 'pipe' : 'ignore', 'ignore'], detached: true });
        c.once('error', reject);
        // A slow one counts once its SIGTERM handler is installed (it prints).
        if (slow) c.stdout.once('data', () => resolve(c));
        else c.once('spawn', () => resolve(c));
      }),
    ),
  );
  const f0 = performance.now();
  const exits = kids.map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of kids) process.kill(-c.pid, 'SIGTERM');
  await Promise.all(exits);
  const floor = performance.now() - f0;
  const slowReady = { kind: 'log', pattern: 'ignoring', intervalMs: 20, timeoutMs: 1000, failures: 3, initialDelayMs: 0 };
  const specs = Array.from({ length: N }, (_, k) =>
    k % 10 === 0 ? spec({ name: `s${k}`, command: argvOf(true), readiness: slowReady }) : spec({ name: `s${k}`, command: argvOf(false) }),
  );
  const t = await withEngine(plan(specs), async (e) => {
    await e.startAll();
    const t0 = performance.now();
    await e.stopAll();
    return performance.now() - t0;
  });
  console.log(`stop ${N} ${kind} agents (10 take 0.5 s to honour SIGTERM): engine ${ms(t)}; bare floor (SIGTERM all, wait for every exit event) ${ms(floor)}; above floor ${ms(t - floor)}; above 0.5 s ${ms(t - 500)}`);
}

function sleep(ms) {
  return new Promise((res) => setTimeout(res, ms));
}

/**
 * Supervisor CPU over one window, and its peak RSS from the kernel's
 * high-water mark (reset at the start with clear_refs 5), so no timer of the
 * measurement wakes the supervisor; where the reset is refused, a 2 s timer
 * samples RSS instead.
 */
async function measureIdle(window) {
  let timer;
  let maxRss = 0;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    timer = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage.rss())), 2000);
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(window);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  clearInterval(timer);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'));
  if (!timer && hwm) maxRss = Number(hwm[1]) * 1024;
  return { cpu: ((c.user + c.system) / 1000 / wall) * 100, rss: Math.max(maxRss, process.memoryUsage.rss()), heap: process.memoryUsage().heapUsed };
}

const asked = process.argv.slice(2);
if (asked.length === 1 && process.env.BENCH_CHILD === '1') {
  await scenarios[asked[0]]();
} else {
  for (const name of asked.length > 0 ? asked : Object.keys(scenarios)) {
    if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    await new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [fileURLToPath(import.meta.url), name], { stdio: 'inherit', env: { ...process.env, BENCH_CHILD: '1' } });
      c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}`))));
    });
  }
}
