/**
 * Reading the small pseudo-files of /proc and cgroupfs (environ, cgroup.procs,
 * cpu.stat) into one shared buffer: no fstat (they report size 0) and no
 * growing reads. Synchronous, for the monitor and stop paths.
 */

import { readFileSync, readSync } from 'node:fs';
import { withOpenFile } from '../util/open-file.js';

const buf = Buffer.allocUnsafe(128 * 1024);

/** The whole text of a small file (latin1), or undefined when it cannot be opened or read (gone, not ours). */
export function readSmallFile(file: string): string | undefined {
  return withOpenFile(file, (fd) => {
    try {
      let n = 0;
      for (let k; n < buf.length && (k = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += k;
      // Only a huge file fills the buffer; then read it the slow way.
      return n < buf.length ? buf.toString('latin1', 0, n) : readFileSync(file, 'latin1');
    } catch {
      return undefined;
    }
  });
}
