// Renders compare.mjs results: the markdown "Comparison" section for docs/performance.md and an SVG bar
// chart of each tool's ratio to the floor (log scale, since ratios span orders of magnitude). Pure.

const TOOLS = ['floor', 'orchestra', 'orchestra-tree', 'pm2', 'supervisord'];
const ROWS = [
  ['w1StartMs', 'W1 cold start, 100 agents (ms)'],
  ['w2CpuPct', 'W2 supervisor CPU, idle, right after start (% of a core)'],
  ['w2SteadyCpuPct', 'W2 supervisor CPU, idle, steady (% of a core)'],
  ['w2RssMiB', 'W2 supervisor RSS, idle, right after start (MiB)'],
  ['w2SteadyRssMiB', 'W2 supervisor RSS, idle, steady (MiB)'],
  ['w3RestartMs', 'W3 restart latency after SIGKILL (ms)'],
  ['w4StopMs', 'W4 stop all (ms)'],
];
const fmt = (v) => (Number.isNaN(v) ? '—' : v >= 100 ? String(Math.round(v)) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const ratio = (v, f) => (f > 0 ? `${(v / f).toFixed(2)}×` : '—');

/** The markdown section: medians, ratios to the floor, grandchildren and crash behaviour. */
export function renderTable(meta, medians, crash) {
  const lines = [
    '## Comparison',
    '',
    `Script: \`bench/compare/compare.mjs\` (run \`npm run build && node bench/compare/compare.mjs\`). ` +
      `Generated ${meta.date.slice(0, 16).replace('T', ' ')} UTC on the shared ${meta.cpus}-core VM, Node ${meta.node}; ` +
      `${meta.agents} agents, median of ${meta.runs} runs, idle windows of ${meta.idleSeconds} s from 1 s and from ${meta.steadyFromSeconds ?? '—'} s after the last agent started` +
      (meta.load ? `, load average (1 min) ${meta.load.min}–${meta.load.max} during the run` : '') +
      '. CPU is the supervisor\'s own threads (schedstat, ns). ' +
      '`orchestra-tree` is the same daemon forced onto the process-tree boundary (`ORCHESTRA_BOUNDARY=tree`); `orchestra` uses the cgroup boundary. ' +
      'Agents are tiny `sh` scripts (bench/compare/agent.sh) so the supervisor, not process start-up, dominates. ' +
      'Each cell is the median and its ratio to the floor (a bare Node spawner, bench/compare/floor.mjs). Lower is better.',
    '',
    `| measure | ${TOOLS.join(' | ')} |`,
    `|---|${TOOLS.map(() => '---').join('|')}|`,
  ];
  for (const [key, label] of ROWS) {
    const f = medians.floor[key];
    lines.push(`| ${label} | ${TOOLS.map((t) => (t === 'floor' ? fmt(medians[t][key]) : `${fmt(medians[t][key])} (${ratio(medians[t][key], f)})`)).join(' | ')} |`);
  }
  lines.push(`| W4 grandchildren left after stop (of 10) | ${TOOLS.map((t) => String(Math.round(medians[t].w4GrandchildrenLeft))).join(' | ')} |`);
  lines.push(`| W5 agents still running (orphaned) after a supervisor SIGKILL (of ${meta.agents}) | ${TOOLS.map((t) => crash[t].orphansAlive).join(' | ')} |`);
  lines.push(`| W5 duplicate agents once the supervisor is back (orchestra: \`status\`; PM2: \`resurrect\`; others: started again) | ${TOOLS.map((t) => crash[t].duplicates).join(' | ')} |`);
  lines.push('', '![ratio to the floor](images/compare.svg)');
  return lines.join('\n');
}

/** A grouped horizontal bar chart of ratio-to-floor per measure, log scale from 0.1× to the largest ratio. */
export function renderSvg(medians) {
  const colors = { orchestra: '#2563eb', 'orchestra-tree': '#7c3aed', pm2: '#16a34a', supervisord: '#d97706' };
  const tools = ['orchestra', 'orchestra-tree', 'pm2', 'supervisord'];
  const ratios = ROWS.map(([k]) => tools.map((t) => (medians.floor[k] > 0 ? medians[t][k] / medians.floor[k] : NaN)));
  const max = Math.max(10, ...ratios.flat().filter(Number.isFinite));
  const lo = Math.log10(0.1);
  const hi = Math.ceil(Math.log10(max));
  const left = 280;
  const width = 820;
  const plot = width - left - 40;
  const x = (r) => left + ((Math.log10(Math.max(r, 0.1)) - lo) / (hi - lo)) * plot;
  const bar = 14;
  const group = tools.length * bar + 16;
  const height = 60 + ROWS.length * group + 40;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Ratio to the floor (log scale; 1× = bare spawner; lower is better)</text>`,
  ];
  for (let e = Math.round(lo); e <= hi; e++) {
    const gx = x(10 ** e);
    parts.push(`<line x1="${gx}" y1="40" x2="${gx}" y2="${height - 40}" stroke="${e === 0 ? '#111' : '#ddd'}"/>`);
    parts.push(`<text x="${gx}" y="${height - 24}" text-anchor="middle">${10 ** e}×</text>`);
  }
  ROWS.forEach(([, label], i) => {
    const y0 = 50 + i * group;
    parts.push(`<text x="${left - 8}" y="${y0 + (tools.length * bar) / 2 + 4}" text-anchor="end">${label.replace(/&/g, '&amp;')}</text>`);
    tools.forEach((t, j) => {
      const r = ratios[i][j];
      if (!Number.isFinite(r)) return;
      const y = y0 + j * bar;
      parts.push(`<rect x="${x(0.1)}" y="${y}" width="${Math.max(1, x(r) - x(0.1))}" height="${bar - 2}" fill="${colors[t]}"/>`);
      parts.push(`<text x="${x(r) + 4}" y="${y + bar - 4}">${r.toFixed(2)}×</text>`);
    });
  });
  tools.forEach((t, j) => {
    parts.push(`<rect x="${left + j * 130}" y="${height - 14}" width="10" height="10" fill="${colors[t]}"/><text x="${left + j * 130 + 14}" y="${height - 5}">${t}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
