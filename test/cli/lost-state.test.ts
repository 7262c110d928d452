import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { chooseBoundary } from '../../src/supervise/boundary.js';
import { statePaths } from '../../src/daemon/paths.js';
import { cgroup2Mount } from '../../src/supervise/cgroup-fs.js';
import { projectCgroupName } from '../../src/supervise/cgroup-boundary.js';
import { alive, fixtureAgents, Project } from './project.js';

// Agents that overwrite their environment (as redis-server and nginx do), so the marker scan alone cannot find them.
const manifest = [
  'version: 1',
  'name: lost',
  'agents:',
  ...['kv', 'web'].flatMap((n) => [`  ${n}:`, `    command: ["perl", "${fixtureAgents}overwrite-environ.pl"]`, '    stop: { timeout: 2s }']),
  '  plain:',
  `    command: ["node", "${fixtureAgents}forever.js"]`,
  '    stop: { timeout: 2s }',
  '',
].join('\n');

/** Live agent processes of the project (by cwd), the retitled ones by their title. */
function agentProcesses(dir: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        return (cmd.startsWith('overwrite-environ') || cmd.includes('forever.js')) && readlinkSync(`/proc/${d}/cwd`) === dir && alive(Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cgroupHere = chooseBoundary(statePaths(join(fixtureAgents, 'no-such-state-dir')), {});
const cgroupSkip = cgroupHere.info.kind === 'cgroup' ? false : cgroupHere.info.reason!;
cgroupHere.cleanup();

for (const { kind, env, skip } of [
  { kind: 'cgroup', env: {}, skip: cgroupSkip },
  { kind: 'tree', env: { ORCHESTRA_BOUNDARY: 'tree' }, skip: false },
]) {
  for (const loss of ['deleted', 'corrupted'] as const) {
    t.test(`${kind}: state.json ${loss} while agents that overwrite their environment run → adopted, nothing started twice`, { skip }, async (t) => {
      const p = new Project(t, manifest, env);
      const applied = p.cli('apply', '--yes');
      t.equal(applied.code, 0, applied.stderr);
      const before = p.pids();
      t.same(Object.keys(before).sort(), ['kv', 'plain', 'web']);
      for (const n of ['kv', 'web']) {
        await until(`${n} to overwrite its environment`, () => {
          try {
            return !readFileSync(`/proc/${before[n]}/environ`, 'latin1').includes('ORCHESTRA_INSTANCE');
          } catch {
            return false;
          }
        });
      }
      const daemon = p.daemonPid()!;
      process.kill(daemon, 'SIGKILL');
      await until('the daemon to die', () => !alive(daemon));
      const stateFile = join(p.stateDir, 'state.json');
      if (loss === 'deleted') rmSync(stateFile);
      else writeFileSync(stateFile, '{"version": 1, "agents": {');

      const status = p.cli('status', '--json');
      t.equal(status.code, 0, status.stderr);
      const snapshot = JSON.parse(status.stdout) as { agents: { name: string; pid?: number; state: string }[] };
      t.same(Object.fromEntries(snapshot.agents.map((a) => [a.name, a.pid])), before, 'every instance adopted with its pid');
      t.ok(snapshot.agents.every((a) => a.state === 'running'), 'all running');
      const plan = p.cli('plan', '--detailed-exitcode');
      t.equal(plan.code, 0, `plan offers nothing: ${plan.stdout}${plan.stderr}`);
      const apply = p.cli('apply', '--yes');
      t.equal(apply.code, 0, apply.stderr);
      t.same(agentProcesses(p.dir).sort(), Object.values(before).sort(), 'no duplicate in /proc');

      const down = p.cli('down');
      t.equal(down.code, 0, `down: ${down.stdout}${down.stderr}` + (down.code === 0 ? '' : readFileSync(join(p.stateDir, 'daemon.log'), 'utf8')));
      for (const pid of Object.values(before)) t.notOk(alive(pid), `pid ${pid} gone after down`);
      if (kind === 'cgroup') t.notOk(existsSync(join(cgroup2Mount()!, 'orchestra', projectCgroupName(p.stateDir))), 'no cgroup left after down');
    });
  }
}
