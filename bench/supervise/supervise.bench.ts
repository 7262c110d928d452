/**
 * Supervision benchmarks (prints figures; not a test). Run with
 * `node --import @tapjs/typescript/import bench/supervise/supervise.bench.ts` or after a build.
 * - start: 100 independent agents to running, against a bare spawn loop (the floor)
 * - restart: latency from an exit to the next spawn with strategy immediate
 * - stop: 100 agents, 10 of which take 0.5 s to honour SIGTERM
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentSpec, Plan } from '../../src/plan/spec.js';
import { Engine } from '../../src/supervise/engine.js';

const FIX = fileURLToPath(new URL('../../test/fixtures/agents/', import.meta.url));
const cmd = (name: string, ...a: (string | number)[]) => [process.execPath, join(FIX, `${name}.js`), ...a.map(String)];
const spec = (o: Partial<AgentSpec> & { name: string }): AgentSpec => ({
  agent: o.name, replica: { index: 0, count: 1 }, type: 'service', command: cmd('forever'), shell: false, cwd: FIX, env: {}, envFiles: [],
  inheritEnv: true, disabled: false, priority: 0, dependsOn: [],
  restart: { when: 'on-failure', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 300_000 },
  stop: { signal: 'SIGTERM', timeoutMs: 10_000 }, startup: { timeoutMs: 60_000, retries: 0 }, logs: { maxSizeBytes: 10 << 20, keep: 5 },
  secretKeys: [], extensions: {}, ...o,
});
const plan = (instances: AgentSpec[]): Plan => ({ version: 1, name: 'bench', files: [], baseDir: FIX, agents: instances.map((i) => ({ name: i.name, instances: [i.name] })), instances, monitor: { intervalMs: 2000 }, origins: {} });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function floor(n: number): Promise<number> {
  const t0 = performance.now();
  const kids = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof spawn>>((r) => { const c = spawn(cmd('forever')[0]!, cmd('forever').slice(1), { stdio: 'ignore', detached: true }); c.once('spawn', () => r(c)); })));
  const ms = performance.now() - t0;
  for (const c of kids) process.kill(-c.pid!, 'SIGKILL');
  return ms;
}

async function withEngine<T>(p: Plan, f: (e: Engine) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'orchestra-bench-'));
  const e = new Engine(p, { stateDir: dir });
  try {
    return await f(e);
  } finally {
    await e.kill();
    await e.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const N = 100;
const floorMs = await floor(N);
const startMs = await withEngine(plan(Array.from({ length: N }, (_, k) => spec({ name: `a${k}` }))), async (e) => {
  const t0 = performance.now();
  await e.startAll();
  return performance.now() - t0;
});
console.log(`start ${N} agents: floor ${floorMs.toFixed(0)} ms, engine ${startMs.toFixed(0)} ms, ratio ${(startMs / floorMs).toFixed(2)}`);

const restart = await withEngine(plan([spec({ name: 'r', command: cmd('exit-with', 1), restart: { when: 'always', strategy: 'immediate', delayMs: 0, maxDelayMs: 0, maxAttempts: 0, resetAfterMs: 300_000 } })]), async (e) => {
  const lat: number[] = [];
  let exitAt = 0;
  await new Promise<void>((done) => {
    e.onEvent((ev) => {
      if (ev.type === 'agent-exited') exitAt = performance.now();
      if (ev.type === 'agent-started' && exitAt > 0) lat.push(performance.now() - exitAt);
      if (lat.length >= 30) done();
    });
    void e.startAll();
  });
  await e.stopAll();
  return lat;
});
console.log(`restart latency (exit → next spawn, immediate), 30 runs: median ${median(restart).toFixed(1)} ms, max ${Math.max(...restart).toFixed(1)} ms`);

const stopMs = await withEngine(
  plan(Array.from({ length: N }, (_, k) => (k % 10 === 0 ? spec({ name: `s${k}`, command: cmd('ignore-sigterm', 500), readiness: { kind: 'log', pattern: 'ignoring', intervalMs: 20, timeoutMs: 1000, failures: 3, initialDelayMs: 0 } }) : spec({ name: `s${k}` })))),
  async (e) => {
    await e.startAll();
    const t0 = performance.now();
    await e.stopAll();
    return performance.now() - t0;
  },
);
console.log(`stop ${N} agents (10 take 0.5 s on SIGTERM): ${stopMs.toFixed(0)} ms`);

const idle = await withEngine({ ...plan(Array.from({ length: N }, (_, k) => spec({ name: `i${k}` }))), monitor: { intervalMs: 2000 } }, async (e) => {
  await e.startAll();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Number(process.env.IDLE_MS ?? 30_000)));
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  return { cpu: ((c.user + c.system) / 1000 / wall) * 100, rss: process.memoryUsage().rss };
});
console.log(`idle ${N} agents, 2 s sampling: supervisor cpu ${idle.cpu.toFixed(2)}% of a core, rss ${(idle.rss / 1024 ** 2).toFixed(1)} MiB`);
