/**
 * Reading a blob's certificate back from Sui: the certify transaction is found by walking
 * the Blob object's versions back (an extension came after it), its pure inputs give the
 * signers, signature and message, and the System object at the version the transaction
 * read gives the committee the signature verifies against. Over the in-memory deployment
 * (sui-world.ts), with transactions built and signed by SuiChain itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { SuiChain, SuiReadChain } from '../../../core/walrus/chain/sui-chain.js';
import { blobIdFromBigInt } from '../../../core/walrus/encoding/blob-id.js';
import { blsAggregateSignatures, blsSign } from '../../../core/walrus/protocol/bls.js';
import { weightedCertificateProblem } from '../../../core/walrus/protocol/certificate.js';
import { confirmationMessage } from '../../../core/walrus/protocol/confirmation.js';
import { Blob } from '../../../core/walrus/chain/sui-bcs.js';
import {
  addBlob,
  network,
  recordExecuted,
  TransactionNotSubmittedError,
  walrusWorld,
  type World,
} from './sui-world.js';

const MiB = 1024 * 1024;

/** A blob certified by alpha, bravo and delta (8 of 10 shards) in epoch 7, then extended. */
async function certifiedThenExtended(world: World) {
  const keypair = new Ed25519Keypair();
  const chain = new SuiChain(world.sui, network, keypair);
  const objectId = addBlob(world, {
    owner: keypair.toSuiAddress(),
    blobId: 77n,
    size: 100,
    storageSize: MiB,
    registeredEpoch: 7,
    certifiedEpoch: null,
    endEpoch: 9,
    deletable: true,
  });
  const message = confirmationMessage(7, blobIdFromBigInt(77n), { deletable: true, objectId });
  const signers = ['alpha', 'bravo', 'delta'];
  const signature = blsAggregateSignatures(
    signers.map((n) => blsSign(world.blsSecretKeys.get(n)!, message)),
  );
  await assert.rejects(
    chain.certifyBlob(objectId, { signature, signers: [0, 1, 3], message }),
    TransactionNotSubmittedError,
  );
  // What Sui would then hold: the certify transaction, the blob certified at version 22.
  const certifyDigest = recordExecuted(world.sui, world.sui.signed.at(-1)!.bytes, {
    changed: { [objectId]: '21' },
    read: { [network.systemObjectId]: '500' },
  });
  const blob = world.sui.objects.get(normalizeSuiAddress(objectId))!;
  const certified = Blob.serialize({ ...Blob.parse(blob.content), certified_epoch: 7 }).toBytes();
  world.sui.put({ ...blob, version: '22', content: certified });
  world.sui.giveCoins(keypair.toSuiAddress(), network.walCoinType, [10n ** 12n]);
  const signedBefore = world.sui.signed.length;
  await assert.rejects(chain.extendBlob(objectId, 3), TransactionNotSubmittedError);
  assert.equal(world.sui.signed.length, signedBefore + 1);
  recordExecuted(world.sui, world.sui.signed.at(-1)!.bytes, {
    changed: { [objectId]: '22' },
    read: {},
  });
  world.sui.history.set(`${normalizeSuiAddress(objectId)}@22`, {
    objectId,
    version: '22',
    type: blob.type,
    content: certified,
    previousTransaction: certifyDigest,
  });
  world.sui.put({ ...blob, version: '23', content: certified });
  return { objectId, message, signature, certifyDigest, owner: keypair.toSuiAddress() };
}

test("a blob's certificate is read back from its certify transaction, past a later extension", async () => {
  const world = walrusWorld();
  const c = await certifiedThenExtended(world);
  const reader = new SuiReadChain(world.sui, network, c.owner);
  const blob = (await reader.getBlob(c.objectId))!;
  const record = await reader.certification(blob);
  assert.ok(record);
  assert.equal(record.txDigest, c.certifyDigest);
  assert.equal(record.epoch, 7);
  assert.deepEqual(record.signers, [0, 1, 3]);
  assert.deepEqual([...record.message], [...c.message]);
  assert.deepEqual([...record.signature], [...c.signature]);
  assert.deepEqual(
    record.committee!.map((m) => [m.name, m.weight]),
    [
      ['alpha', 3],
      ['bravo', 3],
      ['charlie', 2],
      ['delta', 2],
    ],
  );
  assert.equal(
    weightedCertificateProblem(
      record.committee!,
      10,
      record.signers,
      record.message,
      record.signature,
    ),
    null,
  );
});

test('a full node that no longer keeps the System object of that epoch gives the signers but no committee', async () => {
  const world = walrusWorld();
  const c = await certifiedThenExtended(world);
  const system = world.sui.objects.get(normalizeSuiAddress(network.systemObjectId))!;
  world.sui.put({ ...system, version: '640' }); // later writes; version 500 was pruned
  const reader = new SuiReadChain(world.sui, network, c.owner);
  const record = await reader.certification((await reader.getBlob(c.objectId))!);
  assert.deepEqual(record?.signers, [0, 1, 3]);
  assert.equal(record?.committee, null);
  assert.equal(record?.epoch, 7, 'the epoch still comes from the signed message');
});

test('an uncertified blob has no certificate, and Sui records no storage challenges', async () => {
  const world = walrusWorld();
  const owner = '0x' + '5a'.repeat(32);
  const objectId = addBlob(world, {
    owner,
    blobId: 5n,
    size: 10,
    storageSize: MiB,
    registeredEpoch: 7,
    certifiedEpoch: null,
    endEpoch: 9,
    deletable: true,
  });
  const reader = new SuiReadChain(world.sui, network, owner);
  assert.equal(await reader.certification((await reader.getBlob(objectId))!), null);
  assert.equal(await reader.challenges(), null);
});
