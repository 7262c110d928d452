/**
 * Runs async tasks one at a time, in arrival order. The daemon puts every
 * state-changing operation (apply, start, stop, down, dashboard actions)
 * through one queue, so two clients never interleave their changes.
 */

export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** How many tasks are running or waiting. */
  get pending(): number {
    return this.#pending;
  }

  /** Runs `task` after every earlier one has settled; resolves or rejects with its own outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(task).finally(() => {
      this.#pending--;
    });
    // The chain must survive a failed task, or every later one would fail with it.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
