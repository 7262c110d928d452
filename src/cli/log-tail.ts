/**
 * Reads the end of a log file: the last N lines, found by reading backwards
 * in chunks, so `orchestra logs --tail N` costs what it prints, not the
 * file's size (a log can be gigabytes).
 */

import { open } from 'node:fs/promises';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The last `n` lines of `file` as text (the final line may lack its newline)
 * and the file's size when read; reads only the chunks those lines are in.
 */
export async function readTail(file: string, n: number): Promise<{ text: string; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (n <= 0 || size === 0) return { text: '', size };
    const chunks: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    // A newline ending the file closes the last line; it does not start a new one.
    let skipLast = true;
    while (pos > 0) {
      const length = Math.min(CHUNK, pos);
      pos -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, pos);
      for (let i = length - 1; i >= 0; i--) {
        if (chunk[i] !== NEWLINE) continue;
        if (skipLast && pos + i === size - 1) continue;
        if (++newlines === n) {
          chunks.unshift(chunk.subarray(i + 1));
          return { text: Buffer.concat(chunks).toString('utf8'), size };
        }
      }
      skipLast = false;
      chunks.unshift(chunk);
    }
    return { text: Buffer.concat(chunks).toString('utf8'), size };
  } finally {
    await handle.close();
  }
}
