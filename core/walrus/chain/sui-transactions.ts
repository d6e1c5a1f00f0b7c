/**
 * The programmable transactions Floe sends to the Walrus package, one function each, from
 * fully resolved object references — so they build offline, and a test can read back
 * exactly what would be signed. Signatures called (walrus `sources/system.move`,
 * `sources/system/blob.move`):
 *   system::reserve_space(&mut System, u64, u32, &mut Coin<WAL>, &mut TxContext): Storage
 *   storage_resource::fuse(&mut Storage, Storage)
 *   storage_resource::split_by_size(&mut Storage, u64, &mut TxContext): Storage
 *   system::register_blob(&mut System, Storage, u256, u256, u64, u8, bool, &mut Coin<WAL>,
 *                         &mut TxContext): Blob
 *   system::certify_blob(&System, &mut Blob, vector<u8>, vector<u8>, vector<u8>)
 *   system::extend_blob(&mut System, &mut Blob, u32, &mut Coin<WAL>)
 *   system::delete_blob(&System, Blob): Storage
 *   blob::insert_or_update_metadata_pair(&mut Blob, String, String)
 *   blob::remove_metadata_pair(&mut Blob, &String): (String, String)
 * `&mut TxContext` is supplied by Sui, not passed.
 */
import { bcs } from '@mysten/sui/bcs';
import { Transaction, type TransactionObjectArgument } from '@mysten/sui/transactions';
import { blobIdToBigInt } from '../encoding/blob-id.js';
import type { Certificate } from './chain.js';
import { payWith, returnChange, type WalPayment } from './sui-payment.js';

export interface WalrusTarget {
  /** The package to call (the System object's current `package_id`). */
  packageId: string;
  system: { objectId: string; initialSharedVersion: string };
}

export interface ObjectRef {
  objectId: string;
  version: string;
  digest: string;
}

export interface RegisterBlobCall {
  owner: string;
  blobId: Uint8Array;
  rootHash: Uint8Array;
  size: number;
  encodingType: number;
  /** What `reserve_space` buys: the encoded size the contract will check against. */
  encodedSize: number;
  epochs: number;
  deletable: boolean;
  attributes: Record<string, string>;
  payment: WalPayment;
  /**
   * Storage the account owns to register in instead of buying (see storage-reuse.ts):
   * `fuse` are fused into `target`, which is then split to `splitTo` bytes, the rest
   * going back to the owner. Only the write fee is paid then.
   */
  storage?: { target: ObjectRef; fuse: ObjectRef[]; splitTo: number | null };
  /** An upload relay's tip: SUI from the gas coin, and its auth package as input 0. */
  relayTip?: { address: string; amount: bigint; authPayload: Uint8Array };
}

/**
 * Buys the storage (or brings the account's own) and registers the blob in one transaction;
 * the Blob goes to `owner`.
 */
export function registerBlobTransaction(w: WalrusTarget, c: RegisterBlobCall): Transaction {
  const tx = new Transaction();
  // The relay reads the auth package from the first input, so it is added before anything.
  if (c.relayTip) tx.pure(c.relayTip.authPayload);
  const system = systemArg(tx, w, true);
  const coin = payWith(tx, c.payment);
  const storage = c.storage
    ? ownedStorage(tx, w, c.storage, c.owner)
    : reserve(tx, w, c, coin, system);
  const [blob] = tx.moveCall({
    package: w.packageId,
    module: 'system',
    function: 'register_blob',
    arguments: [
      system,
      storage,
      tx.pure.u256(blobIdToBigInt(c.blobId)),
      tx.pure.u256(BigInt(bcs.u256().parse(c.rootHash))),
      tx.pure.u64(c.size),
      tx.pure.u8(c.encodingType),
      tx.pure.bool(c.deletable),
      coin,
    ],
  });
  insertAttributes(tx, w, blob!, c.attributes);
  returnChange(tx, c.payment, coin, c.owner);
  tx.transferObjects([blob!], c.owner);
  if (c.relayTip) {
    const [tip] = tx.splitCoins(tx.gas, [tx.pure.u64(c.relayTip.amount)]);
    tx.transferObjects([tip!], c.relayTip.address);
  }
  return tx;
}

function reserve(
  tx: Transaction,
  w: WalrusTarget,
  c: RegisterBlobCall,
  coin: TransactionObjectArgument,
  system: TransactionObjectArgument,
): TransactionObjectArgument {
  const [storage] = tx.moveCall({
    package: w.packageId,
    module: 'system',
    function: 'reserve_space',
    arguments: [system, tx.pure.u64(c.encodedSize), tx.pure.u32(c.epochs), coin],
  });
  return storage!;
}

/** Fuses the owned resources into one and splits it to the blob's size; the rest is the owner's. */
function ownedStorage(
  tx: Transaction,
  w: WalrusTarget,
  s: NonNullable<RegisterBlobCall['storage']>,
  owner: string,
): TransactionObjectArgument {
  const target = tx.objectRef(s.target);
  for (const other of s.fuse)
    tx.moveCall({
      package: w.packageId,
      module: 'storage_resource',
      function: 'fuse',
      arguments: [target, tx.objectRef(other)],
    });
  if (s.splitTo !== null) {
    const [rest] = tx.moveCall({
      package: w.packageId,
      module: 'storage_resource',
      function: 'split_by_size',
      arguments: [target, tx.pure.u64(s.splitTo)],
    });
    tx.transferObjects([rest!], owner);
  }
  return target;
}

export function certifyBlobTransaction(
  w: WalrusTarget,
  blob: ObjectRef,
  certificate: Certificate,
  committeeSize: number,
): Transaction {
  const tx = new Transaction();
  tx.moveCall({
    package: w.packageId,
    module: 'system',
    function: 'certify_blob',
    arguments: [
      systemArg(tx, w, false),
      tx.objectRef(blob),
      tx.pure.vector('u8', certificate.signature),
      tx.pure.vector('u8', signersBitmap(certificate.signers, committeeSize)),
      tx.pure.vector('u8', certificate.message),
    ],
  });
  return tx;
}

export function extendBlobTransaction(
  w: WalrusTarget,
  blob: ObjectRef,
  epochs: number,
  payment: WalPayment,
  owner: string,
): Transaction {
  const tx = new Transaction();
  const coin = payWith(tx, payment);
  tx.moveCall({
    package: w.packageId,
    module: 'system',
    function: 'extend_blob',
    arguments: [systemArg(tx, w, true), tx.objectRef(blob), tx.pure.u32(epochs), coin],
  });
  returnChange(tx, payment, coin, owner);
  return tx;
}

/** Deletes a deletable blob; the storage it held goes back to `owner`, to be reused. */
export function deleteBlobTransaction(
  w: WalrusTarget,
  blob: ObjectRef,
  owner: string,
): Transaction {
  const tx = new Transaction();
  const [storage] = tx.moveCall({
    package: w.packageId,
    module: 'system',
    function: 'delete_blob',
    arguments: [systemArg(tx, w, false), tx.objectRef(blob)],
  });
  tx.transferObjects([storage!], owner);
  return tx;
}

export function transferBlobTransaction(blob: ObjectRef, to: string): Transaction {
  const tx = new Transaction();
  tx.transferObjects([tx.objectRef(blob)], to);
  return tx;
}

export function setAttributesTransaction(
  w: WalrusTarget,
  blob: ObjectRef,
  attributes: Record<string, string>,
): Transaction {
  const tx = new Transaction();
  insertAttributes(tx, w, tx.objectRef(blob), attributes);
  return tx;
}

export function removeAttributeTransaction(
  w: WalrusTarget,
  blob: ObjectRef,
  key: string,
): Transaction {
  const tx = new Transaction();
  tx.moveCall({
    package: w.packageId,
    module: 'blob',
    function: 'remove_metadata_pair',
    arguments: [tx.objectRef(blob), tx.pure.string(key)],
  });
  return tx;
}

/**
 * `bls_aggregate.move` reads signer `i` from bit `i % 8` (least significant first) of byte
 * `i / 8`, and refuses a bitmap longer than ⌈members / 8⌉ bytes.
 */
export function signersBitmap(signers: number[], committeeSize: number): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(committeeSize / 8));
  for (const i of signers) {
    if (!Number.isInteger(i) || i < 0 || i >= committeeSize)
      throw new RangeError(`signer ${i} is not a member of a committee of ${committeeSize}`);
    bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return bitmap;
}

/** The System object is shared; certify and delete only read it, so they do not lock it. */
function systemArg(tx: Transaction, w: WalrusTarget, mutable: boolean) {
  return tx.sharedObjectRef({ ...w.system, mutable });
}

function insertAttributes(
  tx: Transaction,
  w: WalrusTarget,
  blob: TransactionObjectArgument,
  attributes: Record<string, string>,
): void {
  for (const [key, value] of Object.entries(attributes))
    tx.moveCall({
      package: w.packageId,
      module: 'blob',
      function: 'insert_or_update_metadata_pair',
      arguments: [blob, tx.pure.string(key), tx.pure.string(value)],
    });
}
