/**
 * A serial queue: tasks run one at a time, in the order they were added. One matcher owns one
 * session and one set of reused tensor buffers, so concurrent `disparity()` calls must not overlap.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task added before it has settled (fulfilled or rejected). */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // A failed task must not stall the tasks queued behind it.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every task added so far has settled. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
