import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRetention, EmptyRetentionPolicyError } from '../../core/repo/retention.js';

const snap = (time: string) => ({ id: time, time });
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

// Two a day at 06:00 and 18:00 UTC from 2026-01-01 through 2026-03-31.
const days: string[] = [];
for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2026, 3, 1); t += 86_400_000)
  days.push(new Date(t).toISOString().slice(0, 10));
const series = days.flatMap((d) => [snap(`${d}T06:00:00.000Z`), snap(`${d}T18:00:00.000Z`)]);

test('keep-last keeps the newest N', () => {
  const d = applyRetention(series, { last: 3 });
  assert.deepEqual(ids(d.keep.map((k) => k.snapshot)), [
    '2026-03-31T18:00:00.000Z',
    '2026-03-31T06:00:00.000Z',
    '2026-03-30T18:00:00.000Z',
  ]);
  assert.equal(d.remove.length, series.length - 3);
});

test('keep-daily keeps the newest snapshot of each of the last N days', () => {
  const d = applyRetention(series, { daily: 3 });
  assert.deepEqual(ids(d.keep.map((k) => k.snapshot)), [
    '2026-03-31T18:00:00.000Z',
    '2026-03-30T18:00:00.000Z',
    '2026-03-29T18:00:00.000Z',
  ]);
});

test('keep-weekly uses ISO weeks, keep-monthly calendar months', () => {
  const weekly = applyRetention(series, { weekly: 2 });
  // 2026-03-31 is a Tuesday (week 14); the week before ends Sunday 2026-03-29.
  assert.deepEqual(ids(weekly.keep.map((k) => k.snapshot)), [
    '2026-03-31T18:00:00.000Z',
    '2026-03-29T18:00:00.000Z',
  ]);
  const monthly = applyRetention(series, { monthly: 5 });
  assert.deepEqual(ids(monthly.keep.map((k) => k.snapshot)), [
    '2026-03-31T18:00:00.000Z',
    '2026-02-28T18:00:00.000Z',
    '2026-01-31T18:00:00.000Z',
  ]);
});

test('rules combine and each kept snapshot says why', () => {
  const d = applyRetention(series, { last: 1, daily: 2, monthly: 2 });
  const newest = d.keep[0]!;
  assert.deepEqual(newest.reasons, ['last', 'daily 2026-03-31', 'monthly 2026-03']);
  assert.equal(d.keep.length, 3); // newest, 03-30 evening, 02-28 evening
  assert.equal(d.keep.length + d.remove.length, series.length);
});

test('keep-within is measured from the newest snapshot', () => {
  const d = applyRetention(series, { withinMs: 36 * 3600 * 1000 });
  assert.deepEqual(ids(d.keep.map((k) => k.snapshot)), [
    '2026-03-31T18:00:00.000Z',
    '2026-03-31T06:00:00.000Z',
    '2026-03-30T18:00:00.000Z',
    '2026-03-30T06:00:00.000Z',
  ]);
});

test('an empty policy is refused rather than deleting everything', () => {
  assert.throws(() => applyRetention(series, {}), EmptyRetentionPolicyError);
  assert.throws(() => applyRetention(series, { daily: 0 }), EmptyRetentionPolicyError);
});
