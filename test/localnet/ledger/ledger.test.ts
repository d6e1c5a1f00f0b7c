import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { encodeBlob, blobIdToString } from '../../../core/walrus/encoding/index.js';
import {
  blsAggregateSignatures,
  blsSign,
  confirmationMessage,
  generateBlsKeyPair,
} from '../../../core/walrus/protocol/index.js';
import { ChainError } from '../../../core/walrus/chain/chain.js';
import { LocalChain } from '../../../core/walrus/chain/local-chain.js';
import { LedgerServer } from '../../../core/localnet/ledger/server.js';
import { encodeTransaction } from '../../../core/localnet/ledger/wire.js';
import { startTestLedger, type TestLedger } from '../../support/ledger.js';

function newBlob(size = 1000) {
  const e = encodeBlob(10, randomBytes(size));
  return {
    blobId: blobIdToString(e.blobId),
    rootHash: e.rootHash,
    size,
    encodingType: 1,
    bytes: e.blobId,
  };
}

async function certificate(
  t: TestLedger,
  blobId: Uint8Array,
  signers: number[],
  persistence = { deletable: false as const },
) {
  const { epoch } = await t.chain.systemState();
  const message = confirmationMessage(epoch, blobId, persistence);
  const signature = blsAggregateSignatures(
    signers.map((i) => blsSign(t.nodeKeys[i]!.secretKey, message)),
  );
  return { signature, signers, message };
}

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(
    p,
    (e: unknown) => e instanceof ChainError && e.code === code,
    `expected ${code}`,
  );
}

test('registering a blob buys storage, debits WAL and emits an event', async () => {
  const t = await startTestLedger();
  try {
    const before = BigInt((await t.chain.balances(t.chain.address)).wal);
    const b = newBlob();
    const cost = await t.chain.storageCost(b.size, 5);
    const r = await t.chain.registerBlob({
      ...b,
      epochs: 5,
      deletable: false,
      attributes: { app: 'floe' },
    });
    assert.equal(r.blob.state, 'registered');
    assert.equal(r.blob.endEpoch, 1 + 5);
    assert.deepEqual(r.blob.attributes, { app: 'floe' });
    assert.equal(BigInt(r.cost), cost);
    assert.equal(BigInt((await t.chain.balances(t.chain.address)).wal), before - cost);
    const { events } = await t.chain.events(0);
    assert.ok(
      events.some((e) => e.type === 'BlobRegistered' && e.data.objectId === r.blob.objectId),
    );
  } finally {
    await t.close();
  }
});

test('a blob id that does not derive from its root hash is refused', async () => {
  const t = await startTestLedger();
  try {
    const b = newBlob();
    await rejects(
      t.chain.registerBlob({ ...b, size: b.size + 1, epochs: 1, deletable: false }),
      'InvalidArgument',
    );
  } finally {
    await t.close();
  }
});

test('a quorum certificate certifies; short or forged ones change nothing', async () => {
  const t = await startTestLedger(); // 10 shards over 4 nodes: 3, 3, 2, 2
  try {
    const b = newBlob();
    const { blob } = await t.chain.registerBlob({ ...b, epochs: 3, deletable: false });
    await rejects(
      t.chain.certifyBlob(blob.objectId, await certificate(t, b.bytes, [0, 1])),
      'InvalidCertificate',
    );
    const forged = await certificate(t, b.bytes, [0, 1, 2]);
    forged.signature = blsAggregateSignatures(
      [0, 1]
        .map((i) => blsSign(t.nodeKeys[i]!.secretKey, forged.message))
        .concat(blsSign(generateBlsKeyPair().secretKey, forged.message)),
    );
    await rejects(t.chain.certifyBlob(blob.objectId, forged), 'InvalidCertificate');
    // Signers name committee members once each; a repeated one is a malformed certificate.
    await rejects(
      t.chain.certifyBlob(blob.objectId, await certificate(t, b.bytes, [0, 0, 1, 2])),
      'InvalidArgument',
    );
    const unknownSigner = await certificate(t, b.bytes, [0, 1, 2]);
    await rejects(
      t.chain.certifyBlob(blob.objectId, { ...unknownSigner, signers: [0, 1, 9] }),
      'InvalidCertificate',
    );
    assert.equal((await t.chain.getBlob(blob.objectId))!.state, 'registered');
    const ok = await t.chain.certifyBlob(blob.objectId, await certificate(t, b.bytes, [0, 1, 2]));
    assert.equal(ok.blob.state, 'certified');
    assert.equal(ok.blob.certifiedEpoch, 1);
    await rejects(
      t.chain.certifyBlob(blob.objectId, await certificate(t, b.bytes, [0, 1, 2])),
      'InvalidState',
    );
  } finally {
    await t.close();
  }
});

test('a certificate from another epoch or for a deletable blob’s wrong object is refused', async () => {
  const t = await startTestLedger();
  try {
    const b = newBlob();
    const { blob } = await t.chain.registerBlob({ ...b, epochs: 3, deletable: true });
    const stale = await certificate(t, b.bytes, [0, 1, 2], { deletable: false } as never);
    await rejects(t.chain.certifyBlob(blob.objectId, stale), 'InvalidCertificate');
    const old = await certificate(t, b.bytes, [0, 1, 2], {
      deletable: true,
      objectId: blob.objectId,
    } as never);
    t.server.advanceEpoch();
    await rejects(t.chain.certifyBlob(blob.objectId, old), 'InvalidCertificate');
    const fresh = await certificate(t, b.bytes, [0, 1, 2], {
      deletable: true,
      objectId: blob.objectId,
    } as never);
    assert.equal((await t.chain.certifyBlob(blob.objectId, fresh)).blob.state, 'certified');
  } finally {
    await t.close();
  }
});

test('a forged or replayed transaction is refused and changes nothing', async () => {
  const t = await startTestLedger();
  try {
    const victim = t.chain;
    const thief = new Ed25519Keypair();
    const bytes = encodeTransaction({
      sender: victim.address,
      nonce: 0,
      call: { kind: 'transfer_wal', to: thief.toSuiAddress(), amount: '5' },
    });
    const { signature } = await thief.signTransaction(bytes);
    const res = await fetch(t.server.url + '/v1/transactions', {
      method: 'POST',
      body: JSON.stringify({ bytes: Buffer.from(bytes).toString('base64'), signature }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'BadSignature');

    const to = new Ed25519Keypair().toSuiAddress();
    const ok = encodeTransaction({
      sender: victim.address,
      nonce: 0,
      call: { kind: 'transfer_wal', to, amount: '7' },
    });
    const signed = {
      bytes: Buffer.from(ok).toString('base64'),
      signature: (
        await (victim as unknown as { keypair: Ed25519Keypair }).keypair.signTransaction(ok)
      ).signature,
    };
    const post = () =>
      fetch(t.server.url + '/v1/transactions', { method: 'POST', body: JSON.stringify(signed) });
    assert.equal((await post()).status, 200);
    const replay = await post();
    assert.equal(replay.status, 409);
    assert.equal((await t.chain.balances(to)).wal, '7');
  } finally {
    await t.close();
  }
});

test('only the owner may delete, transfer or label a blob', async () => {
  const t = await startTestLedger();
  try {
    const b = newBlob();
    const { blob } = await t.chain.registerBlob({ ...b, epochs: 2, deletable: true });
    const other = await t.newAccount();
    await rejects(other.deleteBlob(blob.objectId), 'NotOwner');
    await rejects(other.transferBlob(blob.objectId, other.address), 'NotOwner');
    await rejects(other.setAttributes(blob.objectId, { x: 'y' }), 'NotOwner');
    const after = (await t.chain.getBlob(blob.objectId))!;
    assert.equal(after.owner, t.chain.address);
    assert.equal(after.state, 'registered');
    assert.deepEqual(after.attributes, {});
  } finally {
    await t.close();
  }
});

test('a short balance is refused before anything is bought', async () => {
  const t = await startTestLedger();
  try {
    const poor = await t.newAccount(false);
    await rejects(
      poor.registerBlob({ ...newBlob(), epochs: 1, deletable: false }),
      'InsufficientBalance',
    );
    assert.deepEqual((await poor.listOwnedBlobs(poor.address)).blobs, []);
  } finally {
    await t.close();
  }
});

test('extending pays per epoch and cannot reach past the maximum ahead', async () => {
  const t = await startTestLedger({ genesis: { maxEpochsAhead: 10 } });
  try {
    const b = newBlob(50_000);
    const { blob } = await t.chain.registerBlob({ ...b, epochs: 4, deletable: false });
    await t.chain.certifyBlob(blob.objectId, await certificate(t, b.bytes, [0, 1, 2]));
    const before = BigInt((await t.chain.balances(t.chain.address)).wal);
    const r = await t.chain.extendBlob(blob.objectId, 3);
    assert.equal(r.blob.endEpoch, 1 + 4 + 3);
    const perEpoch =
      (await t.chain.storageCost(b.size, 2)) - (await t.chain.storageCost(b.size, 1));
    assert.equal(BigInt(r.cost), perEpoch * 3n);
    assert.equal(BigInt((await t.chain.balances(t.chain.address)).wal), before - perEpoch * 3n);
    await rejects(t.chain.extendBlob(blob.objectId, 4), 'InvalidArgument');
    assert.equal((await t.chain.getBlob(blob.objectId))!.endEpoch, 8);
  } finally {
    await t.close();
  }
});

test('deleting a deletable blob returns its storage for reuse; permanent blobs stay', async () => {
  const t = await startTestLedger();
  try {
    const d = newBlob();
    const { blob } = await t.chain.registerBlob({ ...d, epochs: 5, deletable: true });
    await t.chain.deleteBlob(blob.objectId);
    assert.equal((await t.chain.getBlob(blob.objectId))!.state, 'deleted');
    const res = await fetch(`${t.server.url}/v1/accounts/${t.chain.address}/storage`);
    const storage = (await res.json()) as { storageId: string; endEpoch: number }[];
    assert.equal(storage.length, 1);
    assert.equal(storage[0]!.endEpoch, 6);
    const p = newBlob();
    const { blob: permanent } = await t.chain.registerBlob({ ...p, epochs: 5, deletable: false });
    await rejects(t.chain.deleteBlob(permanent.objectId), 'InvalidState');
  } finally {
    await t.close();
  }
});

test('at the end epoch a blob expires, and storage fees reach the nodes pro rata to shards', async () => {
  const t = await startTestLedger();
  try {
    const b = newBlob(100_000);
    const { blob } = await t.chain.registerBlob({ ...b, epochs: 2, deletable: false });
    t.server.advanceEpoch();
    assert.equal((await t.chain.getBlob(blob.objectId))!.state, 'registered');
    t.server.advanceEpoch();
    assert.equal((await t.chain.getBlob(blob.objectId))!.state, 'expired');
    const rewards = t.genesis.nodes.map((n) =>
      BigInt(t.server.ledger.nodeRewards(n.nodeId).rewards),
    );
    assert.ok(rewards[0]! > 0n);
    // Nodes 0 and 1 hold 3 shards, nodes 2 and 3 hold 2.
    assert.equal(rewards[0], rewards[1]);
    assert.equal(rewards[2], rewards[3]);
    assert.equal(rewards[0]! * 2n, rewards[2]! * 3n);
    const { events } = await t.chain.events(0, 500);
    assert.ok(events.some((e) => e.type === 'BlobExpired' && e.data.objectId === blob.objectId));
  } finally {
    await t.close();
  }
});

test('stake takes effect at the next epoch and shards follow it', async () => {
  const t = await startTestLedger({ nodes: 2, nShards: 10 });
  try {
    assert.deepEqual(
      (await t.chain.systemState()).committee.map((m) => m.shards.length),
      [5, 5],
    );
    await t.chain.execute({ kind: 'stake', nodeId: 'node-1', amount: String(2_000_000_000n) });
    assert.deepEqual(
      (await t.chain.systemState()).committee.map((m) => m.shards.length),
      [5, 5],
    );
    t.server.advanceEpoch();
    const committee = (await t.chain.systemState()).committee;
    assert.deepEqual(
      committee.map((m) => m.shards.length),
      [3, 7],
    );
    // Node 0 kept three of its shards; only two moved.
    assert.deepEqual(committee[0]!.shards, [0, 1, 2]);
    const { events } = await t.chain.events(0, 500);
    const moved = events.find((e) => e.type === 'ShardsMoved')!.data.moved as unknown[];
    assert.equal(moved.length, 2);
  } finally {
    await t.close();
  }
});

test('owned blobs are listed page by page', async () => {
  const t = await startTestLedger();
  try {
    for (let i = 0; i < 5; i++)
      await t.chain.registerBlob({ ...newBlob(100 + i), epochs: 1, deletable: false });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { blobs: { objectId: string }[]; nextCursor: string | null } =
        await t.chain.listOwnedBlobs(t.chain.address, cursor, 2);
      seen.push(...page.blobs.map((b) => b.objectId));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
  } finally {
    await t.close();
  }
});

test('a restarted ledger has lost nothing', async () => {
  const t = await startTestLedger();
  try {
    const b = newBlob();
    const { blob } = await t.chain.registerBlob({
      ...b,
      epochs: 3,
      deletable: false,
      attributes: { k: 'v' },
    });
    t.server.advanceEpoch();
    const state = await t.chain.systemState();
    const balance = await t.chain.balances(t.chain.address);
    await t.server.close();
    const again = await LedgerServer.start({
      dbPath: join(t.dir, 'ledger.db'),
      autoAdvance: false,
    });
    t.server = again;
    const chain = new LocalChain(again.url, new Ed25519Keypair());
    assert.deepEqual({ ...(await chain.systemState()) }, state);
    assert.deepEqual(await chain.balances(t.chain.address), balance);
    assert.deepEqual(await chain.getBlob(blob.objectId), (await chain.getBlob(blob.objectId))!);
    assert.equal((await chain.getBlob(blob.objectId))!.attributes.k, 'v');
  } finally {
    await t.close();
  }
});

test('storage splits by epoch or size and merges back, as Walrus storage resources do', async () => {
  const t = await startTestLedger();
  try {
    const { blob } = await t.chain.registerBlob({ ...newBlob(), epochs: 6, deletable: true });
    await t.chain.deleteBlob(blob.objectId);
    const list = async () =>
      (
        (await (await fetch(`${t.server.url}/v1/accounts/${t.chain.address}/storage`)).json()) as {
          storageId: string;
          startEpoch: number;
          endEpoch: number;
          size: number;
        }[]
      ).sort((a, b) => a.startEpoch - b.startEpoch || a.size - b.size);
    const [whole] = await list();
    const later = await t.chain.execute({
      kind: 'split_storage_by_epoch',
      storageId: whole!.storageId,
      epoch: 4,
    });
    assert.deepEqual(
      (await list()).map((s) => [s.startEpoch, s.endEpoch, s.size]),
      [
        [1, 4, whole!.size],
        [4, 7, whole!.size],
      ],
    );
    await rejects(
      t.chain.execute({ kind: 'split_storage_by_epoch', storageId: whole!.storageId, epoch: 9 }),
      'InvalidArgument',
    );
    const half = await t.chain.execute({
      kind: 'split_storage_by_size',
      storageId: later.objectId!,
      size: 1000,
    });
    await rejects(
      t.chain.execute({
        kind: 'merge_storage',
        storageId: whole!.storageId,
        otherId: half.objectId!,
      }),
      'InvalidArgument',
    );
    await t.chain.execute({
      kind: 'merge_storage',
      storageId: later.objectId!,
      otherId: half.objectId!,
    });
    await t.chain.execute({
      kind: 'merge_storage',
      storageId: whole!.storageId,
      otherId: later.objectId!,
    });
    assert.deepEqual(
      (await list()).map((s) => [s.startEpoch, s.endEpoch, s.size]),
      [[1, 7, whole!.size]],
    );
    const other = await t.newAccount();
    await rejects(
      other.execute({ kind: 'split_storage_by_size', storageId: whole!.storageId, size: 10 }),
      'NotOwner',
    );
  } finally {
    await t.close();
  }
});
