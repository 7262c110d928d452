/**
 * Log files checked and rotated by size, on a tick of their own (every
 * second by default). The tick looks only at the instances on its list, and
 * is not armed while the list is empty: a state change of an instance, and
 * the monitor's rounds, which walk every instance anyway, put an instance on
 * it (`note`) unless its log is
 * known quiet, that is its agent runs and used no CPU in the round before
 * its file was last looked at nor in any round since (a process that did not
 * run cannot have written), and was looked at less than 30 s ago (CPU time of
 * a tree is counted in whole clock ticks, so a trickle of tiny writes can
 * stay below one). A checked log that is now known quiet, or whose agent has
 * no process, leaves the list. A quiet log due for its recheck that a
 * monitor round comes across is looked at in that round (one stat) rather
 * than on a tick of its own, and goes on the list only to be rotated: an
 * idle fleet's daemon does not wake for its logs at all, and each quiet log
 * is looked at every 30 s, or every round when rounds are further apart.
 */

import type { EventInput } from '../events/event.js';
import type { Clock } from './clock.js';
import type { Instance } from './instance.js';
import { needsRotation, rotateLog } from './log-rotation.js';
import type { Observations } from './observations.js';
import { snapshotTree } from './tree-boundary.js';

/** A quiet agent's log is still looked at this often. */
const QUIET_RECHECK_MS = 30_000;

export interface LogCheckHost {
  clock: Clock;
  emit: (event: EventInput) => void;
  instances(): Iterable<Instance>;
}

export class LogCheck {
  /** Instances whose log the tick looks at: not known quiet, or due for their recheck. */
  readonly #loud = new Set<Instance>();
  #timer: unknown;
  #disposed = false;

  constructor(
    private readonly host: LogCheckHost,
    private readonly seen: Observations,
    private readonly everyMs: number,
  ) {}

  /**
   * A round saw this instance (`inRound`), or it changed state: its log goes
   * on the tick's list unless it is known quiet and was looked at recently.
   * A quiet one a round finds due is looked at now, and listed only if it must be rotated.
   */
  note(i: Instance, now: number, inRound = false): void {
    const { maxSizeBytes } = i.spec.logs;
    if (maxSizeBytes <= 0 || this.#loud.has(i) || this.#canSkip(i, now)) return;
    if (inRound && i.pid !== undefined && this.seen.log(i)?.quiet === true) {
      this.seen.watch(i).log = { checkedAt: now, quiet: true };
      if (!needsRotation(i.logFile, maxSizeBytes)) return;
    }
    this.#loud.add(i);
    this.#schedule();
  }

  /** Checks every instance's log file now, quiet or not, and rotates those over their size limit. */
  async checkAll(): Promise<void> {
    for (const i of this.host.instances()) await this.#check(i);
  }

  /** Stops the tick. */
  dispose(): void {
    this.#disposed = true;
    this.host.clock.clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#disposed || this.#timer !== undefined || this.#loud.size === 0) return;
    this.#timer = this.host.clock.setTimeout(() => {
      void this.#tick().finally(() => {
        this.#timer = undefined;
        this.#schedule();
      });
    }, this.everyMs);
  }

  async #tick(): Promise<void> {
    for (const i of [...this.#loud]) {
      await this.#check(i);
      // Without a process only a hook writes, and a round puts it back once one runs.
      if (i.pid === undefined || this.#canSkip(i, this.host.clock.now())) this.#loud.delete(i);
    }
  }

  /** Whether the tick may leave this file alone: its writer is running and showed no CPU since the last look, which was recent. */
  #canSkip(i: Instance, now: number): boolean {
    const log = this.seen.log(i);
    return i.pid !== undefined && log?.quiet === true && now - log.checkedAt < QUIET_RECHECK_MS;
  }

  async #check(i: Instance): Promise<void> {
    const { maxSizeBytes, keep } = i.spec.logs;
    if (maxSizeBytes <= 0) return;
    const w = this.seen.watch(i);
    if (w.rotating) return;
    // Quiet at the last round stays quiet until a round says otherwise: a writer waking up is noticed within one round either way.
    w.log = { checkedAt: this.host.clock.now(), quiet: this.seen.current(i)?.usage?.cpu === 0 ? true : undefined };
    if (!needsRotation(i.logFile, maxSizeBytes)) return;
    w.rotating = true;
    try {
      const pid = i.pid;
      const members = pid !== undefined ? snapshotTree({ pid, known: this.seen.current(i)?.tree ?? [] }) : [];
      const r = await rotateLog(i.logFile, keep, pid, members);
      this.host.emit({
        type: 'log-rotated',
        agent: i.name,
        file: i.logFile,
        bytes: r.bytes,
        frozenMs: r.frozenMs,
        lossless: r.frozeAll,
        message: `log rotated (${r.bytes} bytes kept in ${keep > 0 ? '.1' : 'nothing'}, paused ${r.frozenMs}ms)`,
      });
    } finally {
      w.rotating = false;
    }
  }
}
