/**
 * Who listens on a probe's address: the listening sockets of /proc/net/tcp
 * and tcp6 on a port, and which processes hold them (their /proc/<pid>/fd
 * links name the socket inode). Used before an agent starts (a port already
 * held by something outside its boundary means a second copy or a stranger)
 * and after a tcp/http probe passes (an answer from outside the boundary is
 * not the agent's). Reads /proc only.
 */

import { networkInterfaces } from 'node:os';
import { readdirSync, readlinkSync } from 'node:fs';
import type { ProbeCheck } from '../plan/spec.js';
import { readSmallFile } from './small-file.js';

export interface Address {
  host: string;
  port: number;
}

/** The address a tcp or http probe connects to, when it is on this machine; undefined otherwise. */
export function localProbeAddress(check: ProbeCheck): Address | undefined {
  let addr: Address;
  if (check.kind === 'tcp') addr = { host: check.host, port: check.port };
  else if (check.kind === 'http') {
    let url: URL;
    try {
      url = new URL(check.url);
    } catch {
      return undefined;
    }
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    addr = { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  } else return undefined;
  return isLocalHost(addr.host) ? addr : undefined;
}

function isLocalHost(host: string): boolean {
  if (host === 'localhost' || isLoopback(host) || isWildcard(host)) return true;
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.address === host) return true;
  return false;
}

const isLoopback = (ip: string): boolean => ip === '::1' || /^127\./.test(ip) || /^::ffff:127\./i.test(ip);
const isWildcard = (ip: string): boolean => ip === '0.0.0.0' || ip === '::';

/** Decodes an address of /proc/net/tcp{,6}: hex, each 32-bit word in host (little-endian) order. */
export function decodeProcAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => [w.slice(6, 8), w.slice(4, 6), w.slice(2, 4), w.slice(0, 2)].map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const text = groups.join(':');
  // Only the forms we compare against need to be canonical.
  return text === '0:0:0:0:0:0:0:0' ? '::' : text === '0:0:0:0:0:0:0:1' ? '::1' : text;
}

/** Whether a listener bound to `bound` answers a connection to `host`. */
function answers(bound: string, host: string): boolean {
  if (isWildcard(bound) || bound === host || bound === `::ffff:${host}`) return true;
  return (host === 'localhost' || isLoopback(host) || isWildcard(host)) && isLoopback(bound);
}

/** Socket inodes in LISTEN state (st 0A) on `port` that a connection to `host` would reach. */
export function listeningInodes(addr: Address, tables: string[] = [readSmallFile('/proc/net/tcp') ?? '', readSmallFile('/proc/net/tcp6') ?? '']): number[] {
  const out: number[] = [];
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A' || !f[1] || f[9] === undefined) continue;
      const [ip, port] = f[1].split(':');
      if (parseInt(port ?? '', 16) !== addr.port || !answers(decodeProcAddress(ip ?? ''), addr.host)) continue;
      out.push(Number(f[9]));
    }
  }
  return out;
}

/** The pids, among `pids` (default: every process), holding one of these socket inodes. */
export function socketHolders(inodes: readonly number[], pids?: readonly number[]): number[] {
  if (inodes.length === 0) return [];
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  const holders: number[] = [];
  for (const pid of pids ?? allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look into
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          holders.push(pid);
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return holders;
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57)
      .map(Number);
  } catch {
    return [];
  }
}

/** `pid 123 (nginx: master process …)`, the command line as far as /proc tells. */
export function describeProcess(pid: number): string {
  const cmd = (readSmallFile(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
  return cmd ? `pid ${pid} (${cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd})` : `pid ${pid}`;
}

/**
 * Why `addr` is held outside the boundary, or undefined when nothing listens
 * there or every listener is one of `members`. The reason names the address
 * and, where /proc tells, the holders' pids and commands.
 */
export function foreignListener(addr: Address, members: readonly number[]): string | undefined {
  const inodes = listeningInodes(addr);
  if (inodes.length === 0) return undefined;
  if (socketHolders(inodes, members).length > 0) return undefined;
  const holders = socketHolders(inodes);
  const who = holders.length > 0 ? holders.map(describeProcess).join(', ') : 'a process orchestra cannot see';
  return `${addr.host}:${addr.port} is held by ${who}, outside the agent's boundary`;
}
