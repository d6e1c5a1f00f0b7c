import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  failuresTolerated,
  nodesAlwaysEnough,
  readThreshold,
} from '../../../core/walrus/protocol/recoverability.js';

test('the read threshold is n − 2f shards', () => {
  assert.deepEqual([4, 5, 7, 10, 100, 1000].map(readThreshold), [2, 3, 3, 4, 34, 334]);
});

test('the nodes always enough to rebuild count the smallest nodes first', () => {
  assert.equal(nodesAlwaysEnough(Array(10).fill(10), 100), 4);
  // 10 shards over 4 nodes (3, 3, 2, 2): any two nodes hold at least 4 shards.
  assert.equal(nodesAlwaysEnough([3, 3, 2, 2], 10), 2);
  assert.equal(nodesAlwaysEnough([1, 1], 10), null);
});

test('failures tolerated take the largest serving nodes first, and −1 when already lost', () => {
  assert.equal(failuresTolerated(Array(10).fill(10), 100), 6);
  assert.equal(failuresTolerated([3, 3, 2, 2], 10), 2);
  // One 3-shard node down and one lying: 3 + 2 = 5 shards serve; losing the 3 leaves 2 < 4.
  assert.equal(failuresTolerated([3, 2], 10), 0);
  assert.equal(failuresTolerated([2], 10), -1);
  assert.equal(failuresTolerated([], 10), -1);
});
