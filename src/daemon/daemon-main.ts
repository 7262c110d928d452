/**
 * The daemon process: `node daemon-main.js --state-dir DIR`. Started
 * detached by the CLI (launcher.ts). Listens on DIR/daemon.sock (mode 0600),
 * adopts what a previous daemon left running, and exits after `down` or on
 * SIGTERM/SIGINT, leaving agents running unless `down` stopped them.
 */

import { createServer } from 'node:http';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readProc } from '../supervise/procfs.js';
import { Daemon } from './daemon.js';
import { DashboardHost, startStatusPageWriter } from './daemon-dashboard.js';
import { statePaths } from './paths.js';
import { daemonRoutes } from './routes.js';

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const stateDir = argValue('--state-dir');
if (!stateDir) {
  process.stderr.write('usage: daemon-main.js --state-dir DIR\n');
  process.exit(2);
}
const paths = statePaths(stateDir);
await mkdir(paths.dir, { recursive: true, mode: 0o700 });
const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
};

// One daemon per state directory: a second one started by a racing CLI leaves quietly.
if (!(await claimPidFile(paths.daemonPid))) {
  log('another daemon already runs for this state directory');
  process.exit(0);
}

const daemon = new Daemon(paths, log);
await daemon.init();
for (const note of daemon.notes) log(note);

let closing = false;
const server = createServer();
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  log('daemon exiting');
  server.close();
  server.closeIdleConnections();
  stopPageWriter();
  void dashboard
    .close()
    .then(() => daemon.close())
    .then(() => Promise.all([rm(paths.socket, { force: true }), rm(paths.daemonPid, { force: true })]))
    .finally(() => process.exit(0));
};
const dashboard = new DashboardHost(daemon);
const stopPageWriter = startStatusPageWriter(daemon, paths.statusPage);
server.on('request', daemonRoutes(daemon, dashboard, shutdown).handle);

// Only this daemon may own the socket path: the launcher removed a stale one.
await rm(paths.socket, { force: true });
const oldMask = process.umask(0o177);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(paths.socket, () => resolve());
});
process.umask(oldMask);
await chmod(paths.socket, 0o600);
log(`daemon ${process.pid} listening on ${paths.socket}`);

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('uncaughtException', (error) => {
  log(`internal error: ${error.stack ?? error.message}`);
});

/** Whether `pid` is a live (not zombie) orchestra daemon for `dir`; a reused pid is not. */
async function isDaemonOf(pid: number, dir: string): Promise<boolean> {
  try {
    const info = readProc(pid);
    if (info === undefined || info.state === 'Z') return false;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return argv.some((a) => a.endsWith('daemon-main.js')) && argv.includes(dir);
  } catch {
    return false;
  }
}

async function claimPidFile(file: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder > 0 && holder !== process.pid && (await isDaemonOf(holder, paths.dir))) return false;
      await rm(file, { force: true });
    }
  }
  return false;
}
