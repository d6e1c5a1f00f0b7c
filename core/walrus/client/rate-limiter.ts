/**
 * An upload bandwidth limit: a token bucket of bytes. Storing a blob sends ~5× its size to
 * the storage nodes, which can fill a home uplink for hours; with a limit, every sliver
 * waits for its bytes' share of the rate, and a burst of at most one second's worth goes
 * through at once. The clock is injectable so the arithmetic is tested without waiting.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class ByteRateLimiter {
  private available: number;
  private updatedAt: number;
  /** Takers wait in line, so one big sliver is not starved by many small ones. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly bytesPerSecond: number,
    private readonly clock: Clock = REAL_CLOCK,
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError('the upload limit must be positive');
    this.available = bytesPerSecond;
    this.updatedAt = clock.now();
  }

  /** Resolves once `bytes` may be sent. */
  take(bytes: number): Promise<void> {
    const turn = this.queue.then(() => this.wait(bytes));
    this.queue = turn;
    return turn;
  }

  private async wait(bytes: number): Promise<void> {
    this.refill();
    this.available -= bytes;
    if (this.available < 0) {
      await this.clock.sleep((-this.available / this.bytesPerSecond) * 1000);
      this.refill();
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const earned = ((now - this.updatedAt) / 1000) * this.bytesPerSecond;
    this.available = Math.min(this.bytesPerSecond, this.available + earned);
    this.updatedAt = now;
  }
}
