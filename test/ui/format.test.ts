import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiryBuckets, tickStep } from '../../renderer/src/expiry-chart.js';
import {
  baseName,
  formatCompact,
  formatDuration,
  formatWal,
  percent,
  relativeTime,
  shortId,
} from '../../renderer/src/format.js';

test('WAL amounts are shown from FROST strings without losing 64-bit precision', () => {
  assert.equal(formatWal('0'), '0 WAL');
  assert.equal(formatWal('1000000000'), '1 WAL');
  assert.equal(formatWal('999997900000'), '999.9979 WAL');
  assert.equal(formatWal('18446744073709551615', true), '18,446,744,073.709551615 WAL');
  assert.equal(formatWal('50000'), '< 0.0001 WAL', 'a tiny amount is not shown as zero');
  assert.equal(formatWal('-2500000000'), '-2.5 WAL');
});

test('durations use at most two units, as a person would say them', () => {
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(185), '3 min 5 s');
  assert.equal(formatDuration(7800), '2 h 10 min');
  assert.equal(formatDuration(3 * 86_400 + 4 * 3600), '3 days 4 h');
  assert.equal(formatDuration(1736 * 86_400), '4.8 years');
});

test('relative times round to their largest unit, past and future', () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(relativeTime(now - 10_000, now), 'just now');
  assert.equal(relativeTime(now - 185_000, now), '3 min ago');
  assert.equal(relativeTime(now + 2 * 3_600_000 + 600_000, now), 'in 2 h');
});

test('progress is a whole percent, unknown until the total is', () => {
  assert.equal(percent(1, 3), 33);
  assert.equal(percent(5, null), null);
  assert.equal(percent(0, 0), 100, 'nothing to do is done');
});

test('long numbers and ids are shortened, short ones left alone', () => {
  assert.equal(formatCompact(99_999), '99,999');
  assert.equal(formatCompact(2_499_994), '2.5M');
  assert.equal(shortId('0540091a5f6b4c2e8d9e0f1a2b3c2e89'), '0540091a…2e89');
  assert.equal(shortId('abc'), 'abc');
  assert.equal(baseName('/home/me/Documents/'), 'Documents');
  assert.equal(baseName('C:\\Users\\me\\Photos'), 'Photos');
});

test('the expiry timeline has one bucket per epoch from now to the last expiry', () => {
  const blob = (endEpoch: number, storageSize: number) => ({
    blobId: `b${endEpoch}`,
    objectId: `o${endEpoch}`,
    kind: 'pack',
    endEpoch,
    storageSize,
  });
  const buckets = expiryBuckets([blob(6, 100), blob(6, 50), blob(9, 10)], 4, 2);
  assert.deepEqual(
    buckets.map((b) => [b.epoch, b.blobs, b.bytes]),
    [
      [4, 0, 0],
      [5, 0, 0],
      [6, 2, 150],
      [7, 0, 0],
      [8, 0, 0],
      [9, 1, 10],
    ],
  );
  assert.equal(expiryBuckets([], 4, 2).length, 4, 'the window is drawn even with no blobs');
});

test('chart gridlines fall on round numbers', () => {
  assert.deepEqual([1, 3, 7, 10, 40, 900].map(tickStep), [1, 1, 2, 5, 10, 500]);
});
