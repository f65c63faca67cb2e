/**
 * A push-to-pull bridge: the loop pushes events as they happen, and `stream()`'s consumer takes them
 * in order until the queue is closed. `taken()` lets the loop wait, before anything with an effect
 * (a model request, a tool call), until the consumer has asked for more than it was given: a consumer
 * that stops at an event stops the run there, as it did when the loop yielded each event itself.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  /** Whether the consumer asks for an item the queue does not have yet, or has stopped asking. */
  private drained = false;
  /** Set when the consumer stopped: what is pushed after that is dropped. */
  private stopped = false;
  private readonly whenTaken: (() => void)[] = [];

  push(item: T): void {
    if (this.stopped) return;
    this.items.push(item);
    this.drained = false;
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Resolves once the consumer has taken every item pushed so far and asked for the next, or stopped. */
  taken(): Promise<void> {
    if (this.drained) return Promise.resolve();
    return new Promise<void>((resolve) => this.whenTaken.push(resolve));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.items.length > 0) {
          yield this.items.shift() as T;
          continue;
        }
        if (this.closed) return;
        this.settle();
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      // The consumer stopped (or the queue ended): nobody waits on it any more.
      this.stopped = true;
      this.items.length = 0;
      this.settle();
    }
  }

  private settle(): void {
    this.drained = true;
    for (const resolve of this.whenTaken.splice(0)) resolve();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
