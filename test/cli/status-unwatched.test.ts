import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { StatusSnapshot } from '../../src/report/status-snapshot.js';
import { fixtureAgents, Project } from './project.js';

// A look keeps the fleet watched for 300 ms here; unwatched, full rounds come once a minute (the default): within
// the test, no round comes on its own once the watch has run out.
const env = { ORCHESTRA_MONITOR_UNWATCHED: '300,60000' };

t.test('status after a stretch nobody watched shows figures measured for it, and the sparkline fills the gap with them', async (t) => {
  const p = new Project(
    t,
    [
      'version: 1',
      'name: test',
      // Usage step (every fifth interval): 1 s.
      'monitor: { interval: 200ms }',
      'agents:',
      '  burner:',
      // Blocked on the fifo (no CPU at all, however loaded the machine) until the test writes to it.
      `    command: ["sh", "-c", "read x < go; exec node ${fixtureAgents}burn-cpu.js"]`,
      '    stop: { timeout: 2s }',
    ].join('\n') + '\n',
    env,
  );
  spawnSync('mkfifo', [join(p.dir, 'go')]);
  t.equal(p.cli('apply', '--yes').code, 0);
  const status = (): StatusSnapshot => JSON.parse(p.cli('status', '--json').stdout) as StatusSnapshot;
  const burner = () => status().agents.find((a) => a.name === 'burner')!;
  // Looks until a round has measured the idle agent (the first look before any round has no figures to wait for).
  const deadline = Date.now() + 60_000;
  while (burner().cpuPercent === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const idle = burner().cpuPercent;
  t.ok((idle ?? 100) < 5, `idle at first (${idle?.toFixed(1)} % of a core)`);
  // Nobody looks for 2.5 s: the watch runs out, no round comes; meanwhile the agent starts to burn a core.
  await new Promise((r) => setTimeout(r, 1000));
  // Non-blocking: an agent that is not reading makes this fail (ENXIO) rather than hang.
  const fifo = openSync(join(p.dir, 'go'), constants.O_WRONLY | constants.O_NONBLOCK);
  writeSync(fifo, 'go\n');
  closeSync(fifo);
  await new Promise((r) => setTimeout(r, 1500));
  const a = burner();
  t.ok((a.cpuPercent ?? 0) > 10, `the look waited for a round: ${a.cpuPercent?.toFixed(1)} % of a core (the figures before were under 5 %)`);
  const [last, before] = [a.history.cpuPercent.at(-1), a.history.cpuPercent.at(-2)];
  t.equal(last, a.cpuPercent, 'the round recorded its point');
  t.equal(before, last, 'and one more for the step it also spans: the gap carries its average, not a made-up curve');
  t.equal(p.cli('stop', 'burner').code, 0);
});
