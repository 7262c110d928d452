/**
 * Follows one agent's log file for a viewer: the last N lines first, then
 * every new complete line, across copy-truncate rotations (the bytes written
 * between our last read and the truncate are read back from `<file>.1`,
 * which holds them at the same offsets), and through the file not existing
 * yet. A rotation is seen as a new `<file>.1` (rotateLog creates it afresh)
 * that is larger than the live file, or, without kept files, as the live
 * file shrinking below what was read; the size alone would miss a rotation
 * followed by enough new output between two polls. Every line is masked before it leaves. Reads files only; knows nothing
 * of HTTP (the dashboard's log stream turns the callbacks into messages).
 */

import { fstatSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { maskText } from '../plan/secrets.js';
import { rotatedName } from '../supervise/log-rotation.js';
import { withOpenFile } from '../util/open-file.js';

/** What the follower reports. */
export interface LogListener {
  /** Complete lines, oldest first, secrets masked. `initial` marks the first batch (the tail). */
  lines(lines: string[], initial: boolean): void;
  /** The file does not exist (yet). Reported once per absence. */
  missing(): void;
}

export interface LogFollowOptions {
  /** How many lines of the existing file to send first. */
  tail: number;
  secrets: readonly string[];
  /** How often the file's size is checked, ms. */
  pollMs?: number;
}

/** Never read more than this much of an old file to find its last lines. */
const TAIL_WINDOW_BYTES = 512 * 1024;
/** A line longer than this is cut, so one runaway line cannot flood a viewer. */
const MAX_LINE_CHARS = 8192;

async function readRange(file: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, to - from));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function statOf(file: string): Promise<{ size: number; ino: number } | undefined> {
  try {
    const { size, ino } = await stat(file);
    return { size, ino };
  } catch {
    return undefined;
  }
}

/** Masks a line and cuts it at MAX_LINE_CHARS. */
function shownLine(line: string, secrets: readonly string[]): string {
  return maskText(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line, secrets);
}

/** The text of the end of a file (at most TAIL_WINDOW_BYTES), from a line boundary, and the file's size. */
async function readEnd(file: string, size: number): Promise<string> {
  const from = Math.max(0, size - TAIL_WINDOW_BYTES);
  const text = (await readRange(file, from, size)).toString('utf8');
  return from > 0 ? text.slice(text.indexOf('\n') + 1) : text;
}

/** How much of a log's end a snapshot reads at a time, backwards, until it holds the lines it shows. */
const TAIL_CHUNK_BYTES = 16 * 1024;
const NEWLINE = 0x0a;

/**
 * The last `n` complete lines of a log, masked; undefined when it does not
 * exist. For snapshots (the static page, 100 logs at a time): read
 * synchronously and backwards a chunk at a time until the chunks hold `n`
 * lines and the end of the one before, never past TAIL_WINDOW_BYTES from the
 * end; the lines are those of the whole window. Promise-based reads of 100
 * logs were most of the first page write's CPU (four threadpool round trips
 * per log), and a snapshot usually needs one chunk.
 */
export function readLogTail(file: string, n: number, secrets: readonly string[], windowBytes = TAIL_WINDOW_BYTES): string[] | undefined {
  return withOpenFile(file, (fd) => {
    const size = fstatSync(fd).size;
    const floor = Math.max(0, size - windowBytes);
    const chunks: Buffer[] = [];
    let start = size;
    let newlines = 0;
    while (start > floor && newlines <= n) {
      const length = Math.min(TAIL_CHUNK_BYTES, start - floor);
      const chunk = Buffer.allocUnsafe(length);
      // Short only when the file was cut meanwhile (a rotation): keep what was read.
      if (readSync(fd, chunk, 0, length, start - length) < length) break;
      start -= length;
      for (let i = 0; i < length; i++) if (chunk[i] === NEWLINE) newlines++;
      chunks.unshift(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    // Bytes that start mid-file start mid-line (maybe mid-character): from the first line boundary on.
    const lines = (start > 0 ? text.slice(text.indexOf('\n') + 1) : text).split('\n');
    lines.pop();
    return lines.slice(Math.max(0, lines.length - n)).map((l) => shownLine(l, secrets));
  });
}

/** Follows `file` until the returned stop function is called. */
export function followLog(file: string, options: LogFollowOptions, listener: LogListener): () => void {
  let offset: number | undefined;
  let partial = '';
  let stopped = false;
  let reportedMissing = false;
  let timer: NodeJS.Timeout | undefined;

  const emit = (text: string, initial: boolean, tail?: number): void => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    let lines = parts.map((l) => shownLine(l, options.secrets));
    if (tail !== undefined && lines.length > tail) lines = lines.slice(lines.length - tail);
    if (lines.length > 0 || initial) listener.lines(lines, initial);
  };

  let rotatedIno: number | undefined;

  const check = async (): Promise<void> => {
    const current = await statOf(file);
    if (current === undefined) {
      if (!reportedMissing) listener.missing();
      reportedMissing = true;
      if (offset !== undefined) offset = 0;
      return;
    }
    reportedMissing = false;
    const rotated = await statOf(rotatedName(file, 1));
    if (offset === undefined) {
      // First sight: only the tail, starting at a line boundary inside the window.
      rotatedIno = rotated?.ino;
      const text = await readEnd(file, current.size);
      offset = current.size;
      emit(text, true, options.tail);
      return;
    }
    // A new `.1` still being copied is as large as the live file at most: wait until the truncate.
    const freshRotation = rotated !== undefined && rotated.ino !== rotatedIno && rotated.size > current.size;
    if (freshRotation) {
      rotatedIno = rotated.ino;
      if (rotated.size > offset) emit((await readRange(rotatedName(file, 1), offset, rotated.size)).toString('utf8'), false);
      offset = 0;
    } else if (current.size < offset) {
      offset = 0;
    }
    if (current.size > offset) {
      const chunk = await readRange(file, offset, current.size);
      offset += chunk.length;
      emit(chunk.toString('utf8'), false);
    }
  };

  const loop = (): void => {
    if (stopped) return;
    check()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.pollMs ?? 250);
      });
  };
  loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
