/**
 * Every transaction Floe sends to Walrus, built offline from resolved references and read
 * back as Sui receives it, against the Walrus package's published signatures below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bcs, type BcsType } from '@mysten/sui/bcs';
import { normalizeStructTag, normalizeSuiAddress } from '@mysten/sui/utils';
import { blobIdFromBigInt } from '../../../core/walrus/encoding/blob-id.js';
import type { WalPayment } from '../../../core/walrus/chain/sui-payment.js';
import {
  certifyBlobTransaction,
  deleteBlobTransaction,
  extendBlobTransaction,
  registerBlobTransaction,
  removeAttributeTransaction,
  setAttributesTransaction,
  signersBitmap,
  transferBlobTransaction,
  type RegisterBlobCall,
  type WalrusTarget,
} from '../../../core/walrus/chain/sui-transactions.js';
import { authPayload, authPayloadProblem } from '../../../core/walrus/relay/tip.js';
import { decodeTransaction, pureArg, type Argument, type DecodedTransaction } from './ptb.js';

/**
 * The parameters of the functions Floe calls, as walrus `mainnet-contracts/walrus/sources`
 * (`system.move`, `system/blob.move`) declares them and @mysten/sui's coin intent calls
 * `0x2::coin::redeem_funds`. A trailing `&mut TxContext` is Sui's to supply and omitted.
 */
const SIGNATURES: Record<string, string[]> = {
  'system::reserve_space': ['&mut System', 'u64', 'u32', '&mut Coin<WAL>'],
  'system::register_blob': [
    '&mut System',
    'Storage',
    'u256',
    'u256',
    'u64',
    'u8',
    'bool',
    '&mut Coin<WAL>',
  ],
  'system::certify_blob': ['&System', '&mut Blob', 'vector<u8>', 'vector<u8>', 'vector<u8>'],
  'system::extend_blob': ['&mut System', '&mut Blob', 'u32', '&mut Coin<WAL>'],
  'system::delete_blob': ['&System', 'Blob'],
  'storage_resource::fuse': ['&mut Storage', 'Storage'],
  'storage_resource::split_by_size': ['&mut Storage', 'u64'],
  'blob::insert_or_update_metadata_pair': ['&mut Blob', 'String', 'String'],
  'blob::remove_metadata_pair': ['&mut Blob', '&String'],
  'coin::redeem_funds': ['Withdrawal<Balance<WAL>>'],
};

const PURE: Record<string, BcsType<any, any>> = {
  u8: bcs.u8(),
  u32: bcs.u32(),
  u64: bcs.u64(),
  u256: bcs.u256(),
  bool: bcs.bool(),
  'vector<u8>': bcs.byteVector(),
  String: bcs.string(),
  '&String': bcs.string(),
};

const PACKAGE = normalizeSuiAddress('0xabc1');
const walrus: WalrusTarget = {
  packageId: PACKAGE,
  system: { objectId: normalizeSuiAddress('0x5157'), initialSharedVersion: '77' },
};
const WAL = `${normalizeSuiAddress('0x3a1')}::wal::WAL`;
const owner = normalizeSuiAddress('0x0e1');
const ref = (n: number) => ({
  objectId: normalizeSuiAddress(n.toString(16)),
  version: String(n),
  digest: 'HxqmgCvLPaDgsyDjEUUfJFX9KRGkwVDoe5d6AWpgsMEU',
});
const blob = ref(0xb10b);
const coins: WalPayment = {
  coinType: WAL,
  coins: [ref(0xc1), ref(0xc2), ref(0xc3)].map((c) => ({ ...c, balance: 10n })),
  fromAddressBalance: 0n,
};

/** Checks every Move call against SIGNATURES: arity, pure types, objects and results. */
function assertSignatures(ptb: DecodedTransaction): void {
  const functionOf = (arg: Argument) => {
    const index = arg.$kind === 'Result' ? arg.Result! : arg.NestedResult![0];
    const call = ptb.commands[index]!.MoveCall;
    assert.ok(call, `argument ${JSON.stringify(arg)} is not the result of a Move call`);
    return `${call.module}::${call.function}`;
  };
  for (const call of ptb.moveCalls()) {
    const name = `${call.module}::${call.function}`;
    const params = SIGNATURES[name];
    assert.ok(params, `${name} is not a function Floe should call`);
    assert.equal(call.package, call.module === 'coin' ? normalizeSuiAddress('0x2') : PACKAGE);
    assert.equal(call.arguments.length, params.length, `${name} takes ${params.length} arguments`);
    call.arguments.forEach((arg, i) => {
      const param = params[i]!;
      const where = `${name} argument ${i} (${param})`;
      if (PURE[param]) {
        pureArg(ptb, arg, PURE[param]);
      } else if (param === '&mut System' || param === '&System') {
        assert.deepEqual(
          ptb.objectInput(arg),
          { objectId: walrus.system.objectId, kind: 'shared', mutable: param === '&mut System' },
          where,
        );
        const shared = ptb.inputs[arg.Input!]!.Object!.SharedObject!;
        assert.equal(shared.initialSharedVersion, '77', where);
      } else if (param === '&mut Blob' || param === 'Blob') {
        if (arg.$kind === 'Input') assert.equal(ptb.objectInput(arg).objectId, blob.objectId);
        else assert.equal(functionOf(arg), 'system::register_blob', where);
      } else if (param === 'Storage' || param === '&mut Storage') {
        // Bought in this transaction, or a resource the account owns.
        if (arg.$kind === 'Input') assert.equal(ptb.objectInput(arg).kind, 'owned', where);
        else assert.equal(functionOf(arg), 'system::reserve_space', where);
      } else if (param === '&mut Coin<WAL>') {
        if (arg.$kind === 'Input') assert.equal(ptb.objectInput(arg).kind, 'owned', where);
        else assert.equal(functionOf(arg), 'coin::redeem_funds', where);
      } else if (param === 'Withdrawal<Balance<WAL>>') {
        assert.ok(ptb.inputs[arg.Input!]!.FundsWithdrawal, where);
      } else assert.fail(`no rule for ${param}`);
    });
  }
}

function registerCall(
  payment: WalPayment = coins,
  relayTip?: RegisterBlobCall['relayTip'],
  storage?: RegisterBlobCall['storage'],
) {
  return registerBlobTransaction(walrus, {
    owner,
    blobId: blobIdFromBigInt(0xfeedn),
    rootHash: new Uint8Array(32).fill(0xaa),
    size: 1000,
    encodingType: 1,
    encodedSize: 660_000,
    epochs: 5,
    deletable: false,
    attributes: { app: 'floe', v: '1' },
    payment,
    ...(relayTip ? { relayTip } : {}),
    ...(storage ? { storage } : {}),
  });
}

test('register buys storage, registers the blob, labels it and hands it to the owner in one transaction', async () => {
  const ptb = await decodeTransaction(registerCall());
  assertSignatures(ptb);
  assert.deepEqual(
    ptb.commands.map((c) => c.MoveCall?.function ?? c.$kind),
    [
      'MergeCoins',
      'reserve_space',
      'register_blob',
      'insert_or_update_metadata_pair',
      'insert_or_update_metadata_pair',
      'TransferObjects',
    ],
  );
  const merge = ptb.commands[0]!.MergeCoins!;
  assert.equal(ptb.objectInput(merge.destination).objectId, coins.coins[0]!.objectId);
  assert.deepEqual(
    merge.sources.map((s) => ptb.objectInput(s).objectId),
    [coins.coins[1]!.objectId, coins.coins[2]!.objectId],
  );
  const reserve = ptb.call('system', 'reserve_space');
  assert.equal(pureArg(ptb, reserve.arguments[1]!, bcs.u64()), '660000');
  assert.equal(pureArg(ptb, reserve.arguments[2]!, bcs.u32()), 5);
  assert.deepEqual(reserve.arguments[3], merge.destination, 'pays from the merged coin');
  const register = ptb.call('system', 'register_blob');
  assert.equal(pureArg(ptb, register.arguments[2]!, bcs.u256()), String(0xfeedn));
  assert.equal(
    BigInt(pureArg(ptb, register.arguments[3]!, bcs.u256())),
    BigInt('0x' + 'aa'.repeat(32)),
  );
  assert.equal(pureArg(ptb, register.arguments[4]!, bcs.u64()), '1000');
  assert.equal(pureArg(ptb, register.arguments[5]!, bcs.u8()), 1);
  assert.equal(pureArg(ptb, register.arguments[6]!, bcs.bool()), false);
  assert.deepEqual(register.arguments[7], merge.destination);
  assert.deepEqual(ptb.transferredTo(), [owner]);
});

test('register into storage the account owns: fuse, split to the blob, the rest back; nothing bought', async () => {
  const [target, other] = [ref(0x5701), ref(0x5702)];
  const ptb = await decodeTransaction(
    registerCall(coins, undefined, { target, fuse: [other], splitTo: 660_000 }),
  );
  assertSignatures(ptb);
  assert.deepEqual(
    ptb.moveCalls().map((c) => `${c.module}::${c.function}`),
    [
      'storage_resource::fuse',
      'storage_resource::split_by_size',
      'system::register_blob',
      'blob::insert_or_update_metadata_pair',
      'blob::insert_or_update_metadata_pair',
    ],
  );
  const fuse = ptb.call('storage_resource', 'fuse');
  assert.equal(ptb.objectInput(fuse.arguments[0]!).objectId, target.objectId);
  assert.equal(ptb.objectInput(fuse.arguments[1]!).objectId, other.objectId);
  const split = ptb.call('storage_resource', 'split_by_size');
  assert.equal(ptb.objectInput(split.arguments[0]!).objectId, target.objectId);
  assert.equal(pureArg(ptb, split.arguments[1]!, bcs.u64()), '660000');
  const register = ptb.call('system', 'register_blob');
  assert.equal(ptb.objectInput(register.arguments[1]!).objectId, target.objectId);
  // The split-off rest and the Blob both go to the owner.
  assert.deepEqual(ptb.transferredTo(), [owner, owner]);
});

test('an upload relay tip: the auth package is input 0, the tip is split from gas and sent to the relay', async () => {
  const relay = normalizeSuiAddress('0x7e1a');
  const blobBytes = new TextEncoder().encode('hello relay');
  const nonce = new Uint8Array(32).fill(23);
  const payload = authPayload(blobBytes, nonce);
  const ptb = await decodeTransaction(
    registerCall(coins, { address: relay, amount: 4242n, authPayload: payload }),
  );
  assertSignatures(ptb);
  // The relay BCS-decodes input 0 as (digest, nonce digest, u64): raw bytes, no length prefix.
  assert.deepEqual(new Uint8Array(Buffer.from(ptb.inputs[0]!.Pure!.bytes, 'base64')), payload);
  assert.equal(authPayloadProblem(payload, blobBytes, nonce), null);
  const split = ptb.commands.find((c) => c.$kind === 'SplitCoins')!.SplitCoins!;
  assert.equal(split.coin.$kind, 'GasCoin', 'the tip is SUI, taken from the gas coin');
  assert.equal(pureArg(ptb, split.amounts[0]!, bcs.u64()), '4242');
  assert.deepEqual(ptb.transferredTo(), [owner, relay]);
  // Everything else is the untipped transaction's.
  const plain = await decodeTransaction(registerCall());
  assert.deepEqual(
    ptb.moveCalls().map((c) => c.function),
    plain.moveCalls().map((c) => c.function),
  );
});

test('the blob id and root hash travel as u256 read little-endian from their bytes', async () => {
  const ptb = await decodeTransaction(registerCall());
  const register = ptb.call('system', 'register_blob');
  const id = BigInt(pureArg(ptb, register.arguments[2]!, bcs.u256()));
  assert.deepEqual(blobIdFromBigInt(id), blobIdFromBigInt(0xfeedn));
  const idBytes = bcs.u256().serialize(id).toBytes();
  assert.deepEqual([...idBytes.subarray(0, 2)], [0xed, 0xfe], 'least significant byte first');
});

test('a payment from the address balance redeems a coin and returns its change to the owner', async () => {
  const ptb = await decodeTransaction(
    registerCall({ coinType: WAL, coins: [], fromAddressBalance: 123n }),
  );
  assertSignatures(ptb);
  const redeem = ptb.call('coin', 'redeem_funds');
  assert.deepEqual(redeem.typeArguments, [normalizeStructTag(WAL)]);
  assert.deepEqual(ptb.withdrawalAmounts(), ['123']);
  assert.equal(
    ptb.commands.filter((c) => c.$kind === 'TransferObjects').length,
    2,
    'the redeemed coin and the blob',
  );
  assert.deepEqual(ptb.transferredTo(), [owner, owner]);
});

test('certify passes the aggregate signature, the signers bitmap and the message, reading System only', async () => {
  const signature = new Uint8Array(96).fill(5);
  const message = new Uint8Array([1, 0, 3, 9, 0, 0, 0, ...new Array(33).fill(0)]);
  const ptb = await decodeTransaction(
    certifyBlobTransaction(walrus, blob, { signature, signers: [0, 2, 9], message }, 10),
  );
  assertSignatures(ptb);
  const certify = ptb.call('system', 'certify_blob');
  assert.deepEqual(pureArg(ptb, certify.arguments[2]!, bcs.byteVector()), signature);
  assert.deepEqual([...pureArg(ptb, certify.arguments[3]!, bcs.byteVector())], [0b101, 0b10]);
  assert.deepEqual(pureArg(ptb, certify.arguments[4]!, bcs.byteVector()), message);
});

test('extend pays for the added epochs from the merged WAL coins', async () => {
  const ptb = await decodeTransaction(extendBlobTransaction(walrus, blob, 12, coins, owner));
  assertSignatures(ptb);
  const extend = ptb.call('system', 'extend_blob');
  assert.equal(pureArg(ptb, extend.arguments[2]!, bcs.u32()), 12);
  assert.deepEqual(extend.arguments[3], ptb.commands[0]!.MergeCoins!.destination);
  assert.deepEqual(ptb.transferredTo(), []);
});

test('delete hands the freed storage back to the owner', async () => {
  const ptb = await decodeTransaction(deleteBlobTransaction(walrus, blob, owner));
  assertSignatures(ptb);
  const transfer = ptb.commands[1]!.TransferObjects!;
  assert.deepEqual(transfer.objects, [{ $kind: 'NestedResult', NestedResult: [0, 0] }]);
  assert.deepEqual(ptb.transferredTo(), [owner]);
});

test('transfer moves the Blob object itself', async () => {
  const to = normalizeSuiAddress('0x70');
  const ptb = await decodeTransaction(transferBlobTransaction(blob, to));
  assert.equal(ptb.moveCalls().length, 0);
  const transfer = ptb.commands[0]!.TransferObjects!;
  assert.equal(ptb.objectInput(transfer.objects[0]!).objectId, blob.objectId);
  assert.deepEqual(ptb.transferredTo(), [to]);
});

test('attributes are set one key-value pair per call and removed by key', async () => {
  const set = await decodeTransaction(
    setAttributesTransaction(walrus, blob, { kind: 'snapshot', ünïcode: 'vàlue' }),
  );
  assertSignatures(set);
  assert.deepEqual(
    set
      .moveCalls()
      .map((c) => [
        pureArg(set, c.arguments[1]!, bcs.string()),
        pureArg(set, c.arguments[2]!, bcs.string()),
      ]),
    [
      ['kind', 'snapshot'],
      ['ünïcode', 'vàlue'],
    ],
  );
  const remove = await decodeTransaction(removeAttributeTransaction(walrus, blob, 'kind'));
  assertSignatures(remove);
  assert.equal(
    pureArg(remove, remove.call('blob', 'remove_metadata_pair').arguments[1]!, bcs.string()),
    'kind',
  );
});

test('the signers bitmap sets bit i%8 of byte i/8 and is exactly as long as the committee needs', () => {
  assert.deepEqual([...signersBitmap([], 8)], [0]);
  assert.deepEqual([...signersBitmap([0, 7, 8], 9)], [0b1000_0001, 0b1]);
  assert.equal(signersBitmap([0], 103).length, 13);
  assert.throws(() => signersBitmap([9], 9), RangeError);
  assert.throws(() => signersBitmap([-1], 9), RangeError);
});
