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
