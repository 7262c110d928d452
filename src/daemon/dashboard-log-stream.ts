/**
 * One log view's server-sent event stream: `lines` messages (a JSON array of
 * masked lines; the first carries the tail and `initial: true`), a `missing`
 * message while the file does not exist, and a heartbeat comment. Owns the
 * follower's lifetime: it stops when the viewer goes away. Does not
 * authenticate (the server did).
 */

import type { ServerResponse } from 'node:http';
import { followLog } from './log-follower.js';

export interface LogStreamOptions {
  file: string;
  secrets: readonly string[];
  /** Lines of history sent first. */
  tail: number;
  heartbeatMs: number;
}

/** Takes over `res` as the event stream of one log file until the client disconnects. */
export function serveLogStream(res: ServerResponse, headers: Record<string, string>, options: LogStreamOptions): void {
  res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  const send = (event: string, data: unknown): void => {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const stop = followLog(
    options.file,
    { tail: options.tail, secrets: options.secrets },
    {
      lines: (lines, initial) => send('lines', { lines, initial }),
      missing: () => send('missing', {}),
    },
  );
  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(': heartbeat\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();
  res.on('close', () => {
    stop();
    clearInterval(heartbeat);
  });
}
