import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pairIndexToShard, rotationOffset, shardToPairIndex } from '../../core/walrus/shards.js';

test('the rotation offset is the blob id read big-endian modulo the shard count', () => {
  const id = new Uint8Array(32);
  id[31] = 7;
  assert.equal(rotationOffset(id, 10), 7);
  id[30] = 1; // 256 + 7 = 263
  assert.equal(rotationOffset(id, 10), 3);
  assert.equal(rotationOffset(id, 1000), 263);
});

test('shard and pair index mappings are inverse permutations', () => {
  for (const n of [1, 4, 10, 1000]) {
    const id = randomBytes(32);
    const shards = new Set<number>();
    for (let pair = 0; pair < n; pair++) {
      const shard = pairIndexToShard(pair, id, n);
      assert.equal(shardToPairIndex(shard, id, n), pair);
      shards.add(shard);
    }
    assert.equal(shards.size, n);
  }
});
