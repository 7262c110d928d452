/**
 * `start|stop|restart|reload AGENT… | --all`, `kill` (emergency stop) and `down`:
 * each one request to the daemon, which orders the work on the graph.
 */

import { api } from '../daemon/api.js';
import { isSameProcess, procStartTime } from '../daemon/proc-start-time.js';
import { confirm } from './apply-flow.js';
import { connect, nothingApplied, reportDaemonError, resolveStatePaths, type StateFlags } from './daemon-context.js';

type ControlFlags = StateFlags & { all?: boolean; json?: boolean };

/** Runs start, stop or restart and returns the exit code. */
export async function runControl(action: 'start' | 'stop' | 'restart', names: string[], flags: ControlFlags): Promise<number> {
  if (names.length === 0 && !flags.all) {
    process.stderr.write(`orchestra ${action}: name one or more agents, or pass --all\n`);
    return 1;
  }
  if (names.length > 0 && flags.all) {
    process.stderr.write(`orchestra ${action}: pass agent names or --all, not both\n`);
    return 1;
  }
  try {
    const context = await connect(flags);
    if (!context) return nothingApplied(action, resolveStatePaths(flags));
    const result = await context.call(api[action], { body: flags.all ? { all: true } : { names } });
    const verb = { start: 'started', stop: 'stopped', restart: 'restarted' }[action];
    if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
    else if (result.settled) process.stdout.write(`${verb}: ${result.agents.join(', ') || '(none)'}\n`);
    else process.stdout.write(`still in progress: ${result.agents.join(', ')} (see orchestra status)\n`);
    return 0;
  } catch (error) {
    return reportDaemonError(error, action);
  }
}

/** Reloads agents in place (their `reload` signal or command, pid kept); exit 1 when any reload failed. */
export async function runReload(names: string[], flags: ControlFlags): Promise<number> {
  if (names.length === 0 && !flags.all) {
    process.stderr.write('orchestra reload: name one or more agents, or pass --all\n');
    return 1;
  }
  if (names.length > 0 && flags.all) {
    process.stderr.write('orchestra reload: pass agent names or --all, not both\n');
    return 1;
  }
  try {
    const context = await connect(flags);
    if (!context) return nothingApplied('reload', resolveStatePaths(flags));
    const result = await context.call(api.reload, { body: flags.all ? { all: true } : { names } });
    if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      if (result.reloaded.length > 0 || result.failed.length === 0) process.stdout.write(`reloaded: ${result.reloaded.join(', ') || '(none)'}\n`);
      for (const f of result.failed) process.stderr.write(`orchestra reload: ${f.name} not reloaded: ${f.reason}\n`);
    }
    return result.failed.length > 0 ? 1 : 0;
  } catch (error) {
    return reportDaemonError(error, 'reload');
  }
}

/** Emergency stop: SIGKILL every agent's process tree at once. */
export async function runKill(flags: StateFlags & { yes?: boolean }): Promise<number> {
  try {
    const context = await connect(flags);
    if (!context) return nothingApplied('kill', resolveStatePaths(flags));
    if (!flags.yes && process.stdin.isTTY) {
      if (!(await confirm('Emergency stop: SIGKILL every agent now, with no graceful shutdown?'))) {
        process.stdout.write('Cancelled.\n');
        return 1;
      }
    }
    await context.call(api.kill);
    process.stdout.write('Emergency stop: every agent was killed.\n');
    return 0;
  } catch (error) {
    return reportDaemonError(error, 'kill');
  }
}

/** Stops everything in reverse dependency order, then the daemon. */
export async function runDown(flags: StateFlags): Promise<number> {
  const paths = resolveStatePaths(flags);
  try {
    const context = await connect(flags);
    if (!context) {
      process.stdout.write(`Nothing to stop: no daemon for ${paths.dir}.\n`);
      return 0;
    }
    const { pid } = await context.call(api.ping);
    const startTime = await procStartTime(pid);
    await context.call(api.down);
    // The daemon closes its socket first and saves its state after: wait for the process itself, so whatever
    // the caller does next (remove the directory, apply again) finds it gone. Pid and start time, not the pid
    // alone, so a reused pid is not waited on.
    const deadline = Date.now() + 30_000;
    while (startTime !== undefined && (await isSameProcess(pid, startTime))) {
      if (Date.now() > deadline) {
        process.stderr.write(`orchestra down: every agent is stopped, but the daemon (pid ${pid}) has not exited after 30 s.\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    process.stdout.write('Stopped every agent and the daemon.\n');
    return 0;
  } catch (error) {
    return reportDaemonError(error, 'down');
  }
}
