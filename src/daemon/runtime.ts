/**
 * The daemon's runtime for one state directory, in whatever process hosts
 * it: claims daemon.pid, loads state and adopts (Daemon.init), serves the
 * API on daemon.sock (0600), keeps status.html current and hosts the
 * dashboard. The detached daemon (daemon-main.ts), `orchestra up` and the
 * library's Fleet all run this, so `status`, `logs` and the dashboard work
 * the same whoever started the fleet.
 */

import { createServer } from 'node:http';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { api } from './api.js';
import { isDaemonOf, procStartTime } from './proc-start-time.js';
import { DaemonClient } from './client.js';
import { Daemon } from './daemon.js';
import { DashboardHost } from './daemon-dashboard.js';
import { startStatusPageWriter } from './page-writer.js';
import type { StatePaths } from './paths.js';
import { daemonRoutes } from './routes.js';

export interface RuntimeOptions {
  log?: (message: string) => void;
  /** Called after a `down` request has been answered (agents are stopped by then). */
  onDown?: () => void;
}

/** A running runtime. */
export interface Runtime {
  daemon: Daemon;
  /** Stops serving and lets go of daemon.pid and the socket; agents keep running unless `down` stopped them. */
  close(): Promise<void>;
}

/** Starts the runtime, or returns undefined when another live process already runs one for this directory. */
export async function startRuntime(paths: StatePaths, options: RuntimeOptions = {}): Promise<Runtime | undefined> {
  const log = options.log ?? (() => undefined);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  if (!(await claimPidFile(paths))) return undefined;
  const daemon = new Daemon(paths, log);
  try {
    await daemon.init();
  } catch (error) {
    await rm(paths.daemonPid, { force: true });
    throw error;
  }
  for (const note of daemon.notes) log(note);

  let closing: Promise<void> | undefined;
  // Node checks every server's unfinished requests against its header and request timeouts on a 30 s interval,
  // which woke an idle daemon twice a minute for nothing: the socket is the owner's alone (0600), and a client
  // that never finishes a request holds one descriptor until it exits. So the check is pushed out to the longest
  // interval a timer takes (~24.8 days).
  const server = createServer({ connectionsCheckingInterval: 2 ** 31 - 1 });
  const dashboard = new DashboardHost(daemon);
  const stopPageWriter = startStatusPageWriter(daemon, paths.statusPage);
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      server.close();
      server.closeIdleConnections();
      stopPageWriter();
      await dashboard.close();
      await daemon.close();
      await Promise.all([rm(paths.socket, { force: true }), rm(paths.daemonPid, { force: true })]);
    })());
  server.on('request', daemonRoutes(daemon, dashboard, () => options.onDown?.()).handle);

  // Only this runtime may own the socket path: it holds daemon.pid, so a socket file there is a dead one's.
  await rm(paths.socket, { force: true });
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(paths.socket, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  await chmod(paths.socket, 0o600);
  log(`daemon ${process.pid} listening on ${paths.socket}`);
  return { daemon, close };
}

/** Whether daemon.pid names a live runtime of `paths`: a daemon-main for the directory, or a process that answers on its socket. */
async function holderAlive(text: string, paths: StatePaths): Promise<boolean> {
  const pid = Number(text.trim());
  if (!(pid > 0) || pid === process.pid) return false;
  if (await isDaemonOf(pid, paths.dir)) return true;
  if ((await procStartTime(pid)) === undefined) return false;
  // `up` or a library Fleet: alive as a runtime when it answers as that pid.
  const ping = await new DaemonClient(paths.socket).call(api.ping, { timeoutMs: 2000 }).catch(() => undefined);
  return ping?.pid === pid;
}

/** One runtime per state directory: takes daemon.pid unless a live holder has it. */
async function claimPidFile(paths: StatePaths): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(paths.daemonPid, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = await readFile(paths.daemonPid, 'utf8').catch(() => '');
      if (await holderAlive(text, paths)) return false;
      await rm(paths.daemonPid, { force: true });
    }
  }
  return false;
}
