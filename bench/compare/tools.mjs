// The four contestants behind one interface: write a config for a fleet, start it, stop it, kill and
// restart the supervisor, clean up. Each runs in a private temp folder (its own PM2_HOME, supervisord
// socket and pidfile, orchestra state dir); only pids we started are ever signalled.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..', '..');
const orchestraCli = join(repo, 'dist', 'cli', 'main.js');
const pm2Bin = join(repo, 'node_modules', 'pm2', 'bin', 'pm2');
export const agentScript = join(here, 'agent.sh');
export const STOP_TIMEOUT_S = 2;

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000, ...opts });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} → ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}
const readPid = (file) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || undefined : undefined);

/** Each tool: { name, setup(dir, agents, env), start(), supervisorPid(), stopAll(), restartSupervisor(), cleanup() }. */
export function makeTools({ gate = false } = {}) {
  // orchestra-tree: the same daemon forced onto the process-tree boundary, so the cgroup boundary's cost shows against it.
  const tools = [floor(), orchestra(), orchestra('orchestra-tree', { ORCHESTRA_BOUNDARY: 'tree' }), pm2(), supervisord()];
  // orchestra-gate (on request): agents spawned through the old `sh` gate instead of born inside their cgroup.
  if (gate) tools.splice(3, 0, orchestra('orchestra-gate', { ORCHESTRA_CGROUP_SPAWN: 'gate' }));
  return tools;
}

function floor() {
  let dir, env;
  return {
    name: 'floor',
    setup(d, agents, e) {
      dir = d;
      env = e;
      mkdirSync(join(dir, 'logs'), { recursive: true });
      writeFileSync(join(dir, 'floor.json'), JSON.stringify({ agents, logDir: join(dir, 'logs'), stopTimeoutMs: STOP_TIMEOUT_S * 1000 }));
    },
    start() {
      const c = spawn(process.execPath, [join(here, 'floor.mjs'), join(dir, 'floor.json')], { detached: true, stdio: 'ignore', env });
      c.unref();
    },
    supervisorPid: () => readPid(join(dir, 'logs', 'floor.pid')),
    async stopAll() {
      const pid = readPid(join(dir, 'logs', 'floor.pid'));
      process.kill(pid, 'SIGTERM');
      while (alive(pid)) await sleep(5);
    },
    restartSupervisor() {
      this.start();
    },
    cleanup() {
      const pid = readPid(join(dir, 'logs', 'floor.pid'));
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

function orchestra(name = 'orchestra', extraEnv = {}) {
  let dir, env;
  const cli = (...args) => sh(process.execPath, [orchestraCli, ...args], { cwd: dir, env: { ...env, NO_COLOR: '1' } });
  return {
    name,
    setup(d, agents, e) {
      dir = d;
      env = { ...e, ...extraEnv };
      const lines = ['version: 1', 'name: bench', 'agents:'];
      for (const a of agents) {
        lines.push(`  ${a.name}:`, `    command: ${JSON.stringify(a.command)}`, '    restart: { when: always, strategy: immediate, max_attempts: 0 }', `    stop: { timeout: ${STOP_TIMEOUT_S}s }`);
      }
      writeFileSync(join(dir, 'orchestra.yaml'), lines.join('\n') + '\n');
    },
    start: () => cli('apply', '--yes'),
    supervisorPid: () => readPid(join(dir, '.orchestra', 'daemon.pid')),
    stopAll: async () => cli('stop', '--all'),
    restartSupervisor: () => cli('status'),
    cleanup() {
      cli('down');
      const pid = readPid(join(dir, '.orchestra', 'daemon.pid'));
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

function pm2() {
  let dir, env;
  const cli = (...args) => sh(process.execPath, [pm2Bin, ...args], { cwd: dir, env, allowFail: false });
  return {
    name: 'pm2',
    setup(d, agents, e) {
      dir = d;
      // PM2 stops with SIGINT unless told otherwise; the workload is defined with SIGTERM for every tool.
      env = { ...e, PM2_HOME: join(d, 'pm2home'), PM2_KILL_SIGNAL: 'SIGTERM' };
      const apps = agents.map((a) => ({
        name: a.name, script: a.command[1], args: a.command.slice(2), interpreter: 'sh', autorestart: true,
        kill_timeout: STOP_TIMEOUT_S * 1000, treekill: true, restart_delay: 0, out_file: join(d, 'logs', `${a.name}.log`), error_file: join(d, 'logs', `${a.name}.log`),
      }));
      mkdirSync(join(d, 'logs'), { recursive: true });
      writeFileSync(join(d, 'ecosystem.config.cjs'), `module.exports = ${JSON.stringify({ apps })};\n`);
    },
    start: () => cli('start', 'ecosystem.config.cjs'),
    supervisorPid: () => readPid(join(dir, 'pm2home', 'pm2.pid')),
    stopAll: async () => cli('stop', 'all'),
    // What a user (or `pm2 startup` at boot) does after the daemon died: bring back the saved list.
    restartSupervisor: () => cli('resurrect'),
    save: () => cli('save', '--force'),
    cleanup() {
      sh(process.execPath, [pm2Bin, 'kill'], { cwd: dir, env, allowFail: true });
      const pid = readPid(join(dir, 'pm2home', 'pm2.pid'));
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

function supervisord() {
  let dir, env, conf;
  const ctl = (...args) => sh('supervisorctl', ['-c', conf, ...args], { env, allowFail: true });
  return {
    name: 'supervisord',
    setup(d, agents, e) {
      dir = d;
      env = e;
      conf = join(d, 'supervisord.conf');
      mkdirSync(join(d, 'logs'), { recursive: true });
      const lines = [
        '[unix_http_server]', `file=${d}/supervisor.sock`, 'chmod=0700',
        '[supervisord]', `pidfile=${d}/supervisord.pid`, `logfile=${d}/supervisord.log`, `childlogdir=${d}/logs`, 'minfds=4096',
        '[rpcinterface:supervisor]', 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[supervisorctl]', `serverurl=unix://${d}/supervisor.sock`,
      ];
      for (const a of agents) {
        // The fairest settings supervisord offers: immediate RUNNING, group stop and kill, same timeout.
        lines.push(`[program:${a.name}]`, `command=${a.command.join(' ')}`, 'autorestart=true', 'startsecs=0', 'startretries=1000',
          `stopwaitsecs=${STOP_TIMEOUT_S}`, 'stopasgroup=true', 'killasgroup=true', 'redirect_stderr=true', `stdout_logfile=${d}/logs/${a.name}.log`);
      }
      writeFileSync(conf, lines.join('\n') + '\n');
    },
    start: () => sh('supervisord', ['-c', conf], { env }),
    supervisorPid: () => readPid(join(dir, 'supervisord.pid')),
    stopAll: async () => ctl('stop', 'all'),
    restartSupervisor() {
      this.start();
    },
    cleanup() {
      ctl('shutdown');
      const pid = readPid(join(dir, 'supervisord.pid'));
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

/** True when the pid exists and is not a zombie. */
export function alive(pid) {
  if (!pid) return false;
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The benchmark fleet of `n` agents in `dir`: 10 slow to stop, 10 with a SIGTERM-ignoring grandchild, the rest plain. */
export function fleet(dir, n) {
  mkdirSync(join(dir, 'pids'), { recursive: true });
  return Array.from({ length: n }, (_, i) => {
    const mode = i < 10 ? 'slow' : i < 20 ? 'grandchild' : 'plain';
    return { name: `a${i}`, mode, pidFile: join(dir, 'pids', `a${i}`), command: ['sh', agentScript, join(dir, 'pids', `a${i}`), mode] };
  });
}

/** Pids of processes carrying our run's marker: agents (cmdline has agent.sh) and all their descendants (sh, sleep). */
export function marked(mark) {
  const agents = [];
  const all = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/environ`, 'latin1').includes(`BENCH_MARK=${mark}\0`)) continue;
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (comm !== 'sh' && comm !== 'sleep') continue;
      if (!alive(Number(d))) continue;
      all.push(Number(d));
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(agentScript)) agents.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  return { agents, all };
}

/** SIGKILLs every process of the run marked `mark` (by pid, found through its environment). */
export function killMarked(mark) {
  for (const pid of marked(mark).all) try { process.kill(pid, 'SIGKILL'); } catch {}
}

/** CPU ns of every thread of `pid` (each /proc/<pid>/task/<tid>/schedstat), and how often its main thread was scheduled (a proxy for wake-ups). */
export function sched(pid) {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that just ended
    }
  }
  return { ns, slices: Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ')[2]) };
}
