import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRateLimiter, type Clock } from '../../../core/walrus/client/rate-limiter.js';

/** A clock that only moves when the limiter sleeps: time spent is exactly what it asked for. */
function virtualClock(): Clock & { slept: number } {
  let now = 0;
  return {
    slept: 0,
    now: () => now,
    async sleep(ms) {
      this.slept += ms;
      now += ms;
    },
  };
}

test('uploads wait for their share of the rate, after a one-second burst', async () => {
  const clock = virtualClock();
  const limiter = new ByteRateLimiter(1000, clock);
  await limiter.take(1000); // the burst allowance
  assert.equal(clock.slept, 0);
  for (let i = 0; i < 10; i++) await limiter.take(500);
  assert.equal(clock.slept, 5000, '5000 bytes at 1000 B/s take five seconds');
});

test('concurrent takers are served in order and together respect the rate', async () => {
  const clock = virtualClock();
  const limiter = new ByteRateLimiter(2000, clock);
  const order: number[] = [];
  await Promise.all([4000, 100, 1900].map((n, i) => limiter.take(n).then(() => order.push(i))));
  assert.deepEqual(order, [0, 1, 2]);
  assert.equal(clock.slept, 2000, '6000 bytes at 2000 B/s after a 2000-byte burst');
  assert.throws(() => new ByteRateLimiter(0), RangeError);
});
