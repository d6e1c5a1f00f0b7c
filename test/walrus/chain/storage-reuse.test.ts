/**
 * Choosing storage the account owns for a new blob, as `storage_resource.move` allows: it
 * must have started and last as long as asked; same-period resources fuse; a larger one is
 * split. On the localnet the whole path runs: deleted blobs' storage is registered into.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { StorageResource } from '../../../core/walrus/chain/chain.js';
import { planStorageReuse } from '../../../core/walrus/chain/storage-reuse.js';
import { blobIdToString, encodeBlob, EncodingConfig } from '../../../core/walrus/encoding/index.js';
import { startTestLedger } from '../../support/ledger.js';

const r = (storageId: string, startEpoch: number, endEpoch: number, size: number) =>
  ({ storageId, startEpoch, endEpoch, size }) satisfies StorageResource;

test('the resource that wastes least is chosen, and split to the blob', () => {
  const plan = planStorageReuse(
    [r('long', 1, 30, 500), r('big', 2, 8, 5000), r('tight', 2, 8, 600), r('small', 1, 9, 99)],
    5,
    8,
    500,
  );
  assert.deepEqual(plan, { target: r('tight', 2, 8, 600), fuse: [], splitTo: 500 });
  assert.deepEqual(planStorageReuse([r('exact', 5, 8, 500)], 5, 8, 500), {
    target: r('exact', 5, 8, 500),
    fuse: [],
    splitTo: null,
  });
});

test('storage that has not started, ends too early or is too small is not used', () => {
  assert.equal(planStorageReuse([r('later', 6, 20, 1000)], 5, 8, 500), null);
  assert.equal(planStorageReuse([r('short', 1, 7, 1000)], 5, 8, 500), null);
  assert.equal(planStorageReuse([r('small', 1, 9, 499)], 5, 8, 500), null);
});

test('resources of the same period fuse to hold what none holds alone', () => {
  const plan = planStorageReuse(
    [r('a', 2, 9, 200), r('b', 2, 9, 300), r('c', 2, 9, 100), r('other', 3, 9, 300)],
    5,
    8,
    450,
  );
  assert.deepEqual(plan, { target: r('b', 2, 9, 300), fuse: [r('a', 2, 9, 200)], splitTo: 450 });
});

test('on the localnet a deleted blob’s storage holds the next blobs, which pay the write fee only', async () => {
  const t = await startTestLedger();
  try {
    const blob = (size: number) => {
      const e = encodeBlob(10, randomBytes(size));
      return { blobId: blobIdToString(e.blobId), rootHash: e.rootHash, size, encodingType: 1 };
    };
    const big = await t.chain.registerBlob({ ...blob(300_000), epochs: 5, deletable: true });
    await t.chain.deleteBlob(big.blob.objectId);
    const [freed] = await t.chain.storageResources(t.chain.address);
    const small = blob(1000);
    const encoded = new EncodingConfig(10).encodedBlobLength(small.size);
    const state = await t.chain.systemState();
    const before = BigInt((await t.chain.balances(t.chain.address)).wal);
    const reused = await t.chain.registerBlob({ ...small, epochs: 3, deletable: true });
    const writeFee = BigInt(Math.ceil(encoded / 2 ** 20)) * BigInt(state.writePricePerUnit);
    assert.equal(BigInt(reused.cost), writeFee);
    assert.equal(BigInt((await t.chain.balances(t.chain.address)).wal), before - writeFee);
    assert.equal(reused.blob.storageSize, encoded);
    assert.equal(reused.blob.endEpoch, freed!.endEpoch, 'it keeps the storage’s longer term');
    const [rest] = await t.chain.storageResources(t.chain.address);
    assert.deepEqual(
      [rest!.startEpoch, rest!.endEpoch, rest!.size],
      [freed!.startEpoch, freed!.endEpoch, freed!.size - encoded],
    );
    // Longer than the storage lasts: bought anew, the rest left alone.
    const longer = await t.chain.registerBlob({ ...blob(1000), epochs: 9, deletable: true });
    assert.equal(longer.blob.endEpoch, state.epoch + 9);
    assert.equal((await t.chain.storageResources(t.chain.address)).length, 1);
  } finally {
    await t.close();
  }
});
