/**
 * The two kernel constants /proc figures are counted in: clock ticks per
 * second (CPU times, start times) and the page size (resident pages). Read
 * once from this process's auxiliary vector (/proc/self/auxv: AT_CLKTCK and
 * AT_PAGESZ, where glibc's sysconf and so `getconf` find them too): one small
 * read instead of two `getconf` processes, which cost an idle daemon ~15 ms of
 * CPU at its first full monitor round. `getconf` stays the fallback, then
 * 100 and 4096. Reads only.
 */

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/** Architectures whose auxv entries are 32-bit words; the rest of Node's Linux targets are 64-bit. */
const WORD32 = new Set(['arm', 'ia32', 'mips', 'mipsel', 'ppc', 's390']);

/** The entries of an auxiliary vector (type → value), up to AT_NULL; pure, for tests. */
export function parseAuxv(bytes: Buffer, wordBytes: 4 | 8, littleEndian: boolean): Map<number, number> {
  const out = new Map<number, number>();
  const word = (at: number): number =>
    wordBytes === 4
      ? littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at)
      : Number(littleEndian ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at));
  for (let at = 0; at + 2 * wordBytes <= bytes.length; at += 2 * wordBytes) {
    const type = word(at);
    if (type === 0) break;
    out.set(type, word(at + wordBytes));
  }
  return out;
}

let auxv: Map<number, number> | undefined;

function fromAuxv(type: number): number | undefined {
  try {
    auxv ??= parseAuxv(readFileSync('/proc/self/auxv'), WORD32.has(process.arch) ? 4 : 8, endianness() === 'LE');
  } catch {
    auxv = new Map();
  }
  const v = auxv.get(type);
  return v !== undefined && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** A positive integer from `getconf <name>`, or the fallback when getconf fails. */
function getconf(name: string, fallback: number): Promise<number> {
  return new Promise((resolve) => {
    execFile('getconf', [name], { timeout: 2000 }, (error, stdout) => {
      const v = Number(String(stdout).trim());
      resolve(!error && Number.isInteger(v) && v > 0 ? v : fallback);
    });
  });
}

function constant(type: number, name: string, fallback: number): Promise<number> {
  const v = fromAuxv(type);
  return v === undefined ? getconf(name, fallback) : Promise.resolve(v);
}

let clockTick: Promise<number> | undefined;
let pageBytes: Promise<number> | undefined;

/** Clock ticks per second (AT_CLKTCK, else `getconf CLK_TCK`, else 100), found once. */
export function clockTicks(): Promise<number> {
  clockTick ??= constant(AT_CLKTCK, 'CLK_TCK', 100);
  return clockTick;
}

/** Bytes per memory page (AT_PAGESZ, else `getconf PAGESIZE`, else 4096), found once. */
export function pageSize(): Promise<number> {
  pageBytes ??= constant(AT_PAGESZ, 'PAGESIZE', 4096);
  return pageBytes;
}
