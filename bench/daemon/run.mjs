// Daemon round trips, measured on the built CLI (run `npm run build` first):
//   1. `orchestra status` end to end against a running daemon (target ≤ 150 ms);
//   2. `orchestra plan` of a 1,000-agent manifest against a running daemon (target ≤ 800 ms);
//   3. `orchestra apply` of a one-field change in a 100-agent fleet (target ≤ 300 ms + that agent's start).
// Each is compared with a bare `node -e ''` start measured in the same run.
// Usage: node bench/daemon/run.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateManifest } from '../load/generate.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const forever = join(root, 'test/fixtures/agents/forever.js');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function orchestra(cwd, ...args) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0 && r.status !== 2) throw new Error(`orchestra ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}
function fleet(count, changed = -1) {
  const lines = ['version: 1', 'name: bench', 'agents:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  a${i}:`, `    command: ["node", "${forever}"]`, '    stop: { timeout: 2s }');
    lines.push(`    env: { VERSION: "${i === changed ? 2 : 1}" }`);
  }
  return lines.join('\n') + '\n';
}

const floor = median(Array.from({ length: runs }, () => time(() => execFileSync(process.execPath, ['-e', '']))));
const results = [];
const dir = mkdtempSync(join(tmpdir(), 'orchestra-bench-daemon-'));
try {
  writeFileSync(join(dir, 'orchestra.yaml'), fleet(100));
  orchestra(dir, 'apply', '--yes');

  const status = median(Array.from({ length: runs }, () => time(() => orchestra(dir, 'status'))));
  results.push(['status round trip (100 agents)', status, 150]);

  const big = generateManifest(join(dir, 'big'), 1000);
  const plan = median(
    Array.from({ length: runs }, () => time(() => orchestra(dir, 'plan', '-f', big, '--state-dir', join(dir, '.orchestra')))),
  );
  results.push(['plan, 1,000 agents, daemon running', plan, 800]);

  const applies = [];
  for (let n = 0; n < Math.min(runs, 5); n++) {
    writeFileSync(join(dir, 'orchestra.yaml'), fleet(100, n % 2 === 0 ? 7 : -1));
    const before = JSON.parse(readFileSync(join(dir, '.orchestra/state.json'), 'utf8')).agents;
    applies.push(time(() => orchestra(dir, 'apply', '--yes')));
    const after = JSON.parse(readFileSync(join(dir, '.orchestra/state.json'), 'utf8')).agents;
    const changed = Object.keys(after).filter((k) => after[k].pid !== before[k]?.pid);
    if (changed.join() !== 'a7') throw new Error(`expected only a7 to restart, got ${changed.join(', ')}`);
  }
  results.push(['apply one-field change, 100 agents (incl. a7 restart)', median(applies), 300]);
} finally {
  spawnSync(process.execPath, [cli, 'down'], { cwd: dir });
  rmSync(dir, { recursive: true, force: true });
}

console.log(`bare node start (floor): ${floor.toFixed(0)} ms (median of ${runs})\n`);
console.log('| measure | median ms | target ms | ratio to node start |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, ms, target] of results) {
  console.log(`| ${name} | ${ms.toFixed(0)} | ${target} | ${(ms / floor).toFixed(2)}× |`);
}
