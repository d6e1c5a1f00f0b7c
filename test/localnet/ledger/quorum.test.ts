/** The ledger certifies as `bls_aggregate.move` does: 3w ≥ 2n + 1, weighted by shards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ChainError } from '../../../core/walrus/chain/chain.js';
import { blobIdToString, encodeBlob } from '../../../core/walrus/encoding/index.js';
import {
  blsAggregateSignatures,
  blsSign,
  confirmationMessage,
} from '../../../core/walrus/protocol/index.js';
import { startTestLedger } from '../../support/ledger.js';

for (const [n, q] of [
  [4, 3],
  [5, 4],
  [7, 5],
  [10, 7],
  [100, 67],
] as const) {
  test(`at n = ${n} the ledger certifies with ${q} shards and refuses ${q - 1}`, async () => {
    // Stake in proportion to the shards wanted: q − 1, 1 and n − q.
    const t = await startTestLedger({
      nodes: 3,
      nShards: n,
      stakes: [BigInt(q - 1), 1n, BigInt(n - q)],
    });
    try {
      const { committee, epoch } = await t.chain.systemState();
      assert.deepEqual(
        committee.map((m) => m.shards.length),
        [q - 1, 1, n - q],
      );
      const e = encodeBlob(n, randomBytes(500));
      const { blob } = await t.chain.registerBlob({
        blobId: blobIdToString(e.blobId),
        rootHash: e.rootHash,
        size: 500,
        encodingType: 1,
        epochs: 2,
        deletable: false,
      });
      const message = confirmationMessage(epoch, e.blobId, { deletable: false });
      const certificate = (signers: number[]) => ({
        signers,
        message,
        signature: blsAggregateSignatures(
          signers.map((i) => blsSign(t.nodeKeys[i]!.secretKey, message)),
        ),
      });
      await assert.rejects(
        t.chain.certifyBlob(blob.objectId, certificate([0])),
        (err: unknown) =>
          err instanceof ChainError &&
          err.code === 'InvalidCertificate' &&
          err.message.includes(`signers hold ${q - 1} shards, ${q} are needed`),
      );
      const ok = await t.chain.certifyBlob(blob.objectId, certificate([0, 1]));
      assert.equal(ok.blob.state, 'certified');
    } finally {
      await t.close();
    }
  });
}
