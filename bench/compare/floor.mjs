// The floor: the least a supervisor can do. Spawns every agent of a JSON spec file in its own process group
// with output appended to a log file, respawns one the moment it exits, and on SIGTERM sends SIGTERM to
// every group, waits up to the stop timeout, SIGKILLs what is left, and exits. Nothing else: no state, no API.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';

const { agents, logDir, stopTimeoutMs } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const live = new Map();
const groups = new Set();
// Once every agent is gone, whatever is left in their groups (grandchildren) is SIGKILLed before we exit.
const finish = () => {
  for (const g of groups) try { process.kill(-g, 'SIGKILL'); } catch {}
  process.exit(0);
};
let stopping = false;

function run(a) {
  const fd = openSync(`${logDir}/${a.name}.log`, 'a', 0o600);
  const child = spawn(a.command[0], a.command.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.set(a.name, child);
  groups.add(child.pid);
  child.on('exit', () => {
    live.delete(a.name);
    if (!stopping) {
      groups.delete(child.pid);
      run(a);
    } else if (live.size === 0) finish();
  });
}

process.on('SIGTERM', () => {
  stopping = true;
  if (live.size === 0) finish();
  for (const c of live.values()) try { process.kill(-c.pid, 'SIGTERM'); } catch {}
  setTimeout(() => {
    for (const c of live.values()) try { process.kill(-c.pid, 'SIGKILL'); } catch {}
  }, stopTimeoutMs).unref();
});
writeFileSync(`${logDir}/floor.pid`, String(process.pid));
for (const a of agents) run(a);
