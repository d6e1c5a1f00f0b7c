/**
 * The localnet's economics are the contract's: a capacity the nodes vote (a full network
 * refuses with EStorageExceeded), prices set from the nodes' votes, each epoch paid out
 * with 3 % burnt first and the rest split by shard weight × stored bytes (remainder
 * carried), and storage returned unchanged on delete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ChainError, type ChainEvent } from '../../../core/walrus/chain/chain.js';
import type { LocalChain } from '../../../core/walrus/chain/local-chain.js';
import { blobIdToString, encodeBlob, EncodingConfig } from '../../../core/walrus/encoding/index.js';
import {
  blsAggregateSignatures,
  blsSign,
  confirmationMessage,
} from '../../../core/walrus/protocol/index.js';
import type { StorageResource } from '../../../core/localnet/ledger/wire.js';
import { startTestLedger, type TestLedger } from '../../support/ledger.js';

const MiB = 1024 * 1024;

function newBlob(size: number) {
  const e = encodeBlob(10, randomBytes(size));
  return { blobId: blobIdToString(e.blobId), rootHash: e.rootHash, size, encodingType: 1, e };
}

async function certify(t: TestLedger, objectId: string, blobId: Uint8Array, deletable: boolean) {
  const { epoch } = await t.chain.systemState();
  const message = confirmationMessage(
    epoch,
    blobId,
    deletable ? { deletable: true, objectId } : { deletable: false },
  );
  const signers = [0, 1, 2];
  const signature = blsAggregateSignatures(
    signers.map((i) => blsSign(t.nodeKeys[i]!.secretKey, message)),
  );
  return t.chain.certifyBlob(objectId, { signature, signers, message });
}

/** Registers into an existing storage resource (the chain call, as the contract takes it). */
async function registerInto(
  t: TestLedger,
  blob: ReturnType<typeof newBlob>,
  storageId: string,
  deletable: boolean,
) {
  const r = await t.chain.execute({
    kind: 'register_blob',
    blobId: blob.blobId,
    rootHash: Buffer.from(blob.rootHash).toString('hex'),
    size: blob.size,
    encodingType: 1,
    epochs: 1,
    deletable,
    storageId,
  });
  return { ...r, blob: r.blob! };
}

async function storageOf(t: TestLedger, chain: LocalChain): Promise<StorageResource[]> {
  const res = await fetch(`${t.server.url}/v1/accounts/${chain.address}/storage`);
  return (await res.json()) as StorageResource[];
}

const refusedAs = (code: string) => (e: unknown) => e instanceof ChainError && e.code === code;

async function eventsOf(t: TestLedger, type: string): Promise<ChainEvent[]> {
  return (await t.chain.events(0, 10_000)).events.filter((e) => e.type === type);
}

const encoded = (size: number) => new EncodingConfig(10).encodedBlobLength(size);

test('a full network refuses storage with StorageExceeded and takes no WAL', async () => {
  // 10 shards over 4 nodes (3, 3, 2, 2); each offers `c` bytes, so the network's capacity
  // is the highest per-shard offer a quorum backs: c × 10 / 3.
  const blob = newBlob(200_000);
  const c = Math.ceil((encoded(blob.size) * 1.5 * 3) / 10);
  const t = await startTestLedger({ genesis: { nodeCapacity: String(c) } });
  try {
    const state = await t.chain.systemState();
    assert.equal(state.totalCapacity, String(Math.floor((c * 10) / 3)));
    const first = await t.chain.registerBlob({ ...blob, epochs: 3, deletable: true });
    assert.equal((await t.chain.systemState()).usedCapacity, String(encoded(blob.size)));
    const before = await t.chain.balances(t.chain.address);
    const second = newBlob(200_000);
    await assert.rejects(
      t.chain.registerBlob({ ...second, epochs: 1, deletable: false }),
      (e: unknown) =>
        refusedAs('StorageExceeded')(e) && /the network is full/.test((e as Error).message),
    );
    assert.deepEqual(await t.chain.balances(t.chain.address), before);
    // Deleting returns the storage but not the capacity: buying more is still refused, …
    await t.chain.deleteBlob(first.blob.objectId);
    await assert.rejects(
      t.chain.execute({
        kind: 'register_blob',
        blobId: second.blobId,
        rootHash: Buffer.from(second.rootHash).toString('hex'),
        size: second.size,
        encodingType: 1,
        epochs: 1,
        deletable: false,
      }),
      refusedAs('StorageExceeded'),
    );
    // … and Floe's registration goes into the storage that came back.
    const [storage] = await storageOf(t, t.chain);
    const reused = await t.chain.registerBlob({ ...second, epochs: 1, deletable: false });
    assert.equal(reused.blob.state, 'registered');
    assert.equal(reused.blob.endEpoch, storage!.endEpoch);
    assert.deepEqual(await storageOf(t, t.chain), []);
    // Once that storage has ended, the capacity is free again.
    for (let i = 0; i < 3; i++) t.server.advanceEpoch();
    await t.chain.registerBlob({ ...newBlob(200_000), epochs: 1, deletable: false });
  } finally {
    await t.close();
  }
});

test('prices are the lowest a quorum of shards voted at or below, and follow each vote', async () => {
  const t = await startTestLedger(); // shards 3, 3, 2, 2
  try {
    const votes = ['100', '200', '300', '400'];
    for (const [i, op] of t.operators.entries())
      await op.execute({ kind: 'set_storage_price_vote', nodeId: `node-${i}`, price: votes[i]! });
    // Without the 400 (2 shards) 8 of 10 remain, a quorum; without the 300 too, 6: not one.
    assert.equal((await t.chain.systemState()).storagePricePerUnit, '300');
    await t.operators[0]!.execute({
      kind: 'set_write_price_vote',
      nodeId: 'node-0',
      price: '1',
    });
    assert.equal((await t.chain.systemState()).writePricePerUnit, '20000');
    const units = BigInt(Math.ceil(encoded(1000) / MiB));
    assert.equal(await t.chain.storageCost(1000, 2), units * 300n * 2n + units * 20000n);
    await assert.rejects(
      t.chain.execute({ kind: 'set_storage_price_vote', nodeId: 'node-0', price: '1' }),
      refusedAs('NotOwner'),
    );
    assert.ok((await eventsOf(t, 'PricesUpdated')).length >= 1);
  } finally {
    await t.close();
  }
});

test('a capacity vote takes effect at the next epoch change', async () => {
  const t = await startTestLedger();
  try {
    const before = (await t.chain.systemState()).totalCapacity;
    for (const [i, op] of t.operators.entries())
      await op.execute({ kind: 'set_node_capacity_vote', nodeId: `node-${i}`, capacity: '3000' });
    assert.equal((await t.chain.systemState()).totalCapacity, before);
    t.server.advanceEpoch();
    assert.equal((await t.chain.systemState()).totalCapacity, '10000');
  } finally {
    await t.close();
  }
});

test('a purchase offering less than today’s price is refused and pays nothing', async () => {
  const t = await startTestLedger();
  try {
    const blob = newBlob(1000);
    const quoted = await t.chain.storageCost(blob.size, 2);
    for (const [i, op] of t.operators.entries())
      await op.execute({ kind: 'set_storage_price_vote', nodeId: `node-${i}`, price: '999999' });
    const before = await t.chain.balances(t.chain.address);
    await assert.rejects(
      t.chain.execute({
        kind: 'register_blob',
        blobId: blob.blobId,
        rootHash: Buffer.from(blob.rootHash).toString('hex'),
        size: blob.size,
        encodingType: 1,
        epochs: 2,
        deletable: false,
        payment: quoted.toString(),
      }),
      refusedAs('PriceChanged'),
    );
    assert.deepEqual(await t.chain.balances(t.chain.address), before);
  } finally {
    await t.close();
  }
});

test('an epoch pays out with 3 % burnt, split by shard weight × bytes stored, remainder carried', async () => {
  const t = await startTestLedger(); // shards 3, 3, 2, 2
  try {
    const blob = newBlob(100_000);
    const { cost } = await t.chain.registerBlob({ ...blob, epochs: 1, deletable: false });
    t.server.advanceEpoch();
    const [first] = await eventsOf(t, 'RewardsDistributed');
    const total = BigInt(cost); // one epoch of storage and the write fee, all in epoch 1
    assert.equal(BigInt(first!.data.total as string), total);
    const burnt = (total * 3n) / 100n;
    assert.equal(BigInt(first!.data.burnt as string), burnt);
    const rest = total - burnt;
    const stored = BigInt(encoded(blob.size));
    const shares = [3n, 3n, 2n, 2n].map((w) => (w * stored * rest) / (10n * stored));
    const rewards = t.genesis.nodes.map((n) =>
      BigInt(t.server.ledger.nodeRewards(n.nodeId).rewards),
    );
    assert.deepEqual(rewards, shares);
    const carried = rest - shares.reduce((a, b) => a + b, 0n);
    assert.equal(BigInt(first!.data.carried as string), carried);
    // Epoch 2 stores nothing, so its rewards (the carried remainder) are carried again.
    t.server.advanceEpoch();
    const second = (await eventsOf(t, 'RewardsDistributed'))[1]!;
    assert.equal(BigInt(second.data.total as string), carried);
    assert.equal(BigInt(second.data.paid as string), 0n);
    assert.deepEqual(
      t.genesis.nodes.map((n) => BigInt(t.server.ledger.nodeRewards(n.nodeId).rewards)),
      shares,
    );
  } finally {
    await t.close();
  }
});

test('a deleted blob returns its storage unchanged: the same period and size', async () => {
  const t = await startTestLedger();
  try {
    const big = newBlob(60_000);
    const a = await t.chain.registerBlob({ ...big, epochs: 5, deletable: true });
    t.server.advanceEpoch();
    t.server.advanceEpoch();
    await t.chain.deleteBlob(a.blob.objectId);
    const [s] = await storageOf(t, t.chain);
    assert.deepEqual([s!.startEpoch, s!.endEpoch, s!.size], [1, 6, encoded(big.size)]);
    // A small blob in the big storage keeps all of it, and gives all of it back.
    const small = newBlob(100);
    const b = await registerInto(t, small, s!.storageId, true);
    assert.equal(b.blob.storageSize, encoded(big.size));
    assert.equal(b.blob.startEpoch, 1);
    await t.chain.deleteBlob(b.blob.objectId);
    assert.deepEqual(await storageOf(t, t.chain), [s]);
  } finally {
    await t.close();
  }
});

test('storage that starts in a later epoch cannot hold a blob registered now', async () => {
  const t = await startTestLedger();
  try {
    const a = await t.chain.registerBlob({ ...newBlob(1000), epochs: 6, deletable: true });
    await t.chain.deleteBlob(a.blob.objectId);
    const [whole] = await storageOf(t, t.chain);
    const later = await t.chain.execute({
      kind: 'split_storage_by_epoch',
      storageId: whole!.storageId,
      epoch: 4,
    });
    await assert.rejects(
      registerInto(t, newBlob(500), later.objectId!, false),
      refusedAs('InvalidState'),
    );
  } finally {
    await t.close();
  }
});

test('extending pays for the whole storage resource the blob holds', async () => {
  const t = await startTestLedger();
  try {
    const big = newBlob(400_000); // more than one MiB encoded; the small blob is less
    const a = await t.chain.registerBlob({ ...big, epochs: 5, deletable: true });
    await t.chain.deleteBlob(a.blob.objectId);
    const [s] = await storageOf(t, t.chain);
    const small = newBlob(100);
    const b = await registerInto(t, small, s!.storageId, true);
    await certify(t, b.blob.objectId, small.e.blobId, true);
    const { cost } = await t.chain.extendBlob(b.blob.objectId, 2);
    const price = BigInt((await t.chain.systemState()).storagePricePerUnit);
    assert.ok(encoded(big.size) > MiB && encoded(small.size) < MiB);
    assert.equal(BigInt(cost), BigInt(Math.ceil(encoded(big.size) / MiB)) * price * 2n);
  } finally {
    await t.close();
  }
});
