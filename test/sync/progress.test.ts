import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressTracker } from '../../core/sync/progress.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, tick: (ms: number) => (t += ms) };
}

test('the rate follows the bytes moved per second', () => {
  const c = clock();
  const p = new ProgressTracker('upload', c.now);
  p.setTotals({ bytes: 10_000_000, files: 10 });
  for (let i = 0; i < 10; i++) {
    c.tick(1000);
    p.advance(500_000, 0);
  }
  const s = p.snapshot();
  assert.equal(s.bytesDone, 5_000_000);
  assert.ok(Math.abs(s.rate - 500_000) < 1, `rate ${s.rate}`);
  assert.ok(Math.abs((s.etaSeconds ?? -1) - 10) < 0.01, `eta ${s.etaSeconds}`);
});

test('the eta is unknown while the total is unknown', () => {
  const c = clock();
  const p = new ProgressTracker('scan', c.now);
  c.tick(1000);
  p.advance(100, 1, 'a.txt');
  const s = p.snapshot();
  assert.equal(s.etaSeconds, null);
  assert.equal(s.currentPath, 'a.txt');
  assert.equal(s.filesDone, 1);
});

test('a stall pulls the smoothed rate down instead of keeping the old average', () => {
  const c = clock();
  const p = new ProgressTracker('upload', c.now);
  p.setTotals({ bytes: 100_000_000 });
  for (let i = 0; i < 10; i++) {
    c.tick(1000);
    p.advance(1_000_000);
  }
  const before = p.snapshot().rate;
  for (let i = 0; i < 5; i++) {
    c.tick(1000);
    p.advance(0);
  }
  const after = p.snapshot().rate;
  assert.ok(after < before / 2, `before ${before}, after ${after}`);
});

test('a finished job has no time left', () => {
  const c = clock();
  const p = new ProgressTracker('restore', c.now);
  p.setTotals({ bytes: 10 });
  c.tick(10);
  p.advance(10, 1);
  assert.equal(p.snapshot().etaSeconds, 0);
});

test('a slow start (listing blobs, reading the index) does not drag the rate or the eta', () => {
  // The restore of 2.5 s that read "5 KiB/s, about 23 s" at 99 %.
  const c = clock();
  const p = new ProgressTracker('restoring', c.now);
  p.setTotals({ bytes: 15_150_000 });
  c.tick(1000);
  for (let i = 0; i < 15; i++) {
    c.tick(100);
    p.advance(1_000_000, 1);
  }
  const s = p.snapshot();
  assert.ok(Math.abs(s.rate - 10_000_000) < 1_000_000, `rate ${s.rate}`);
  assert.ok((s.etaSeconds ?? Infinity) < 0.05, `eta ${s.etaSeconds}`);
});

test('a stall shows as a falling rate even while nothing reports progress', () => {
  const c = clock();
  const p = new ProgressTracker('upload', c.now);
  p.setTotals({ bytes: 100_000_000 });
  for (let i = 0; i < 10; i++) {
    c.tick(1000);
    p.advance(1_000_000);
  }
  c.tick(20_000);
  assert.equal(p.snapshot().rate, 0);
  assert.equal(p.snapshot().etaSeconds, null);
});
