/**
 * Synchronous reads through one descriptor: open, use, close, with a file
 * that cannot be opened (gone, not ours) as `undefined` rather than an error.
 */

import { closeSync, openSync } from 'node:fs';

/** What `use` makes of `file` opened for reading (closed after, whatever happens); undefined when it cannot be opened. */
export function withOpenFile<T>(file: string, use: (fd: number) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}
