/**
 * SuiReadChain and SuiChain over a Walrus deployment held in memory (sui-world.ts): the
 * reads assemble Floe's view from the Move objects' BCS, and each write is followed up to
 * the transaction it hands to Sui — which the in-memory node refuses, so nothing here
 * pretends a transaction succeeded. What Sui does with it is the testnet suite's part.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bcs } from '@mysten/sui/bcs';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { verifyTransactionSignature } from '@mysten/sui/verify';
import { blobIdFromBigInt, blobIdToString } from '../../../core/walrus/encoding/blob-id.js';
import { EncodingConfig } from '../../../core/walrus/encoding/config.js';
import { ChainError } from '../../../core/walrus/chain/chain.js';
import { SuiChain, SuiReadChain } from '../../../core/walrus/chain/sui-chain.js';
import { decodeTransaction, pureArg } from './ptb.js';
import {
  addBlob,
  addStorage,
  CURRENT_PACKAGE,
  DEFAULT_WORLD,
  network,
  SUI,
  TransactionNotSubmittedError,
  WAL,
  walrusWorld,
} from './sui-world.js';

const MiB = 1024 * 1024;
const someone = '0x' + '5a'.repeat(32);

test('the system state joins the BLS committee, the shard assignment and the staking pools', async () => {
  const world = walrusWorld();
  const state = await new SuiReadChain(world.sui, network, someone).systemState();
  assert.equal(state.epoch, 7);
  assert.equal(state.nShards, 10);
  assert.equal(state.maxEpochsAhead, 53);
  assert.equal(state.storagePricePerUnit, '100000');
  assert.equal(state.writePricePerUnit, '20000');
  assert.equal(state.epochDurationMs, 86_400_000);
  assert.equal(state.epochStartedAt, 1_700_000_000_000);
  assert.deepEqual(
    state.committee.map((m) => [m.index, m.name, m.url, m.shards, m.stake]),
    [
      [0, 'alpha', 'https://alpha.example:9185', [0, 4, 8], '300'],
      [1, 'bravo', 'https://bravo.example:9185', [1, 5, 9], '200'],
      [2, 'charlie', 'https://charlie.example:443', [2, 6], '100'],
      [3, 'delta', 'https://delta.example:9185', [3, 7], '100'],
    ],
  );
  for (const m of state.committee) assert.equal(m.blsPublicKey, world.blsKeys.get(m.name));
  assert.deepEqual(
    state.committee.map((m) => m.nodeId),
    world.nodeIds,
  );
});

test('while shards move to a new committee the epoch counts as just begun', async () => {
  const world = walrusWorld({ ...DEFAULT_WORLD, epochState: { EpochChangeSync: 3 } });
  const before = Date.now();
  const state = await new SuiReadChain(world.sui, network, someone).systemState();
  assert.ok(state.epochStartedAt >= before && state.epochStartedAt <= Date.now());
  assert.equal(state.epochState, 'sync');
});

test('while shards move, the previous committee is read from staking, keys from the pools', async () => {
  const previousShards = [[0, 4, 8, 3], [1, 5, 9], [2, 6], [7]];
  const world = walrusWorld({
    ...DEFAULT_WORLD,
    epochState: { EpochChangeSync: 3 },
    previousShards,
  });
  const state = await new SuiReadChain(world.sui, network, someone).systemState();
  assert.deepEqual(
    state.previousCommittee!.map((m) => [m.name, m.shards, m.url, m.blsPublicKey]),
    DEFAULT_WORLD.nodes.map((n, i) => [
      n.name,
      [...previousShards[i]!].sort((a, b) => a - b),
      `https://${n.address}`,
      world.blsKeys.get(n.name),
    ]),
  );
  const settled = await new SuiReadChain(walrusWorld().sui, network, someone).systemState();
  assert.deepEqual([settled.epochState, settled.previousCommittee], ['done', null]);
});

test('a system object of another package is refused as a stale network configuration', async () => {
  const world = walrusWorld();
  const system = world.sui.objects.get(network.systemObjectId)!;
  world.sui.put({ ...system, type: `0x${'77'.repeat(32)}::system::System` });
  await assert.rejects(
    new SuiReadChain(world.sui, network, someone).systemState(),
    (e: unknown) =>
      e instanceof ChainError && e.code === 'WrongNetwork' && /redeployed/.test(e.message),
  );
});

test('a Blob object reads as Floe sees blobs, with its attributes and its state', async () => {
  const world = walrusWorld();
  const certified = addBlob(world, {
    owner: someone,
    blobId: 0x0102n,
    size: 1234,
    storageSize: 66_034_000,
    registeredEpoch: 5,
    certifiedEpoch: 5,
    endEpoch: 9,
    deletable: true,
    attributes: { app: 'floe', kind: 'pack' },
  });
  const registered = addBlob(world, {
    owner: someone,
    blobId: 3n,
    size: 1,
    storageSize: 1,
    registeredEpoch: 7,
    certifiedEpoch: null,
    endEpoch: 8,
    deletable: false,
  });
  const expired = addBlob(world, {
    owner: someone,
    blobId: 4n,
    size: 1,
    storageSize: 1,
    registeredEpoch: 2,
    certifiedEpoch: 2,
    endEpoch: 7,
    deletable: false,
  });
  const chain = new SuiReadChain(world.sui, network, someone);
  assert.deepEqual(await chain.getBlob(certified), {
    objectId: certified,
    blobId: blobIdToString(blobIdFromBigInt(0x0102n)),
    rootHash: '',
    size: 1234,
    encodingType: 1,
    registeredEpoch: 5,
    certifiedEpoch: 5,
    startEpoch: 5,
    endEpoch: 9,
    storageSize: 66_034_000,
    deletable: true,
    owner: someone,
    state: 'certified',
    attributes: { app: 'floe', kind: 'pack' },
  });
  assert.equal((await chain.getBlob(registered))!.state, 'registered');
  assert.deepEqual((await chain.getBlob(registered))!.attributes, {});
  assert.equal((await chain.getBlob(expired))!.state, 'expired', 'end epoch 7 is over in epoch 7');
  assert.equal(await chain.getBlob('0x' + '99'.repeat(32)), null);
});

test('an object that is not a Walrus blob is refused by getBlob', async () => {
  const world = walrusWorld();
  await assert.rejects(
    new SuiReadChain(world.sui, network, someone).getBlob(world.nodeIds[0]!),
    (e: unknown) => e instanceof ChainError && e.code === 'InvalidArgument',
  );
});

test("an account's blobs are listed page by page, and found by blob id among them", async () => {
  const world = walrusWorld();
  const spec = {
    size: 10,
    storageSize: 10,
    registeredEpoch: 7,
    certifiedEpoch: 7,
    endEpoch: 10,
    deletable: true,
  };
  const mine = [1n, 2n, 3n, 2n, 5n].map((blobId, i) =>
    addBlob(world, { ...spec, owner: someone, blobId, attributes: { n: String(i) } }),
  );
  addBlob(world, { ...spec, owner: '0x' + '6b'.repeat(32), blobId: 2n });
  const chain = new SuiReadChain(world.sui, network, someone);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof chain.listOwnedBlobs>> = await chain.listOwnedBlobs(
      someone,
      cursor,
      2,
    );
    assert.ok(page.blobs.length <= 2);
    seen.push(...page.blobs.map((b) => `${b.objectId}:${b.attributes.n}`));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(seen.sort(), mine.map((objectId, i) => `${objectId}:${i}`).sort());
  const twos = await chain.blobsById(blobIdToString(blobIdFromBigInt(2n)));
  assert.deepEqual(twos.map((b) => b.objectId).sort(), [mine[1], mine[3]].sort());
});

test('balances count WAL and SUI in coins and in the address balance', async () => {
  const world = walrusWorld();
  world.sui.giveCoins(someone, WAL, [5n, 7n, 11n]);
  world.sui.giveAddressBalance(someone, WAL, 100n);
  world.sui.giveCoins(someone, SUI, [1_000n]);
  assert.deepEqual(await new SuiReadChain(world.sui, network, someone).balances(someone), {
    address: someone,
    sui: '1000',
    wal: '123',
  });
});

test('storage costs what the contract charges: whole MiB units of the encoded size', async () => {
  const world = walrusWorld();
  const chain = new SuiReadChain(world.sui, network, someone);
  for (const size of [0, 1, 100_000, MiB + 17]) {
    const encoded = new EncodingConfig(10).encodedBlobLength(size);
    const units = BigInt(Math.ceil(encoded / MiB));
    assert.equal(await chain.storageCost(size, 5), units * 100_000n * 5n + units * 20_000n);
  }
});

test('Sui keeps no event stream Floe follows, and says so', async () => {
  const world = walrusWorld();
  await assert.rejects(
    new SuiReadChain(world.sui, network, someone).events(),
    (e: unknown) => e instanceof ChainError && e.code === 'Unsupported',
  );
});

test('registering pays with the largest WAL coins, merged, and buys exactly the encoded size', async () => {
  const world = walrusWorld();
  const keypair = new Ed25519Keypair();
  const owner = keypair.toSuiAddress();
  const size = MiB;
  const encoded = new EncodingConfig(10).encodedBlobLength(size);
  const units = BigInt(Math.ceil(encoded / MiB));
  const price = units * 100_000n * 3n + units * 20_000n;
  const [small, big, mid] = world.sui.giveCoins(owner, WAL, [1n, price - 10n, 500n]);
  const chain = new SuiChain(world.sui, network, keypair);
  await assert.rejects(
    chain.registerBlob({
      blobId: blobIdToString(blobIdFromBigInt(42n)),
      rootHash: new Uint8Array(32).fill(9),
      size,
      encodingType: 1,
      epochs: 3,
      deletable: true,
      attributes: { app: 'floe' },
    }),
    TransactionNotSubmittedError,
  );
  const tx = world.sui.captured.at(-1)!;
  assert.equal(tx.getData().sender, owner);
  const ptb = await decodeTransaction(tx);
  assert.deepEqual(
    ptb.ownedInputs().map((c) => c.objectId),
    [big!.objectId, mid!.objectId],
    'the two largest coins cover the price; the 1-FROST coin stays out',
  );
  assert.equal(small!.balance, 1n);
  const reserve = ptb.call('system', 'reserve_space');
  assert.equal(reserve.package, CURRENT_PACKAGE);
  assert.equal(pureArg(ptb, reserve.arguments[1]!, bcs.u64()), String(encoded));
  assert.equal(pureArg(ptb, reserve.arguments[2]!, bcs.u32()), 3);
  const register = ptb.call('system', 'register_blob');
  assert.equal(pureArg(ptb, register.arguments[2]!, bcs.u256()), '42');
  assert.equal(
    pureArg(ptb, register.arguments[3]!, bcs.u256()),
    bcs.u256().parse(new Uint8Array(32).fill(9)),
  );
  assert.equal(pureArg(ptb, register.arguments[4]!, bcs.u64()), String(size));
  assert.equal(pureArg(ptb, register.arguments[6]!, bcs.bool()), true);
  const attribute = ptb.call('blob', 'insert_or_update_metadata_pair');
  assert.deepEqual(
    [
      pureArg(ptb, attribute.arguments[1]!, bcs.string()),
      pureArg(ptb, attribute.arguments[2]!, bcs.string()),
    ],
    ['app', 'floe'],
  );
  assert.deepEqual(ptb.transferredTo(), [owner]);
});

test('registering goes into storage the account owns, split to the blob, and pays only the write fee', async () => {
  const world = walrusWorld(); // epoch 7
  const keypair = new Ed25519Keypair();
  const owner = keypair.toSuiAddress();
  const size = 100_000;
  const encoded = new EncodingConfig(10).encodedBlobLength(size);
  // Too short, not started yet, too small: none of these can hold it; the last one can.
  addStorage(world, { owner, startEpoch: 3, endEpoch: 9, size: 10 * encoded });
  addStorage(world, { owner, startEpoch: 8, endEpoch: 20, size: 10 * encoded });
  addStorage(world, { owner, startEpoch: 5, endEpoch: 20, size: encoded - 1 });
  const fits = addStorage(world, { owner, startEpoch: 6, endEpoch: 12, size: 3 * encoded });
  const chain = new SuiChain(world.sui, network, keypair);
  assert.equal((await chain.storageResources(owner)).length, 4);
  const writeFee = BigInt(Math.ceil(encoded / MiB)) * 20_000n;
  const [coin] = world.sui.giveCoins(owner, WAL, [writeFee]);
  await assert.rejects(
    chain.registerBlob({
      blobId: blobIdToString(blobIdFromBigInt(43n)),
      rootHash: new Uint8Array(32).fill(9),
      size,
      encodingType: 1,
      epochs: 5,
      deletable: true,
    }),
    TransactionNotSubmittedError,
  );
  const ptb = await decodeTransaction(world.sui.captured.at(-1)!);
  assert.deepEqual(
    ptb.moveCalls().map((c) => `${c.module}::${c.function}`),
    ['storage_resource::split_by_size', 'system::register_blob'],
  );
  const split = ptb.call('storage_resource', 'split_by_size');
  assert.equal(ptb.objectInput(split.arguments[0]!).objectId, fits);
  assert.equal(pureArg(ptb, split.arguments[1]!, bcs.u64()), String(encoded));
  assert.ok(
    ptb.ownedInputs().some((o) => o.objectId === coin!.objectId),
    'the write fee is paid from the one coin that holds exactly it',
  );
});

test('prices raised between quote and purchase: SuiChain quotes again instead of reporting a lack of WAL', async () => {
  const world = walrusWorld();
  const raised = walrusWorld({ ...DEFAULT_WORLD, storagePrice: 300_000n });
  const keypair = new Ed25519Keypair();
  const owner = keypair.toSuiAddress();
  const size = MiB;
  const units = BigInt(Math.ceil(new EncodingConfig(10).encodedBlobLength(size) / MiB));
  world.sui.giveCoins(owner, WAL, [units * 100_000n * 3n + units * 20_000n]);
  world.sui.addressBalances.set(`${owner}/${WAL}`, units * 1_000_000n);
  // Sui applies the first transaction after a vote raised the price: the coin, which held
  // the old price, is short, and balance::split aborts.
  const execute = world.sui.execute.bind(world.sui);
  let attempts = 0;
  world.sui.execute = async (bytes, signature) => {
    if (attempts++ > 0) return execute(bytes, signature);
    for (const o of raised.sui.objects.values())
      if (o.type.includes('SystemStateInnerV1')) world.sui.put(o);
    throw new ChainError('InsufficientBalance', 'the WAL paid does not cover the price');
  };
  const chain = new SuiChain(world.sui, network, keypair);
  await assert.rejects(
    chain.registerBlob({
      blobId: blobIdToString(blobIdFromBigInt(44n)),
      rootHash: new Uint8Array(32).fill(9),
      size,
      encodingType: 1,
      epochs: 3,
      deletable: true,
    }),
    TransactionNotSubmittedError,
    'the second attempt reached Sui',
  );
  assert.equal(attempts, 2);
  const ptb = await decodeTransaction(world.sui.captured.at(-1)!);
  const redeem = ptb.inputs.find((i) => i.FundsWithdrawal)!.FundsWithdrawal!;
  // The new price is drawn in full: the coin plus the address balance for the rest.
  assert.equal(
    BigInt(redeem.reservation.MaxAmountU64),
    units * 300_000n * 3n - units * 100_000n * 3n,
  );
});

test("what SuiChain sends is the account's signature over exactly the transaction built", async () => {
  const world = walrusWorld();
  const keypair = new Ed25519Keypair();
  const owner = keypair.toSuiAddress();
  world.sui.giveCoins(owner, WAL, [10n ** 12n]);
  await assert.rejects(
    new SuiChain(world.sui, network, keypair).registerBlob({
      blobId: blobIdToString(blobIdFromBigInt(7n)),
      rootHash: new Uint8Array(32),
      size: 10,
      encodingType: 1,
      epochs: 1,
      deletable: false,
    }),
    TransactionNotSubmittedError,
  );
  const { bytes, signature } = world.sui.signed.at(-1)!;
  assert.equal((await verifyTransactionSignature(bytes, signature)).toSuiAddress(), owner);
  const data = Transaction.from(bytes).getData();
  assert.equal(data.sender, owner);
  assert.equal(data.commands.find((c) => c.MoveCall)?.MoveCall?.function, 'reserve_space');
});

test('WAL held in the address balance pays what the coins do not', async () => {
  const world = walrusWorld();
  const keypair = new Ed25519Keypair();
  const owner = keypair.toSuiAddress();
  const blob = addBlob(world, {
    owner,
    blobId: 8n,
    size: 100,
    storageSize: 3 * MiB,
    registeredEpoch: 7,
    certifiedEpoch: 7,
    endEpoch: 9,
    deletable: false,
  });
  const price = 3n * 100_000n * 4n;
  world.sui.giveCoins(owner, WAL, [1_000n]);
  world.sui.giveAddressBalance(owner, WAL, price);
  await assert.rejects(
    new SuiChain(world.sui, network, keypair).extendBlob(blob, 4),
    TransactionNotSubmittedError,
  );
  const ptb = await decodeTransaction(world.sui.captured.at(-1)!);
  const redeem = ptb.call('coin', 'redeem_funds');
  assert.deepEqual(ptb.withdrawalAmounts(), [String(price - 1_000n)]);
  assert.equal(redeem.typeArguments.length, 1);
  const extend = ptb.call('system', 'extend_blob');
  assert.equal(pureArg(ptb, extend.arguments[2]!, bcs.u32()), 4);
  assert.deepEqual(ptb.transferredTo(), [], 'the owned coin keeps the change');
});

test('a payment larger than all the WAL the account has is refused before anything is built', async () => {
  const world = walrusWorld();
  const keypair = new Ed25519Keypair();
  world.sui.giveCoins(keypair.toSuiAddress(), WAL, [10n, 20n, 30n]);
  await assert.rejects(
    new SuiChain(world.sui, network, keypair).registerBlob({
      blobId: blobIdToString(blobIdFromBigInt(1n)),
      rootHash: new Uint8Array(32),
      size: 10,
      encodingType: 1,
      epochs: 1,
      deletable: false,
    }),
    (e: unknown) => e instanceof ChainError && e.code === 'InsufficientBalance',
  );
  assert.equal(world.sui.captured.length, 0);
});

test("another account's blob is refused before anything is built", async () => {
  const world = walrusWorld();
  const blob = addBlob(world, {
    owner: someone,
    blobId: 8n,
    size: 100,
    storageSize: MiB,
    registeredEpoch: 7,
    certifiedEpoch: 7,
    endEpoch: 9,
    deletable: true,
  });
  const chain = new SuiChain(world.sui, network, new Ed25519Keypair());
  for (const attempt of [
    () => chain.deleteBlob(blob),
    () => chain.transferBlob(blob, chain.address),
    () => chain.setAttributes(blob, { a: 'b' }),
    () => chain.removeAttribute(blob, 'a'),
  ])
    await assert.rejects(
      attempt(),
      (e: unknown) => e instanceof ChainError && e.code === 'NotOwner',
    );
  assert.equal(world.sui.captured.length, 0);
});

test('certifying names the signers by their index in the BLS committee', async () => {
  const world = walrusWorld();
  const keypair = new Ed25519Keypair();
  const blob = addBlob(world, {
    owner: keypair.toSuiAddress(),
    blobId: 8n,
    size: 100,
    storageSize: MiB,
    registeredEpoch: 7,
    certifiedEpoch: null,
    endEpoch: 9,
    deletable: false,
  });
  await assert.rejects(
    new SuiChain(world.sui, network, keypair).certifyBlob(blob, {
      signature: new Uint8Array(96).fill(3),
      signers: [0, 1, 3],
      message: new Uint8Array([1, 0, 3, 7, 0, 0, 0]),
    }),
    TransactionNotSubmittedError,
  );
  const ptb = await decodeTransaction(world.sui.captured.at(-1)!);
  const certify = ptb.call('system', 'certify_blob');
  assert.deepEqual(
    [...(pureArg(ptb, certify.arguments[3]!, bcs.byteVector()) as Uint8Array)],
    [0b1011],
  );
  assert.equal(ptb.objectInput(certify.arguments[1]!).objectId, blob);
});
