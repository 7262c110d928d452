/**
 * Runs async tasks one at a time, in arrival order. The daemon puts every
 * state-changing operation (apply, start, stop, kill, down) through one
 * queue, so two clients never interleave their changes.
 */

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `task` after every task queued before it; resolves or rejects with its outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }

  /** How many tasks are queued or running. */
  get size(): number {
    return this.pending;
  }
}
