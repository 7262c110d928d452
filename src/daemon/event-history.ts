/**
 * Reads back the newest events of `events.jsonl`, so a new daemon shows what
 * happened before it started (the page, the dashboard and `status` mark them
 * as earlier). Reads only the end of the file; a torn last line (a crash
 * mid-write) or a malformed one is skipped, never fatal. Does not write.
 */

import { open } from 'node:fs/promises';
import type { OrchestraEvent } from '../events/event.js';

/** Never read more than this much of the end of the log. */
const WINDOW_BYTES = 1024 * 1024;

function looksLikeEvent(value: unknown): value is OrchestraEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e.type === 'string' && typeof e.time === 'string' && typeof e.message === 'string';
}

/** The last `limit` readable events of the log, oldest first; none when the file does not exist. */
export async function readRecentEvents(file: string, limit: number): Promise<OrchestraEvent[]> {
  let text: string;
  let from: number;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      from = Math.max(0, size - WINDOW_BYTES);
      const buffer = Buffer.alloc(size - from);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
  const lines = text.split('\n');
  // Inside the file, the first line of the window is most likely cut.
  if (from > 0) lines.shift();
  const events: OrchestraEvent[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (looksLikeEvent(value)) events.push(value);
    } catch {
      // a torn or foreign line: skip it
    }
  }
  return events.slice(-limit);
}
