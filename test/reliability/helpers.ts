/**
 * Shared tools for the reliability and security suites: a raw client for the
 * daemon's HTTP-over-unix-socket API, a /proc scan for a project's agent
 * processes and zombies, and a condition waiter. Never kills anything by name.
 */

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { alive } from '../cli/project.js';

export const seqFixture = new URL('./fixtures/seq.js', import.meta.url).pathname;

export interface ApiReply {
  status: number;
  body: string;
}

/** Sends one request to the daemon socket; resolves with status and raw body, rejects on connection errors. */
export function api(socketPath: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<ApiReply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json', ...headers }, timeout: 30_000 }, (res) => {
      let data = '';
      res.setEncoding('utf8').on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface AgentRow {
  name: string;
  state: string;
  pid?: number;
  restarts: number;
}

/** The daemon's status rows, or undefined while the daemon is unreachable. */
export async function statusRows(socketPath: string): Promise<AgentRow[] | undefined> {
  try {
    const r = await api(socketPath, 'GET', '/v1/status');
    if (r.status !== 200) return undefined;
    return (JSON.parse(r.body) as { agents: AgentRow[] }).agents;
  } catch {
    return undefined;
  }
}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function procStat(pid: string): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) processes whose cwd is `dir` and whose command line contains `needle`. */
export function processesIn(dir: string, needle: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const cwd = readlinkSync(`/proc/${d}/cwd`);
        // A folder removed by teardown reads as "<dir> (deleted)"; its processes are still ours.
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle) && (cwd === dir || cwd === `${dir} (deleted)`) && alive(Number(d));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Zombie children of `parent` (unreaped exits): a supervisor that reaps leaves none for long. */
export function zombiesOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      const s = procStat(d);
      return s !== undefined && s.state === 'Z' && s.ppid === parent;
    })
    .map(Number);
}

/** Checks a log made of `<pid> <n>` lines: for every pid, the numbers must run 0..last without a gap or repeat. */
export function sequenceGaps(logText: string): { pids: number; lines: number; problems: string[] } {
  const next = new Map<string, number>();
  const problems: string[] = [];
  let lines = 0;
  for (const line of logText.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (!m) continue;
    lines++;
    const want = next.get(m[1]!) ?? 0;
    const got = Number(m[2]);
    if (got !== want) problems.push(`pid ${m[1]}: expected ${want}, got ${got}`);
    next.set(m[1]!, got + 1);
  }
  return { pids: next.size, lines, problems };
}

/** The text of an agent's log, rotated file first when present. */
export function agentLog(stateDir: string, name: string): string {
  const file = join(stateDir, 'logs', `${name}.log`);
  let text = '';
  for (const f of [`${file}.1`, file]) {
    try {
      text += readFileSync(f, 'utf8');
    } catch {
      // no rotated file
    }
  }
  return text;
}

/** SIGKILLs, by pid, every process of ours still running in `dir` (for example one the daemon lost track of). */
export function killLeftovers(dir: string, needle: string): number[] {
  const pids = processesIn(dir, needle);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}
