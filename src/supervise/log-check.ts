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
 * A quiet log whose agent's CPU comes from its cgroup's counter (exact, not
 * in ticks) is not rechecked at all until the counter moves: the stats of
 * 100 quiet logs were a third of an idle minute's round. What else writes to
 * an agent's log (its reload or stop command) is seen at the next look the
 * agent's own output or a state change brings.
 * A listed log whose file did not grow since its last look is looked at
 * after twice the previous step (up to 30 s), and again every tick once it
 * grows: an agent that uses CPU without writing (one whose shell starts a
 * `sleep` every few seconds) no longer wakes the daemon every second. When
 * a round sees a writer run, it looks at the log itself: grown, the next
 * look is a tick later; as it was, the back-off goes on from the step the
 * last look left, rather than starting again from one tick. A look (the
 * tick's, or a round's that sees the writer run) that finds the file the
 * size it has had for 30 s or more leaves the log to the rounds: the tick no
 * longer looks, and each round that sees the writer run looks (one stat, in
 * a wake-up it makes anyway) until the file grows or the instance changes
 * state, which lists it a tick later again. A writer that wakes without
 * printing then costs no wake-up of its own: one look a round.
 * Under the cgroup boundary each look also notes the cgroup's counter, read
 * just before the file: a look that finds it where the last look left it
 * (nothing ran in between) makes the log known quiet, and a round whose
 * figures show CPU spent before the last look does not list it again. So a
 * fleet's logs leave the list a few seconds after their agents settle, not
 * at the first round that reads 0 % (a minute later while nobody watches).
 */

import type { EventInput } from '../events/event.js';
import type { Clock } from './clock.js';
import type { Instance } from './instance.js';
import { logSize, rotateLog } from './log-rotation.js';
import type { LogWatch, Observations } from './observations.js';
import { snapshotTree } from './tree-boundary.js';

/** A quiet agent's log is still looked at this often; a listed log that does not grow is looked at at least this often. */
const QUIET_RECHECK_MS = 30_000;

export interface LogCheckHost {
  clock: Clock;
  emit: (event: EventInput) => void;
  instances(): Iterable<Instance>;
}

export class LogCheck {
  /** Instances whose log the tick looks at (not known quiet, or due for their recheck), each with when it is due. */
  readonly #loud = new Map<Instance, number>();
  #timer: unknown;
  /** When the armed timer fires (clock ms). */
  #timerAt = Infinity;
  #ticking = false;
  #disposed = false;

  constructor(
    private readonly host: LogCheckHost,
    private readonly seen: Observations,
    private readonly everyMs: number,
  ) {}

  /**
   * The instance changed state, or a round came across it (`inRound`): its
   * log goes on the tick's list unless it is known quiet and was looked at
   * recently. A quiet one a round finds due is looked at now, and listed only if it must be rotated.
   */
  note(i: Instance, now: number, inRound = false): void {
    const { maxSizeBytes } = i.spec.logs;
    if (maxSizeBytes <= 0 || this.#loud.has(i) || this.#canSkip(i, now)) return;
    const log = this.seen.log(i);
    // Left to the rounds: this round looks at it if it sees the writer run (ran()); a quiet one is rechecked below.
    if (inRound && i.pid !== undefined && log?.byRounds === true && log.quiet !== true) return;
    if (inRound && i.pid !== undefined && log?.quiet === true) {
      const size = logSize(i.logFile);
      this.seen.watch(i).log = { checkedAt: now, quiet: true, size, stepMs: log.stepMs, grewAt: grewSince(log, size, now) };
      if (size < maxSizeBytes) return;
    }
    this.#relist(i, now);
  }

  /**
   * A round saw the instance use CPU; `usec` is the cgroup's counter the round
   * read (before this look), undefined without one. Its log is looked at now
   * (see the module's comment) and listed unless nothing ran since the last look.
   */
  ran(i: Instance, now: number, usec: number | undefined): void {
    const { maxSizeBytes } = i.spec.logs;
    if (maxSizeBytes <= 0 || this.#canSkip(i, now)) return;
    const log = this.seen.log(i);
    // A listed log is the tick's, unless its file has not grown for the top step: then this look stands for the tick's next one.
    const listed = this.#loud.has(i);
    const idle = log !== undefined && this.#unchangedLong(log, now);
    if (listed && !idle) return;
    if (i.pid !== undefined && log?.size !== undefined) {
      // The counter is where the last look left it: the writer ran before that look, not since.
      if (usec !== undefined && usec === log.usec) {
        log.quiet = true;
        return;
      }
      const size = logSize(i.logFile);
      if (size === log.size && size < maxSizeBytes) {
        // Its writer ran but wrote nothing since the last look: this look is the round's, and the back-off goes
        // on where it was. A shell that starts a `sleep` every few seconds then costs a look every 30 s, not
        // five looks in the 16 s after each round that saw it run; left to the rounds, none of the tick's.
        const stepMs = this.#backedOff(log);
        // The file has not grown for the top step: this look is the one that leaves the log to the rounds.
        const byRounds = log.byRounds === true || idle;
        this.seen.watch(i).log = { checkedAt: now, quiet: undefined, size, stepMs, usec, byRounds, grewAt: grewSince(log, size, now) };
        if (byRounds) {
          if (listed) this.#unlist(i);
          return;
        }
        this.#loud.set(i, now + stepMs);
        this.#schedule();
        return;
      }
    }
    this.#relist(i, now);
  }

  /** Off the list before its look is due: the tick is armed again for what is left (or not at all), not woken for nothing. */
  #unlist(i: Instance): void {
    this.#loud.delete(i);
    if (this.#ticking) return;
    this.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#schedule();
  }

  /** Back on the list: its writer wrote (or changed state), so the look after this one comes a tick later again. */
  #relist(i: Instance, now: number): void {
    const log = this.seen.log(i);
    // Its file is watched afresh: growth is measured from the next look.
    if (log) (log.stepMs = undefined), (log.byRounds = false), delete log.grewAt;
    this.#loud.set(i, now + this.everyMs);
    this.#schedule();
  }

  /** The step to the next look after one that found the file as the look `before` it did: twice that look's, up to the top. */
  #backedOff(before: LogWatch): number {
    return Math.min(2 * (before.stepMs ?? this.everyMs), this.#topMs());
  }

  /** Whether the file has stayed the size `log` saw for the top step or longer (a look at it now leaves it to the rounds). */
  #unchangedLong(log: LogWatch, now: number): boolean {
    return log.grewAt !== undefined && now - log.grewAt >= this.#topMs();
  }

  /** The longest step of the back-off: 30 s, or the tick if that is longer. */
  #topMs(): number {
    return Math.max(QUIET_RECHECK_MS, this.everyMs);
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

  /** Arms the tick for the earliest due log, unless a tick runs or one is armed for that time or sooner. */
  #schedule(): void {
    if (this.#disposed || this.#ticking || this.#loud.size === 0) return;
    let due = Infinity;
    for (const at of this.#loud.values()) due = Math.min(due, at);
    if (this.#timer !== undefined && this.#timerAt <= due) return;
    this.host.clock.clearTimeout(this.#timer);
    this.#timerAt = due;
    this.#timer = this.host.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#ticking = true;
        void this.#tick().finally(() => {
          this.#ticking = false;
          this.#schedule();
        });
      },
      Math.max(0, due - this.host.clock.now()),
    );
  }

  async #tick(): Promise<void> {
    // Logs due within half a step are looked at now: one wake-up for the lot rather than one each.
    const until = this.host.clock.now() + this.everyMs / 2;
    for (const [i, due] of [...this.#loud]) {
      if (due > until) continue;
      const before = this.seen.log(i);
      await this.#check(i);
      const now = this.host.clock.now();
      // Without a process only a hook writes, and a round puts it back once one runs.
      if (i.pid === undefined || this.#canSkip(i, now)) {
        this.#loud.delete(i);
        continue;
      }
      const after = this.seen.log(i);
      const still = before?.size !== undefined && after?.size === before.size;
      const stepMs = still ? this.#backedOff(before) : this.everyMs;
      if (after) after.stepMs = stepMs;
      // The file has not grown for the top step: from now on the rounds look (see the module's comment).
      if (still && after && this.#unchangedLong(after, now)) {
        after.byRounds = true;
        this.#loud.delete(i);
        continue;
      }
      this.#loud.set(i, now + stepMs);
    }
  }

  /**
   * Whether the tick may leave this file alone: its writer is running and
   * showed no CPU since the last look, which was recent, or was counted by its
   * cgroup, whose counter is exact (a writer that ran at all moved it).
   */
  #canSkip(i: Instance, now: number): boolean {
    const log = this.seen.log(i);
    if (i.pid === undefined || log?.quiet !== true) return false;
    return now - log.checkedAt < QUIET_RECHECK_MS || this.seen.current(i)?.inCgroup === true;
  }

  async #check(i: Instance): Promise<void> {
    const { maxSizeBytes, keep } = i.spec.logs;
    if (maxSizeBytes <= 0) return;
    const w = this.seen.watch(i);
    if (w.rotating) return;
    const run = this.seen.current(i);
    // Read before the file: a write after the read moves the counter past it.
    const usec = run?.inCgroup === true ? i.boundary.cpuUsageUsec() : undefined;
    const size = logSize(i.logFile);
    // Quiet at the last round stays quiet until a round says otherwise: a writer waking up is noticed within one
    // round either way. A cgroup's counter that has not moved since the last look says so sooner: nothing ran.
    const still = usec !== undefined && usec === w.log?.usec;
    const now = this.host.clock.now();
    w.log = { checkedAt: now, quiet: still || run?.usage?.cpu === 0 ? true : undefined, size, stepMs: w.log?.stepMs, usec, byRounds: w.log?.byRounds === true, grewAt: grewSince(w.log, size, now) };
    if (size < maxSizeBytes) return;
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

/** When the file last grew, given the look before (`last`) and this look's `size` at `now`. */
function grewSince(last: LogWatch | undefined, size: number, now: number): number {
  return last?.size === size && last.grewAt !== undefined ? last.grewAt : now;
}
