/**
 * Readiness and liveness checks: exec, tcp, http (2xx/3xx) and log line
 * regex, each one attempt bounded by a timeout, plus the loop that repeats
 * them at the probe interval after the initial delay and counts consecutive
 * failures. Owns no agent state: the caller is told about results and acts.
 */

import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { connect } from 'node:net';
import type { ProbeCheck, ProbeSpec } from '../plan/spec.js';
import { httpsRequest, type HttpsRequest } from '../util/deferred-ca.js';
import type { Clock } from './clock.js';

export interface ProbeResult {
  ok: boolean;
  /** What was seen, for events: `connection refused`, `HTTP 503`, `exit code 1`. */
  message: string;
}

export interface ProbeContext {
  cwd: string;
  env: Record<string, string>;
  /** Log file followed by a `log` probe. */
  logFile: string;
  /** Where a `log` probe starts reading: the file's size just before this run was spawned (default: its size now). */
  logFrom?: number;
  /** After a passing tcp/http attempt: why the answer does not count (it came from outside the agent's boundary), or undefined. */
  answeredOutside?: (check: ProbeCheck) => string | undefined;
}

/** Follows a log file from an offset and tests each complete new line against a pattern. */
export class LogMatcher {
  #offset: number;
  #partial = '';
  readonly #regex: RegExp;

  constructor(readonly file: string, pattern: string, fromOffset: number) {
    this.#regex = new RegExp(pattern);
    this.#offset = fromOffset;
  }

  /** Reads what was appended since the last call; true when a new line matches. */
  poll(): boolean {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return false;
    }
    try {
      const size = fstatSync(fd).size;
      // Truncated by rotation: what we had not read went to `.1`; follow the fresh file from its start.
      if (size < this.#offset) (this.#offset = 0), (this.#partial = '');
      if (size === this.#offset) return false;
      const buf = Buffer.alloc(Math.min(size - this.#offset, 1 << 20));
      const n = readSync(fd, buf, 0, buf.length, this.#offset);
      this.#offset += n;
      const lines = (this.#partial + buf.subarray(0, n).toString('utf8')).split('\n');
      this.#partial = lines.pop() ?? '';
      return lines.some((l) => this.#regex.test(l));
    } finally {
      closeSync(fd);
    }
  }
}

function execProbe(command: string[], ctx: ProbeContext, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    if (file === undefined) return resolve({ ok: false, message: 'empty command' });
    const child = spawn(file, args, { cwd: ctx.cwd, env: ctx.env, stdio: 'ignore', detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve({ ok: false, message: `timed out after ${timeoutMs}ms` });
    }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `cannot run ${file}: ${e.code ?? e.message}` });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? { ok: true, message: 'exit code 0' } : { ok: false, message: signal ? `killed by ${signal}` : `exit code ${code}` });
    });
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: ProbeResult): void => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, message: `timed out after ${timeoutMs}ms` }));
    socket.once('connect', () => done({ ok: true, message: `connected to ${host}:${port}` }));
    socket.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, message: `${host}:${port}: ${e.code ?? e.message}` }));
  });
}

// Loaded on the first http check: most fleets have none, and https (tls, crypto) costs about 2 MiB of RSS.
let httpClient: Promise<typeof import('node:http')> | undefined;

async function httpProbe(url: string, timeoutMs: number): Promise<ProbeResult> {
  httpClient ??= import('node:http');
  const request: HttpsRequest = url.startsWith('https:') ? await httpsRequest() : (await httpClient).request;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ProbeResult): void => {
      if (!settled) (settled = true), resolve(r);
    };
    let req: ClientRequest;
    try {
      req = request(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        done({ ok: status >= 200 && status < 400, message: `HTTP ${status}` });
      });
    } catch (e) {
      return done({ ok: false, message: `invalid url ${url}: ${(e as Error).message}` });
    }
    req.once('timeout', () => {
      done({ ok: false, message: `timed out after ${timeoutMs}ms` });
      req.destroy();
    });
    req.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, message: e.code ?? e.message }));
    req.end();
  });
}

/** Runs one attempt of a check. A `log` check needs the matcher that remembers its offset. */
export function runCheck(check: ProbeCheck, ctx: ProbeContext, timeoutMs: number, matcher?: LogMatcher): Promise<ProbeResult> {
  switch (check.kind) {
    case 'exec':
      return execProbe(check.command, ctx, timeoutMs);
    case 'tcp':
      return tcpProbe(check.host, check.port, timeoutMs);
    case 'http':
      return httpProbe(check.url, timeoutMs);
    case 'log': {
      const hit = matcher?.poll() ?? false;
      return Promise.resolve(hit ? { ok: true, message: `log matched /${check.pattern}/` } : { ok: false, message: `no log line matched /${check.pattern}/ yet` });
    }
  }
}

/** The size of a file now (0 when missing): where a log probe starts reading. */
export function currentSize(file: string): number {
  try {
    const fd = openSync(file, 'r');
    try {
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

export interface ProbeLoopHandlers {
  /** Called after every attempt with the consecutive failure count (0 on success). */
  onResult(result: ProbeResult, consecutiveFailures: number): void;
}

/**
 * Repeats a probe: first attempt after `initialDelayMs`, then every
 * `intervalMs` after the previous attempt finished (attempts never overlap).
 */
export class ProbeLoop {
  #timer: unknown;
  #stopped = false;
  #failures = 0;
  readonly #matcher: LogMatcher | undefined;

  constructor(
    readonly spec: ProbeSpec,
    private readonly ctx: ProbeContext,
    private readonly clock: Clock,
    private readonly handlers: ProbeLoopHandlers,
  ) {
    this.#matcher = spec.kind === 'log' ? new LogMatcher(ctx.logFile, spec.pattern, ctx.logFrom ?? currentSize(ctx.logFile)) : undefined;
  }

  /** Consecutive failures so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Begins the loop. */
  start(): void {
    this.#schedule(this.spec.initialDelayMs);
  }

  /** Ends the loop; an attempt in flight is ignored when it returns. */
  stop(): void {
    this.#stopped = true;
    this.clock.clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.clock.setTimeout(() => void this.#attempt(), ms);
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    let result = await runCheck(this.spec, this.ctx, this.spec.timeoutMs, this.#matcher);
    if (this.#stopped) return;
    const outside = result.ok && (this.spec.kind === 'tcp' || this.spec.kind === 'http') ? this.ctx.answeredOutside?.(this.spec) : undefined;
    if (outside) result = { ok: false, message: outside };
    this.#failures = result.ok ? 0 : this.#failures + 1;
    this.handlers.onResult(result, this.#failures);
    this.#schedule(this.spec.intervalMs);
  }
}
