/**
 * The terminal renderer of `orchestra up`: turns engine events into one line
 * each and follows every instance's log file, printing new lines prefixed
 * with the coloured instance name (like `docker compose up`). It only reads
 * log files and writes to the stream it is given; it never touches a process.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import pc from 'picocolors';
import type { OrchestraEvent } from '../events/event.js';

const PALETTE = [pc.cyan, pc.yellow, pc.green, pc.magenta, pc.blue, pc.red];
/** Log files are polled at this pace; it bounds how late a line appears, not the child. */
const TAIL_MS = 100;

export interface ConsoleOptions {
  color: boolean;
  out: NodeJS.WritableStream;
}

interface Tail {
  file: string;
  offset: number;
  partial: string;
}

export class ConsoleRenderer {
  readonly #tails = new Map<string, Tail>();
  readonly #width: number;
  readonly #colors: Map<string, (s: string) => string>;
  #timer: NodeJS.Timeout | undefined;
  readonly #paint: ReturnType<typeof pc.createColors>;

  constructor(names: readonly string[], private readonly options: ConsoleOptions) {
    this.#paint = pc.createColors(options.color);
    this.#width = Math.max(0, ...names.map((n) => n.length));
    const wrap = (f: (s: string) => string) => (options.color ? f : (s: string) => s);
    this.#colors = new Map(names.map((n, k) => [n, wrap(PALETTE[k % PALETTE.length]!)]));
  }

  #prefix(name: string): string {
    const paint = this.#colors.get(name) ?? ((s: string) => s);
    return paint(`${name.padEnd(this.#width)} |`);
  }

  /** Renders one event as a line (events about an instance carry its prefix). */
  event(e: OrchestraEvent): void {
    if (e.type === 'state-changed' || e.type === 'agent-starting') return;
    const bad = e.type === 'agent-failed' || e.type === 'agent-blocked' || e.type === 'emergency-stop' || (e.type === 'threshold-breached' && e.level === 'critical');
    const warn = e.type === 'probe-failed' || e.type === 'restart-scheduled' || e.type === 'threshold-breached';
    const text = bad ? this.#paint.red(e.message) : warn ? this.#paint.yellow(e.message) : this.#paint.dim(e.message);
    const line = 'agent' in e ? `${this.#prefix(e.agent)} ${this.#paint.bold('▶')} ${text}` : `${this.#paint.bold('orchestra')} ${text}`;
    this.options.out.write(line + '\n');
  }

  /** Starts following a log file from its current end. */
  follow(name: string, file: string): void {
    let offset = 0;
    try {
      const fd = openSync(file, 'r');
      offset = fstatSync(fd).size;
      closeSync(fd);
    } catch {
      // not created yet; follow from the start
    }
    this.#tails.set(name, { file, offset, partial: '' });
    this.#timer ??= setInterval(() => this.poll(), TAIL_MS);
  }

  /** Prints every complete line appended since the last poll. */
  poll(): void {
    for (const [name, tail] of this.#tails) {
      let fd: number;
      try {
        fd = openSync(tail.file, 'r');
      } catch {
        continue;
      }
      try {
        const size = fstatSync(fd).size;
        // Truncated by rotation: the unread rest went to `.1`, so finish it there first.
        if (size < tail.offset) {
          this.#drain(name, tail, `${tail.file}.1`);
          tail.offset = 0;
        }
        this.#read(name, tail, fd, size);
      } finally {
        closeSync(fd);
      }
    }
  }

  #drain(name: string, tail: Tail, rotated: string): void {
    try {
      const fd = openSync(rotated, 'r');
      try {
        this.#read(name, tail, fd, fstatSync(fd).size);
      } finally {
        closeSync(fd);
      }
    } catch {
      // rotated with keep = 0: those bytes are gone by design
    }
  }

  #read(name: string, tail: Tail, fd: number, size: number): void {
    while (tail.offset < size) {
      const buf = Buffer.alloc(Math.min(size - tail.offset, 1 << 20));
      const n = readSync(fd, buf, 0, buf.length, tail.offset);
      if (n === 0) break;
      tail.offset += n;
      const lines = (tail.partial + buf.subarray(0, n).toString('utf8')).split('\n');
      tail.partial = lines.pop() ?? '';
      const prefix = this.#prefix(name);
      this.options.out.write(lines.map((l) => `${prefix} ${l}\n`).join(''));
    }
  }

  /** Prints what is left and stops following. */
  close(): void {
    this.poll();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
