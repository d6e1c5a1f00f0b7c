import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BlobTooLargeError,
  EncodingConfig,
  MAX_SYMBOL_SIZE,
} from '../../../core/walrus/encoding/config.js';

test('f and the source symbols follow the BFT bounds', () => {
  const c = new EncodingConfig(10);
  assert.equal(c.maxFaulty, 3);
  assert.equal(c.primarySourceSymbols, 4);
  assert.equal(c.secondarySourceSymbols, 7);
  const big = new EncodingConfig(1000);
  assert.deepEqual(
    [big.maxFaulty, big.primarySourceSymbols, big.secondarySourceSymbols],
    [333, 334, 667],
  );
});

test('symbol sizes are even, at least 2 and at most 65534', () => {
  const c = new EncodingConfig(7); // 3 x 5 source symbols
  assert.equal(c.symbolSize(0), 2);
  assert.equal(c.symbolSize(1), 2);
  assert.equal(c.symbolSize(30), 2);
  assert.equal(c.symbolSize(31), 4);
  assert.equal(c.symbolSize(c.maxBlobSize), MAX_SYMBOL_SIZE);
});

test('a blob too large for the committee is refused with BlobTooLargeError', () => {
  const small = new EncodingConfig(10);
  assert.equal(small.maxBlobSize, 4 * 7 * 65534);
  assert.throws(() => small.symbolSize(2 * 1024 * 1024), BlobTooLargeError);
  assert.throws(() => small.symbolSize(small.maxBlobSize + 1), /cannot be encoded on 10 shards/);
  const large = new EncodingConfig(1000);
  assert.ok(large.maxBlobSize > 13 * 1024 ** 3, `${large.maxBlobSize}`);
  assert.equal(large.symbolSize(1024 ** 3) % 2, 0);
});

test('the encoded length counts every shard’s sliver pair and metadata copy', () => {
  const c = new EncodingConfig(10);
  // 1 MiB: symbol size ceil(1048576 / 28) = 37450; a pair is (4 + 7) symbols; metadata 10*64+32.
  assert.equal(c.symbolSize(1 << 20), 37450);
  assert.equal(c.encodedBlobLength(1 << 20), 10 * (11 * 37450 + 672));
  assert.equal(c.metadataLength, 672);
  assert.equal(c.primarySliverSize(1 << 20), 7 * 37450);
  assert.equal(c.secondarySliverSize(1 << 20), 4 * 37450);
});

test('fewer than four shards cannot carry RS2 repair symbols', () => {
  assert.throws(() => new EncodingConfig(3), /from 4 to 65535/);
  assert.throws(() => new EncodingConfig(1.5), RangeError);
});
