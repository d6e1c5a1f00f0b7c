import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateBlsKeyPair } from '../../../core/walrus/protocol/bls.js';
import {
  NotEnoughConfirmationsError,
  NotEnoughSliversError,
} from '../../../core/walrus/client/errors.js';
import { startTestNetwork } from '../../support/localnet.js';
import { SLIVER_HEADER_BYTES } from '../../../core/localnet/node/sliver-store.js';

/** What a node puts before each sliver it stores (a checksum). */
const SLIVER_FILE_HEADER = SLIVER_HEADER_BYTES.v2;

test('a blob is stored, certified, read back, extended and deleted', async () => {
  const t = await startTestNetwork();
  try {
    const data = randomBytes(200_000);
    const phases: string[] = [];
    const stored = await t.client.store(Uint8Array.from(data), {
      epochs: 3,
      deletable: true,
      attributes: { app: 'floe' },
      onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase),
    });
    assert.deepEqual(phases, ['encoding', 'registering', 'uploading', 'certifying', 'done']);
    assert.deepEqual(stored.failedNodes, []);
    const blob = (await t.chain.getBlob(stored.objectId))!;
    assert.equal(blob.state, 'certified');
    assert.equal(blob.endEpoch, 4);
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
    const extended = await t.client.extend(stored.objectId, 2);
    assert.equal(extended.endEpoch, 6);
    const owned = await t.client.listOwned();
    assert.deepEqual(
      owned.map((b) => b.objectId),
      [stored.objectId],
    );
    await t.client.delete(stored.objectId);
    assert.equal((await t.chain.getBlob(stored.objectId))!.state, 'deleted');
  } finally {
    await t.close();
  }
});

test('reads survive f dead nodes and fail clearly past that', async () => {
  // 10 shards over 4 nodes (3, 3, 2, 2): f = 3 shards, a read needs 4 primary slivers.
  const t = await startTestNetwork();
  try {
    const data = randomBytes(50_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 2, deletable: false });
    await t.net.stopNode(0); // 3 shards gone: f
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
    await t.net.stopNode(1); // 6 gone: only 4 left
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
    await t.net.stopNode(2); // 8 gone
    await assert.rejects(
      t.client.read(stored.blobId),
      (e: unknown) => e instanceof NotEnoughSliversError && /try again later/i.test(e.message),
    );
  } finally {
    await t.close();
  }
});

test('a read that too many nodes answer with corrupt slivers says retrying will not help, and what to do', async () => {
  const t = await startTestNetwork();
  try {
    const data = randomBytes(50_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 2, deletable: false });
    const { committee } = await t.chain.systemState();
    // Nodes 0, 1 and 2 hold 8 of the 10 shards: every sliver they serve is damaged. The
    // files lose the checksum header the nodes add, as files written before checksums
    // have none: a node then serves what it has, and only the reader's check catches it.
    for (const member of committee.slice(0, 3)) {
      const dir = join(t.net.dir, 'nodes', member.nodeId, 'blobs', stored.blobId);
      for (const file of await readdir(dir)) {
        if (file === 'metadata' || file.startsWith('.')) continue;
        const bytes = (await readFile(join(dir, file))).subarray(SLIVER_FILE_HEADER);
        const mid = bytes.length >> 1;
        for (let i = mid; i < mid + 16; i++) bytes[i] = bytes[i]! ^ 0xff;
        await writeFile(join(dir, file), bytes);
      }
    }
    await assert.rejects(t.client.read(stored.blobId), (e: unknown) => {
      assert.ok(e instanceof NotEnoughSliversError, String(e));
      assert.doesNotMatch(e.message, /try again later/i);
      assert.match(e.message, /fail verification/);
      assert.match(e.message, /retrying will not help/);
      assert.match(e.message, /floe backup/);
      return true;
    });
  } finally {
    await t.close();
  }
});

test('a store that cannot reach a quorum of shards fails with NotEnoughConfirmationsError', async () => {
  // Nodes 0 and 2 hold 3 + 2 of the 10 shards: only 5 can confirm, 7 are needed.
  const t = await startTestNetwork();
  try {
    await t.net.stopNode(0);
    await t.net.stopNode(2);
    await assert.rejects(
      t.client.store(randomBytes(5_000), { epochs: 1, deletable: false }),
      (e: unknown) =>
        e instanceof NotEnoughConfirmationsError && e.confirmedShards === 5 && e.quorum === 7,
    );
    const [blob] = await t.client.listOwned();
    assert.equal(blob!.state, 'registered', 'registered but never certified');
  } finally {
    await t.close();
  }
});

test('a store rides through an epoch change between registering and certifying', async () => {
  const t = await startTestNetwork();
  try {
    let changed = false;
    const unsubscribe = t.net.ledger.ledger.subscribe((type) => {
      // Right after the registration commits: the nodes will sign for the next epoch.
      if (type === 'BlobRegistered' && !changed) {
        changed = true;
        setImmediate(() => t.net.ledger.advanceEpoch());
      }
    });
    const data = randomBytes(40_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 3, deletable: true });
    unsubscribe();
    assert.ok(changed);
    const blob = await t.chain.getBlob(stored.objectId);
    assert.equal(blob?.state, 'certified');
    assert.equal(blob?.certifiedEpoch, 2);
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
  } finally {
    await t.close();
  }
});

test('a node whose confirmation signature does not verify is left out of the certificate', async () => {
  const t = await startTestNetwork();
  try {
    const { committee } = await t.chain.systemState();
    const liar = committee.reduce((a, b) => (b.shards.length < a.shards.length ? b : a));
    // The node signs with a key other than the one the committee holds for it.
    await t.net.stopNode(liar.index);
    await writeFile(
      join(t.net.dir, 'nodes', liar.nodeId, 'bls.key'),
      Buffer.from(generateBlsKeyPair().secretKey).toString('hex'),
    );
    await t.net.restartNode(liar.index);
    const stored = await t.client.store(Uint8Array.from(randomBytes(30_000)), {
      epochs: 1,
      deletable: false,
    });
    assert.deepEqual(stored.failedNodes, [
      `${liar.name}: its confirmation signature does not verify`,
    ]);
    assert.equal((await t.chain.getBlob(stored.objectId))!.state, 'certified');
  } finally {
    await t.close();
  }
});
