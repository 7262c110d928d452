// Churn CPU, side by side (not a test, not in CI): the soak's fleet (20 agents that exit 1 after 1-3 s and are
// restarted at once, 10 that print 100 lines a second; logs at each tool's defaults) under the floor (a bare Node spawner), orchestra (dist/),
// PM2 and supervisord, one after another, RUNS rounds. For each: the supervisor's CPU (user and kernel) over
// WINDOW_S seconds after WARM_S, the restarts it made in that window (each crash agent appends a line to a shared
// file when it starts), its minor page faults a second, and the ratio of its median CPU to the floor's. Run:
// `npm run build && node bench/compare/churn.mjs` (RUNS=3 WARM_S=15 WINDOW_S=40; TOOLS=floor,orchestra for a subset).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, makeTools, sleep } from './tools.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const WARM_S = Number(process.env.WARM_S ?? 15);
const WINDOW_S = Number(process.env.WINDOW_S ?? 40);
const only = process.env.TOOLS?.split(',');
const repo = fileURLToPath(new URL('../../', import.meta.url));
const printer = join(repo, 'test', 'fixtures', 'agents', 'print-slowly.js');
const CLK_TCK = 100;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** utime, stime (ticks) and minor faults of one process. */
function usage(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]), sys: Number(f[12]), minflt: Number(f[7]) };
}
const lines = (file) => {
  try {
    return readFileSync(file, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
};

const tools = makeTools().filter((t) => t.name !== 'orchestra-tree' && (!only || only.includes(t.name)));
const results = Object.fromEntries(tools.map((t) => [t.name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const tool of tools) {
    const dir = mkdtempSync(join(tmpdir(), `churn-${tool.name}-`));
    const starts = join(dir, 'starts');
    // Scripts run by `sh`, as every tool here takes a command (PM2 as script and interpreter, supervisord unquoted).
    writeFileSync(join(dir, 'crash.sh'), `echo $$ >> ${starts}; sleep "$1"; exit 1\n`);
    writeFileSync(join(dir, 'chatty.sh'), `exec ${process.execPath} ${printer} 10\n`);
    const agents = [];
    for (let i = 0; i < 20; i++) agents.push({ name: `crash${i}`, command: ['sh', join(dir, 'crash.sh'), String(1 + (i % 3))] });
    for (let i = 0; i < 10; i++) agents.push({ name: `chatty${i}`, command: ['sh', join(dir, 'chatty.sh')] });
    try {
      tool.setup(dir, agents, { ...process.env });
      await tool.start();
      let pid;
      for (let k = 0; k < 200 && !(pid = tool.supervisorPid()); k++) await sleep(50);
      if (!pid) throw new Error(`${tool.name}: no supervisor pid`);
      await sleep(WARM_S * 1000);
      const a = usage(pid);
      const s0 = lines(starts);
      const t0 = Date.now();
      await sleep(WINDOW_S * 1000);
      const b = usage(pid);
      const dt = (Date.now() - t0) / 1000;
      const r = {
        cpu: ((b.user + b.sys - a.user - a.sys) / CLK_TCK / dt) * 100,
        sys: ((b.sys - a.sys) / CLK_TCK / dt) * 100,
        restartsPerS: (lines(starts) - s0) / dt,
        faultsPerS: (b.minflt - a.minflt) / dt,
      };
      results[tool.name].push(r);
      console.log(`${tool.name} run ${run}: ${r.cpu.toFixed(1)}% of a core (kernel ${r.sys.toFixed(1)}%), ${r.restartsPerS.toFixed(1)} restarts/s, ${r.faultsPerS.toFixed(0)} minor faults/s`);
    } finally {
      const pid = tool.supervisorPid();
      // The floor leaves its agents to a SIGTERM (stopAll); every tool's cleanup then ends the supervisor.
      if (pid && alive(pid)) await tool.stopAll();
      tool.cleanup();
      for (let k = 0; k < 100 && pid && alive(pid); k++) await sleep(100);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  }
}

const floor = results.floor?.length ? median(results.floor.map((r) => r.cpu)) : undefined;
console.log('\nmedians (CPU % of a core; per restart: CPU ms and minor faults):');
for (const [name, rs] of Object.entries(results)) {
  const cpu = median(rs.map((r) => r.cpu));
  const rate = median(rs.map((r) => r.restartsPerS));
  const ratio = floor ? ` ${(cpu / floor).toFixed(2)}x the floor` : '';
  console.log(`  ${name.padEnd(12)} ${cpu.toFixed(1)}% (kernel ${median(rs.map((r) => r.sys)).toFixed(1)}%), ${rate.toFixed(1)} restarts/s, ${((cpu * 10) / rate).toFixed(1)} ms and ${(median(rs.map((r) => r.faultsPerS)) / rate).toFixed(0)} faults a restart;${ratio}`);
}
