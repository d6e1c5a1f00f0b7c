/**
 * Caps how many requests are in flight at once. Uploading a blob to a 1000-shard network
 * is 2000 sliver PUTs; firing them all at once exhausts sockets and memory, one at a
 * time leaves the uplink idle between round trips.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (limit < 1) throw new RangeError('the concurrency limit must be at least 1');
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
