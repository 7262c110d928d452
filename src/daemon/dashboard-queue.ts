/**
 * ActionQueue: runs dashboard actions one at a time in arrival order, so two
 * browser tabs never stop and start the same agents at once. A later action
 * waits for the earlier ones to settle and then gets its own outcome.
 */

export class ActionQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** How many actions are running or waiting. */
  get pending(): number {
    return this.#pending;
  }

  /** Runs `action` after every earlier one has settled; resolves or rejects with its own outcome. */
  run<T>(action: () => Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(action).finally(() => {
      this.#pending--;
    });
    // The chain must survive a failed action, or every later one would fail with it.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
