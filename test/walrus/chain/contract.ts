/**
 * What every `Chain` must do, whatever stands behind it: the localnet ledger, or Sui with
 * the Walrus package. Each test states one behaviour Floe relies on and checks it only
 * through the `Chain` interface (and the Walrus client on top, for certified blobs), so
 * the same suite runs against `LocalChain` and, given a funded account, `SuiChain` on
 * testnet. The chain must hold WAL and SUI; each test registers its own small blobs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { ChainError, type BlobObject, type Chain } from '../../../core/walrus/chain/chain.js';
import { WalrusClient } from '../../../core/walrus/client/client.js';
import { blobIdToString } from '../../../core/walrus/encoding/blob-id.js';
import { EncodingConfig, RS2_ENCODING_TYPE } from '../../../core/walrus/encoding/config.js';
import { CodecPool } from '../../../core/walrus/encoding/pool.js';
import { blsSign, generateBlsKeyPair } from '../../../core/walrus/protocol/bls.js';
import { confirmationMessage } from '../../../core/walrus/protocol/confirmation.js';

const MiB = 1024 * 1024;

export interface ContractOptions {
  /** Why the suite cannot run here, if it cannot. */
  skip?: string;
  /** Per-test timeout: a public network takes seconds per transaction. */
  timeoutMs?: number;
}

export function chainContract(
  name: string,
  open: () => Promise<Chain>,
  o: ContractOptions = {},
): void {
  describe(`${name} fulfils the Chain contract`, { skip: o.skip ?? false }, () => {
    let chain: Chain;
    let pool: CodecPool;
    let client: WalrusClient;
    const t = { timeout: o.timeoutMs ?? 60_000 };

    before(async () => {
      chain = await open();
      pool = new CodecPool({ size: 2 });
      client = new WalrusClient({ chain, pool });
    });
    after(() => pool?.close());

    /** Encodes fresh random bytes and registers them: a blob id the contract accepts. */
    async function register(
      epochs: number,
      deletable: boolean,
      attributes?: Record<string, string>,
    ) {
      const { nShards } = await chain.systemState();
      const data = randomBytes(1024);
      const encoded = await pool.encode(nShards, Uint8Array.from(data));
      const params = {
        blobId: blobIdToString(encoded.blobId),
        rootHash: encoded.rootHash,
        size: data.length,
        encodingType: RS2_ENCODING_TYPE,
        epochs,
        deletable,
        ...(attributes ? { attributes } : {}),
      };
      return { params, encoded, ...(await chain.registerBlob(params)) };
    }

    const storeSmall = (deletable: boolean) =>
      client.store(Uint8Array.from(randomBytes(2048)), { epochs: 1, deletable });

    const refused = (code?: string) => (e: unknown) =>
      e instanceof ChainError && (code === undefined || e.code === code);

    test(
      'the committee holds every shard exactly once, each member with a key and a URL',
      t,
      async () => {
        const state = await chain.systemState();
        assert.ok(Number.isInteger(state.epoch) && state.epoch >= 0);
        assert.ok(state.maxEpochsAhead >= 1);
        assert.ok(state.epochDurationMs > 0);
        assert.match(state.storagePricePerUnit, /^\d+$/);
        assert.match(state.writePricePerUnit, /^\d+$/);
        const shards = state.committee.flatMap((m) => m.shards).sort((a, b) => a - b);
        assert.deepEqual(
          shards,
          Array.from({ length: state.nShards }, (_, i) => i),
        );
        state.committee.forEach((m, i) => {
          assert.equal(m.index, i);
          assert.match(m.url, /^https?:\/\/\S+$/);
          assert.match(m.blsPublicKey, /^[0-9a-f]{96}$/, 'a compressed G1 point');
        });
      },
    );

    test('storage costs whole MiB units of the encoded size at the listed prices', t, async () => {
      const state = await chain.systemState();
      const config = new EncodingConfig(state.nShards);
      for (const size of [1, 10_000]) {
        const units = BigInt(Math.ceil(config.encodedBlobLength(size) / MiB));
        assert.equal(
          await chain.storageCost(size, 3),
          units * BigInt(state.storagePricePerUnit) * 3n + units * BigInt(state.writePricePerUnit),
        );
      }
    });

    test('a registered blob is what was asked for, and costs the quoted WAL', t, async () => {
      const { epoch } = await chain.systemState();
      const quoted = await chain.storageCost(1024, 2);
      // Storage the account owns would be used instead of buying: none may cover this one.
      const owned = (await chain.storageResources(chain.address)).filter(
        (r) => r.startEpoch <= epoch && r.endEpoch >= epoch + 2,
      );
      const before = BigInt((await chain.balances(chain.address)).wal);
      const { params, blob, cost } = await register(2, true, { app: 'floe-contract' });
      const after = BigInt((await chain.balances(chain.address)).wal);
      if (owned.length === 0) assert.equal(BigInt(cost), quoted);
      else assert.ok(BigInt(cost) <= quoted, 'storage reused costs at most the write fee');
      assert.equal(before - after, BigInt(cost), 'WAL pays storage only; gas is paid otherwise');
      assert.equal(blob.blobId, params.blobId);
      assert.equal(blob.size, 1024);
      assert.equal(blob.encodingType, RS2_ENCODING_TYPE);
      assert.equal(blob.deletable, true);
      assert.equal(blob.owner, chain.address);
      assert.equal(blob.state, 'registered');
      assert.equal(blob.certifiedEpoch, null);
      assert.equal(blob.registeredEpoch, epoch);
      assert.ok(blob.endEpoch >= epoch + 2);
      assert.deepEqual(blob.attributes, { app: 'floe-contract' });
      assert.deepEqual(await chain.getBlob(blob.objectId), blob);
      assert.ok((await chain.blobsById(params.blobId)).some((b) => b.objectId === blob.objectId));
    });

    test('a blob stored through the committee is certified in the current epoch', t, async () => {
      const { epoch } = await chain.systemState();
      const stored = await storeSmall(true);
      const blob = (await chain.getBlob(stored.objectId))!;
      assert.equal(blob.state, 'certified');
      assert.equal(blob.certifiedEpoch, epoch);
      assert.equal(blob.endEpoch, epoch + 1);
    });

    test(
      'extending a certified blob moves its end and costs the storage price per added epoch',
      t,
      async () => {
        const state = await chain.systemState();
        const stored = await storeSmall(true);
        const before = (await chain.getBlob(stored.objectId))!;
        const { blob, cost } = await chain.extendBlob(stored.objectId, 2);
        assert.equal(blob.endEpoch, before.endEpoch + 2);
        const units = BigInt(Math.ceil(before.storageSize / MiB));
        assert.equal(BigInt(cost), units * BigInt(state.storagePricePerUnit) * 2n);
      },
    );

    test('only a certified blob can be extended', t, async () => {
      const { blob } = await register(1, true);
      await assert.rejects(chain.extendBlob(blob.objectId, 1), refused());
    });

    test('a certificate whose signature does not verify is refused', t, async () => {
      const state = await chain.systemState();
      const { blob, encoded } = await register(1, false);
      const message = confirmationMessage(state.epoch, encoded.blobId, { deletable: false });
      await assert.rejects(
        chain.certifyBlob(blob.objectId, {
          signature: blsSign(generateBlsKeyPair().secretKey, message),
          signers: state.committee.map((m) => m.index),
          message,
        }),
        refused('InvalidCertificate'),
      );
      assert.equal((await chain.getBlob(blob.objectId))!.state, 'registered');
    });

    test(
      'attributes are set, replaced and removed; removing a missing one is refused',
      t,
      async () => {
        const { blob } = await register(1, true, { kind: 'pack' });
        await chain.setAttributes(blob.objectId, { kind: 'index', v: '1' });
        assert.deepEqual((await chain.getBlob(blob.objectId))!.attributes, {
          kind: 'index',
          v: '1',
        });
        await chain.removeAttribute(blob.objectId, 'kind');
        assert.deepEqual((await chain.getBlob(blob.objectId))!.attributes, { v: '1' });
        await assert.rejects(chain.removeAttribute(blob.objectId, 'kind'), refused());
      },
    );

    test('a deletable blob can be deleted and is then no longer live', t, async () => {
      const stored = await storeSmall(true);
      await chain.deleteBlob(stored.objectId);
      const gone = await chain.getBlob(stored.objectId);
      // Sui removes the object; the localnet keeps it on record as deleted.
      assert.ok(gone === null || gone.state === 'deleted', `state ${gone?.state}`);
      await assert.rejects(chain.deleteBlob(stored.objectId), refused());
    });

    test('a permanent blob cannot be deleted', t, async () => {
      const stored = await storeSmall(false);
      await assert.rejects(chain.deleteBlob(stored.objectId), refused());
      assert.equal((await chain.getBlob(stored.objectId))!.state, 'certified');
    });

    test('a transferred blob belongs to its new owner, who alone may change it', t, async () => {
      const to = new Ed25519Keypair().toSuiAddress();
      const { blob } = await register(1, true);
      await chain.transferBlob(blob.objectId, to);
      assert.equal((await chain.getBlob(blob.objectId))!.owner, to);
      const mine = await all(chain);
      assert.ok(!mine.some((b) => b.objectId === blob.objectId));
      await assert.rejects(chain.setAttributes(blob.objectId, { a: 'b' }), refused());
    });

    test("the account's blobs come page by page, each exactly once", t, async () => {
      await register(1, true);
      await register(1, true);
      const everything = await all(chain, 1000);
      const paged = await all(chain, 1);
      assert.deepEqual(
        paged.map((b) => b.objectId).sort(),
        everything.map((b) => b.objectId).sort(),
      );
      assert.equal(new Set(paged.map((b) => b.objectId)).size, paged.length);
    });

    test('an object id that names nothing reads as no blob', t, async () => {
      assert.equal(await chain.getBlob('0x' + randomBytes(32).toString('hex')), null);
    });

    test('balances are whole numbers of MIST and FROST', t, async () => {
      const b = await chain.balances(chain.address);
      assert.equal(b.address, chain.address);
      assert.match(b.sui, /^\d+$/);
      assert.match(b.wal, /^\d+$/);
    });
  });
}

async function all(chain: Chain, limit = 50): Promise<BlobObject[]> {
  const blobs: BlobObject[] = [];
  let cursor: string | null = null;
  do {
    const page: { blobs: BlobObject[]; nextCursor: string | null } = await chain.listOwnedBlobs(
      chain.address,
      cursor,
      limit,
    );
    blobs.push(...page.blobs);
    cursor = page.nextCursor;
  } while (cursor);
  return blobs;
}
