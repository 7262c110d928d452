/**
 * `apply --foreground`: after applying, stay attached like `docker compose
 * up`: print the daemon's events as they happen, and on Ctrl-C (or SIGTERM)
 * bring everything down in reverse dependency order before exiting.
 */

import pc from 'picocolors';
import { api } from '../daemon/api.js';
import { DaemonContext } from './daemon-context.js';
import type { StatePaths } from '../daemon/paths.js';

/** Streams events until interrupted, then runs `down`; resolves with the exit code. */
export async function stayAttached(paths: StatePaths, color: boolean): Promise<number> {
  const context = new DaemonContext(paths);
  const c = pc.createColors(color);
  process.stdout.write(c.dim('\nAttached: showing events; Ctrl-C stops every agent and the daemon.\n'));
  let stopping = false;
  const stop = new Promise<number>((resolve) => {
    const onSignal = (): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('\nStopping every agent (reverse dependency order)…\n');
      context.call(api.down).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const follow = context
    .call(api.events, {
      query: { follow: 1, tail: 0 },
      onLine: (event) => {
        if (event.type === 'state-changed') return;
        const who = 'agent' in event ? event.agent : 'orchestra';
        process.stdout.write(`${c.dim(event.time.slice(11, 23))} ${c.bold(who)}: ${event.message}\n`);
      },
    })
    .then(
      () => 0,
      () => 0,
    );
  const code = await Promise.race([stop, follow.then(() => (stopping ? stop : 1))]);
  process.stdout.write(code === 0 ? 'Stopped.\n' : 'The daemon went away.\n');
  return code;
}
