import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  blobIdToString,
  encodeBlob,
  encodeMetadata,
  RS2_ENCODING_TYPE,
} from '../../../core/walrus/encoding/index.js';
import { NodeRejectedError, StorageNodeClient } from '../../../core/walrus/storage-node-client.js';
import { shardToPairIndex } from '../../../core/walrus/shards.js';
import { startTestNetwork, type TestNetwork } from '../../support/localnet.js';

async function registered(t: TestNetwork, size = 5000, deletable = false) {
  const e = encodeBlob(10, randomBytes(size));
  const blobId = blobIdToString(e.blobId);
  const { blob } = await t.chain.registerBlob({
    blobId,
    rootHash: e.rootHash,
    size,
    encodingType: RS2_ENCODING_TYPE,
    epochs: 2,
    deletable,
  });
  return { e, blobId, blob };
}

async function rejectsWith(p: Promise<unknown>, status: number, reason: string) {
  await assert.rejects(
    p,
    (e: unknown) => e instanceof NodeRejectedError && e.status === status && e.reason === reason,
    `${status} ${reason}`,
  );
}

test('metadata of a blob nobody registered is refused', async () => {
  const t = await startTestNetwork();
  try {
    const e = encodeBlob(10, randomBytes(1000));
    const node = new StorageNodeClient(t.net.nodes[0]!.url);
    await rejectsWith(
      node.putMetadata(blobIdToString(e.blobId), encodeMetadata(e.metadata)),
      400,
      'NOT_REGISTERED',
    );
    assert.deepEqual(await t.net.nodes[0]!.store.blobIds(), []);
  } finally {
    await t.close();
  }
});

test('malformed BCS, foreign metadata and bad slivers are refused with a reason', async () => {
  const t = await startTestNetwork();
  try {
    const { e, blobId } = await registered(t);
    const node = new StorageNodeClient(t.net.nodes[0]!.url);
    await rejectsWith(
      node.putMetadata(blobId, Uint8Array.of(1, 2, 3)),
      400,
      'INVALID_CONTENT_TYPE',
    );
    const other = encodeBlob(10, randomBytes(1000));
    await rejectsWith(
      node.putMetadata(blobId, encodeMetadata(other.metadata)),
      400,
      'INVALID_METADATA',
    );
    await rejectsWith(
      node.putSliver(blobId, 0, 'primary', e.primary[0]!),
      400,
      'METADATA_NOT_FOUND',
    );
    await node.putMetadata(blobId, encodeMetadata(e.metadata));
    const { committee } = await t.chain.systemState();
    const mine = shardToPairIndex(committee[0]!.shards[0]!, e.blobId, 10);
    const bad = Uint8Array.from(e.primary[mine]!);
    bad[10]! ^= 0xff;
    await rejectsWith(node.putSliver(blobId, mine, 'primary', bad), 400, 'INVALID_SLIVER');
    await rejectsWith(
      node.putSliver(blobId, mine, 'primary', e.primary[(mine + 1) % 10]!),
      400,
      'SLIVER_INDEX_MISMATCH',
    );
    assert.equal(await t.net.nodes[0]!.store.hasSliver(blobId, mine, 'primary'), false);
  } finally {
    await t.close();
  }
});

test('a node refuses slivers of shards it does not hold, and confirms only when it holds all of its own', async () => {
  const t = await startTestNetwork();
  try {
    const { e, blobId } = await registered(t);
    const node = new StorageNodeClient(t.net.nodes[0]!.url);
    await node.putMetadata(blobId, encodeMetadata(e.metadata));
    const { committee } = await t.chain.systemState();
    const foreign = shardToPairIndex(committee[1]!.shards[0]!, e.blobId, 10);
    await rejectsWith(
      node.putSliver(blobId, foreign, 'primary', e.primary[foreign]!),
      400,
      'SHARD_NOT_ASSIGNED',
    );
    const pairs = committee[0]!.shards.map((s) => shardToPairIndex(s, e.blobId, 10));
    for (const p of pairs) await node.putSliver(blobId, p, 'primary', e.primary[p]!);
    await rejectsWith(node.getConfirmation(blobId, null), 400, 'MISSING_SLIVERS');
    for (const p of pairs) await node.putSliver(blobId, p, 'secondary', e.secondary[p]!);
    const c = await node.getConfirmation(blobId, null);
    assert.equal(c.signature.length, 96);
    // A permanent blob has no deletable registration to confirm.
    await rejectsWith(node.getConfirmation(blobId, '0x' + '1'.repeat(64)), 400, 'NOT_REGISTERED');
  } finally {
    await t.close();
  }
});

test('a corrupted sliver on disk is detected by the reader, which routes around it', async () => {
  const t = await startTestNetwork();
  try {
    const data = randomBytes(30_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 2, deletable: false });
    // Corrupt every primary sliver node 0 holds.
    const dir = join(t.net.dir, 'nodes', 'node-0', 'blobs', stored.blobId);
    for (const f of (await readdir(dir)).filter((f) => f.endsWith('.primary'))) {
      const bytes = await readFile(join(dir, f));
      bytes[bytes.length - 10]! ^= 0x55;
      await writeFile(join(dir, f), bytes);
    }
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
  } finally {
    await t.close();
  }
});

test('a store with one node down still certifies and names the missing node', async () => {
  const t = await startTestNetwork();
  try {
    await t.net.stopNode(3);
    const data = randomBytes(10_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 2, deletable: false });
    assert.equal(stored.failedNodes.length, 1);
    assert.match(stored.failedNodes[0]!, /node-3/);
    assert.equal((await t.chain.getBlob(stored.objectId))!.state, 'certified');
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
  } finally {
    await t.close();
  }
});

test('nodes free the space of expired and deleted blobs', async () => {
  const t = await startTestNetwork();
  try {
    const gone = await t.client.store(randomBytes(10_000), { epochs: 1, deletable: false });
    const deleted = await t.client.store(randomBytes(10_000), { epochs: 5, deletable: true });
    const kept = await t.client.store(randomBytes(10_000), { epochs: 5, deletable: false });
    await t.client.delete(deleted.objectId);
    t.net.ledger.advanceEpoch();
    const deadline = Date.now() + 5_000;
    const held = async () =>
      new Set((await Promise.all(t.net.nodes.map((n) => n.store.blobIds()))).flat());
    while (
      Date.now() < deadline &&
      ((await held()).has(gone.blobId) || (await held()).has(deleted.blobId))
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const left = await held();
    assert.equal(left.has(gone.blobId), false, 'expired blob still on disk');
    assert.equal(left.has(deleted.blobId), false, 'deleted blob still on disk');
    assert.equal(left.has(kept.blobId), true);
  } finally {
    await t.close();
  }
});

test('a node that was down during a write recovers its slivers when it comes back', async () => {
  const t = await startTestNetwork();
  try {
    await t.net.stopNode(0);
    const data = randomBytes(60_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 3, deletable: false });
    assert.equal(stored.failedNodes.length, 1);
    const node = await t.net.restartNode(0);
    await node.recoveryIdle();
    const { committee } = await t.chain.systemState();
    const id = (await import('../../../core/walrus/encoding/index.js')).blobIdFromString(
      stored.blobId,
    );
    for (const shard of committee[0]!.shards) {
      const pair = shardToPairIndex(shard, id, 10);
      assert.ok(await node.store.hasSliver(stored.blobId, pair, 'primary'), `primary ${pair}`);
      assert.ok(await node.store.hasSliver(stored.blobId, pair, 'secondary'), `secondary ${pair}`);
    }
    // With two other nodes down, the read needs node 0's recovered slivers.
    await t.net.stopNode(1);
    await t.net.stopNode(3);
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
  } finally {
    await t.close();
  }
});

test('a node that lost a sliver file gets it back at the next epoch change', async () => {
  const t = await startTestNetwork();
  try {
    const stored = await t.client.store(randomBytes(20_000), { epochs: 3, deletable: false });
    const node = t.net.nodes[1]!;
    const dir = join(t.net.dir, 'nodes', 'node-1', 'blobs', stored.blobId);
    const lost = (await readdir(dir)).find((f) => f.endsWith('.secondary'))!;
    await (await import('node:fs/promises')).rm(join(dir, lost));
    t.net.ledger.advanceEpoch();
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && !(await readdir(dir)).includes(lost))
      await new Promise((r) => setTimeout(r, 50));
    await node.recoveryIdle();
    assert.ok((await readdir(dir)).includes(lost), 'the lost sliver was recovered');
  } finally {
    await t.close();
  }
});
