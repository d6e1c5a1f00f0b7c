import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatWal } from '../../core/cli/format.js';
import { renderProgressLine } from '../../core/cli/progress-bar.js';

test('bytes are printed in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(64 * 1024 * 1024), '64.0 MiB');
});

test('durations are printed in the largest two units', () => {
  assert.equal(formatDuration(42), '42s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(3 * 3600 + 61), '3h01m');
});

test('WAL amounts are printed from FROST without losing precision', () => {
  assert.equal(formatWal(1_500_000_000n), '1.5 WAL');
  assert.equal(formatWal(1n), '0.000000001 WAL');
  assert.equal(formatWal(-2_000_000_000n), '-2 WAL');
  assert.equal(formatWal(123_456_789_012_345_678_901n), '123456789012.345678901 WAL');
});

test('a progress line shows percent, files, bytes, rate and ETA', () => {
  const line = renderProgressLine(
    {
      phase: 'backup',
      filesDone: 3,
      filesTotal: 10,
      bytesDone: 50 * 1024 * 1024,
      bytesTotal: 100 * 1024 * 1024,
      rate: 10 * 1024 * 1024,
      etaSeconds: 5,
      elapsedSeconds: 5,
      currentPath: null,
      step: null,
    },
    120,
  );
  assert.match(line, / 50% backup 3\/10 files 50\.0 MiB\/100\.0 MiB 10\.0 MiB\/s ETA 5s$/);
  assert.match(line, /^\[#{15}\.{15}\]/);
});
