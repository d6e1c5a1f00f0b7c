import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignShards, shardTargets } from '../../../core/localnet/ledger/committee.js';

test('shards are shared in proportion to stake, remainders to the largest fractions', () => {
  assert.deepEqual(shardTargets(10, [1n, 1n, 1n, 1n]), [3, 3, 2, 2]);
  assert.deepEqual(shardTargets(1000, [1n, 2n, 7n]), [100, 200, 700]);
  assert.deepEqual(shardTargets(7, [0n, 5n]), [0, 7]);
});

test('a genesis assignment gives each node a contiguous run', () => {
  assert.deepEqual(assignShards(6, [1n, 2n]), [0, 0, 1, 1, 1, 1]);
});

test('when stake moves, only the surplus shards change hands', () => {
  const before = assignShards(100, [1n, 1n, 1n, 1n]);
  const after = assignShards(100, [1n, 1n, 1n, 3n], before);
  const moved = after.filter((node, shard) => node !== before[shard]).length;
  assert.equal(moved, 50 - 25);
  assert.deepEqual(shardTargets(100, [1n, 1n, 1n, 3n]), [17, 17, 16, 50]);
  for (const n of [0, 1, 2, 3])
    assert.equal(after.filter((x) => x === n).length, [17, 17, 16, 50][n]);
});

test('a committee without stake cannot be assigned', () => {
  assert.throws(() => shardTargets(10, [0n, 0n]), /no stake/);
});
