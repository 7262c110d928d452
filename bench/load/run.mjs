// Load benchmark: generates a 1,000-agent manifest (templates with extends,
// defaults, an environment overlay, Handlebars per replica, a deep dependency
// DAG) and prints
//   - in-process loadManifest time (first call, then the median of the rest),
//   - end-to-end `node dist/cli/main.js validate -f FILE` (median of 5),
//   - a bare `node -e ''` start (median of 5) and the ratio of the two.
// Target: end-to-end validate of 1,000 agents within 600 ms. Prints figures,
// asserts nothing. Needs `npm run build` first (imports dist/).
//   node bench/load/run.mjs [--agents N] [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateManifest } from './generate.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const agents = arg('--agents', 1000);
const runs = arg('--runs', 7);

const loaderPath = join(root, 'dist', 'manifest', 'load.js');
if (!existsSync(loaderPath)) {
  console.error('dist/manifest/load.js is missing: run `npm run build` first.');
  process.exit(1);
}
const { loadManifest } = await import(loaderPath);

const dir = mkdtempSync(join(tmpdir(), 'orchestra-bench-'));
try {
  const file = generateManifest(dir, agents);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = (x) => `${x.toFixed(0)} ms`;
  console.log(`machine: ${cpus().length} cpus, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`manifest: ${agents} agents, environment production, ${file}`);

  const inProcess = [];
  let instances = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await loadManifest({ files: [file], environment: 'production', env: { PATH: process.env.PATH } });
    inProcess.push(performance.now() - t0);
    if (r.diagnostics.length > 0) {
      console.error('the generated manifest has diagnostics:', r.diagnostics.slice(0, 3));
      process.exit(1);
    }
    instances = r.plan.instances.length;
  }
  console.log(`loadManifest in process: first ${ms(inProcess[0])}, median of the next ${runs - 1} ${ms(median(inProcess.slice(1)))} (${instances} instances)`);

  // CPU time of waited-for children (user + system), from /proc/self/stat; a
  // shared box's load inflates wall time far more than CPU time.
  const childCpu = () => {
    try {
      const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
    } catch {
      return NaN;
    }
  };
  const time = (argv, env = {}) => {
    const c0 = childCpu();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
    const elapsed = performance.now() - t0;
    return { elapsed, cpu: childCpu() - c0, status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const bare = [];
  const bareCpu = [];
  for (let i = 0; i < 5; i++) {
    const r = time(['-e', '']);
    bare.push(r.elapsed);
    bareCpu.push(r.cpu);
  }
  console.log(`bare node -e '': median of 5 ${ms(median(bare))} wall, ${ms(median(bareCpu))} cpu`);

  const cli = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) {
    console.log('end-to-end validate: skipped (dist/cli/main.js does not exist yet)');
  } else {
    const e2e = [];
    const e2eCpu = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = time([cli, 'validate', '-f', file, '--env', 'production'], { NO_COLOR: '1' });
      e2e.push(last.elapsed);
      e2eCpu.push(last.cpu);
    }
    if (last.status !== 0) console.log(`end-to-end validate exited ${last.status}:\n${last.output.slice(0, 500)}`);
    const m = median(e2e);
    console.log(`end-to-end validate: median of 5 ${ms(m)} wall, ${ms(median(e2eCpu))} cpu (${(m / median(bare)).toFixed(1)}× a bare node start; target 600 ms: ${m <= 600 ? 'met' : 'missed'})`);
  }
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    console.log(`commit ${commit}`);
  } catch {
    // not a git checkout; the figures stand on their own
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
