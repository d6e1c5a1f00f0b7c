/**
 * Blob objects and their lifecycle, as Walrus's `blob.move` and `system.move` keep them:
 * registered (the id must derive from the root hash, encoding and size; storage bought or
 * brought), certified by a quorum certificate of the current epoch, extended, deleted
 * (deletable ones; the storage returns to the owner), transferred, labelled with
 * attributes, and expired when their storage ends.
 */
import type { BlobObject, BlobState } from '../../walrus/chain/chain.js';
import { blobIdFromRootHash, blobIdToString } from '../../walrus/encoding/blob-id.js';
import { EncodingConfig } from '../../walrus/encoding/config.js';
import { certificateProblem } from '../../walrus/protocol/certificate.js';
import { parseConfirmationMessage } from '../../walrus/protocol/confirmation.js';
import { credit, debit } from './accounts.js';
import { objectIdFrom, type CallContext, type Emit } from './context.js';
import { refuse } from './errors.js';
import { addRewards, payForEpochs, reserveCapacity } from './accounting.js';
import { currentPrices, unitsOf } from './prices.js';
import { hexBytes } from './validate.js';
import { committeeMembers } from './staking.js';
import { insertStorage, ownedStorage, removeStorage } from './storage.js';
import type { LedgerDb } from './store.js';
import type { Call, StorageResource } from './wire.js';

interface BlobRow {
  object_id: string;
  blob_id: string;
  root_hash: Buffer;
  size: number;
  encoding_type: number;
  registered_epoch: number;
  certified_epoch: number | null;
  start_epoch: number;
  end_epoch: number;
  storage_size: number;
  deletable: number;
  owner: string;
  state: BlobState;
}

type BlobResult = { cost: string; objectId: string; blob: BlobObject };

export function blobByObjectId(db: LedgerDb, objectId: string): BlobObject | null {
  const row = db.prepare('SELECT * FROM blobs WHERE object_id = ?').get(objectId) as
    BlobRow | undefined;
  return row ? toBlob(db, row) : null;
}

export function blobsByBlobId(db: LedgerDb, blobId: string): BlobObject[] {
  const rows = db
    .prepare('SELECT * FROM blobs WHERE blob_id = ? ORDER BY object_id')
    .all(blobId) as BlobRow[];
  return rows.map((r) => toBlob(db, r));
}

/** Blobs an address owns, in object id order, `limit` at a time after `cursor`. */
export function ownedBlobs(
  db: LedgerDb,
  owner: string,
  cursor: string | null,
  limit: number,
): { blobs: BlobObject[]; nextCursor: string | null } {
  const rows = db
    .prepare('SELECT * FROM blobs WHERE owner = ? AND object_id > ? ORDER BY object_id LIMIT ?')
    .all(owner, cursor ?? '', limit + 1) as BlobRow[];
  const page = rows.slice(0, limit);
  return {
    blobs: page.map((r) => toBlob(db, r)),
    nextCursor: rows.length > limit ? page.at(-1)!.object_id : null,
  };
}

export function registerBlob(
  ctx: CallContext,
  call: Extract<Call, { kind: 'register_blob' }>,
): BlobResult {
  const { db, sender, epoch, genesis: g } = ctx;
  if (call.encodingType !== 1)
    throw refuse.invalid(`encoding type ${call.encodingType} is not RS2 (1)`);
  const config = new EncodingConfig(g.nShards);
  if (call.size > config.maxBlobSize) {
    throw refuse.invalid(
      `a blob of ${call.size} bytes exceeds this network's maximum of ${config.maxBlobSize}`,
    );
  }
  const rootHash = hexBytes(call.rootHash, 32, 'root hash');
  // As the Move package does: the id must be the one the root hash, encoding and size derive.
  if (blobIdToString(blobIdFromRootHash(rootHash, call.encodingType, call.size)) !== call.blobId) {
    throw refuse.invalid('the blob id does not match its root hash, encoding type and size');
  }
  const encoded = config.encodedBlobLength(call.size);
  const prices = currentPrices(db);
  // The write fee is paid into this epoch's account whether the storage is new or brought.
  let cost = unitsOf(encoded) * prices.write;
  let storage: StorageResource;
  if (call.storageId) {
    const s = ownedStorage(ctx, call.storageId);
    // As `blob::new`: the storage must cover this epoch (a resource that starts later is
    // refused, not clamped) and hold the encoded blob; the blob keeps it whole.
    if (s.start_epoch > epoch)
      throw refuse.state(
        `storage ${s.storage_id} starts at epoch ${s.start_epoch}; it can hold a blob registered from then, this is epoch ${epoch}`,
      );
    if (s.end_epoch <= epoch) throw refuse.state(`storage ${s.storage_id} has expired`);
    if (s.size < encoded) throw refuse.invalid(`storage of ${s.size} bytes cannot hold ${encoded}`);
    storage = {
      storageId: s.storage_id,
      startEpoch: s.start_epoch,
      endEpoch: s.end_epoch,
      size: s.size,
    };
    removeStorage(db, s.storage_id);
  } else {
    if (call.epochs > g.maxEpochsAhead) {
      throw refuse.invalid(
        `storage can be bought at most ${g.maxEpochsAhead} epochs ahead, not ${call.epochs}`,
      );
    }
    // `reserve_space`: capacity for every epoch bought, each epoch paid into its account.
    storage = {
      storageId: objectIdFrom(ctx.digest, 1),
      startEpoch: epoch,
      endEpoch: epoch + call.epochs,
      size: encoded,
    };
    reserveCapacity(db, storage.startEpoch, storage.endEpoch, BigInt(encoded));
    const perEpoch = unitsOf(encoded) * prices.storage;
    payForEpochs(db, storage.startEpoch, storage.endEpoch, perEpoch);
    cost += perEpoch * BigInt(call.epochs);
  }
  if (call.payment !== undefined && cost > BigInt(call.payment))
    throw refuse.priceChanged(cost, BigInt(call.payment));
  addRewards(db, epoch, unitsOf(encoded) * prices.write);
  debit(db, ctx.changes, sender, 'wal', cost);
  if (call.tip !== undefined) {
    const tip = BigInt(call.tip.amount);
    debit(db, ctx.changes, sender, 'sui', tip);
    credit(db, ctx.changes, call.tip.to, 'sui', tip);
  }
  const objectId = objectIdFrom(ctx.digest, 0);
  db.prepare(
    `INSERT INTO blobs (object_id, blob_id, root_hash, size, encoding_type, registered_epoch, certified_epoch,
       start_epoch, end_epoch, storage_size, storage_id, deletable, owner, state)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, 'registered')`,
  ).run(
    objectId,
    call.blobId,
    Buffer.from(rootHash),
    call.size,
    call.encodingType,
    epoch,
    storage.startEpoch,
    storage.endEpoch,
    storage.size,
    storage.storageId,
    call.deletable ? 1 : 0,
    sender,
  );
  const insertAttr = db.prepare('INSERT INTO attributes (object_id, key, value) VALUES (?, ?, ?)');
  for (const [k, v] of Object.entries(call.attributes ?? {})) insertAttr.run(objectId, k, v);
  ctx.emit('BlobRegistered', {
    objectId,
    blobId: call.blobId,
    size: call.size,
    endEpoch: storage.endEpoch,
    deletable: call.deletable,
    owner: sender,
  });
  return { cost: cost.toString(), objectId, blob: blobByObjectId(db, objectId)! };
}

export function certifyBlob(
  ctx: CallContext,
  call: Extract<Call, { kind: 'certify_blob' }>,
): BlobResult {
  const { db, epoch } = ctx;
  const blob = ownedBlob(ctx, call.objectId);
  if (blob.state === 'certified') throw refuse.state(`blob ${blob.blobId} is already certified`);
  if (blob.state !== 'registered') throw refuse.state(`blob ${blob.blobId} is ${blob.state}`);
  if (blob.endEpoch <= epoch) throw refuse.state(`blob ${blob.blobId} has expired`);
  const message = new Uint8Array(Buffer.from(call.message, 'base64'));
  let parsed;
  try {
    parsed = parseConfirmationMessage(message);
  } catch (error) {
    throw refuse.certificate((error as Error).message);
  }
  if (parsed.epoch !== epoch)
    throw refuse.certificate(`it was signed in epoch ${parsed.epoch}, this is epoch ${epoch}`);
  if (blobIdToString(parsed.blobId) !== blob.blobId)
    throw refuse.certificate('it is for another blob');
  const persistenceOk = blob.deletable
    ? parsed.persistence.deletable && parsed.persistence.objectId === blob.objectId
    : !parsed.persistence.deletable;
  if (!persistenceOk) throw refuse.certificate('its persistence type does not match the blob');
  const problem = certificateProblem(
    committeeMembers(db),
    ctx.genesis.nShards,
    call.signers,
    message,
    new Uint8Array(Buffer.from(call.signature, 'base64')),
  );
  if (problem) throw refuse.certificate(problem);
  db.prepare("UPDATE blobs SET certified_epoch = ?, state = 'certified' WHERE object_id = ?").run(
    epoch,
    blob.objectId,
  );
  ctx.emit('BlobCertified', {
    objectId: blob.objectId,
    blobId: blob.blobId,
    endEpoch: blob.endEpoch,
    deletable: blob.deletable,
  });
  return { cost: '0', objectId: blob.objectId, blob: blobByObjectId(db, blob.objectId)! };
}

export function extendBlob(
  ctx: CallContext,
  objectId: string,
  epochs: number,
  payment?: string,
): BlobResult {
  const { db, epoch, genesis: g } = ctx;
  const blob = ownedBlob(ctx, objectId);
  if (blob.state !== 'certified')
    throw refuse.state(`only certified blobs can be extended; ${blob.blobId} is ${blob.state}`);
  if (blob.endEpoch <= epoch) throw refuse.state(`blob ${blob.blobId} has expired`);
  const newEnd = blob.endEpoch + epochs;
  if (newEnd - epoch > g.maxEpochsAhead) {
    throw refuse.invalid(
      `a blob can be paid for at most ${g.maxEpochsAhead} epochs ahead; it would end ${newEnd - epoch} ahead`,
    );
  }
  // `extend_blob`: the whole storage resource is paid for and reserved, epoch by epoch.
  const perEpoch = unitsOf(blob.storageSize) * currentPrices(db).storage;
  const cost = perEpoch * BigInt(epochs);
  if (payment !== undefined && cost > BigInt(payment))
    throw refuse.priceChanged(cost, BigInt(payment));
  reserveCapacity(db, blob.endEpoch, newEnd, BigInt(blob.storageSize));
  debit(db, ctx.changes, ctx.sender, 'wal', cost);
  payForEpochs(db, blob.endEpoch, newEnd, perEpoch);
  db.prepare('UPDATE blobs SET end_epoch = ? WHERE object_id = ?').run(newEnd, objectId);
  ctx.emit('BlobExtended', { objectId, blobId: blob.blobId, endEpoch: newEnd });
  return { cost: cost.toString(), objectId, blob: blobByObjectId(db, objectId)! };
}

export function deleteBlob(ctx: CallContext, objectId: string): { cost: string; objectId: string } {
  const { db } = ctx;
  const blob = ownedBlob(ctx, objectId);
  if (!blob.deletable)
    throw refuse.state(`blob ${blob.blobId} was stored as permanent and cannot be deleted`);
  if (blob.state === 'deleted' || blob.state === 'expired')
    throw refuse.state(`blob ${blob.blobId} is already ${blob.state}`);
  db.prepare("UPDATE blobs SET state = 'deleted' WHERE object_id = ?").run(objectId);
  // `blob::delete` hands the blob's storage resource back to the owner as it is: same
  // object, period and size, to be reused for another blob. Its capacity stays reserved.
  const row = db.prepare('SELECT storage_id FROM blobs WHERE object_id = ?').get(objectId) as {
    storage_id: string;
  };
  insertStorage(db, ctx.sender, {
    storageId: row.storage_id,
    startEpoch: blob.startEpoch,
    endEpoch: blob.endEpoch,
    size: blob.storageSize,
  });
  ctx.emit('BlobDeleted', {
    objectId,
    blobId: blob.blobId,
    wasCertified: blob.certifiedEpoch !== null,
  });
  return { cost: '0', objectId };
}

export function transferBlob(ctx: CallContext, objectId: string, to: string): { cost: string } {
  ownedBlob(ctx, objectId);
  ctx.db.prepare('UPDATE blobs SET owner = ? WHERE object_id = ?').run(to, objectId);
  ctx.emit('BlobTransferred', { objectId, from: ctx.sender, to });
  return { cost: '0' };
}

export function setAttributes(
  ctx: CallContext,
  objectId: string,
  attributes: Record<string, string> | undefined,
): { cost: string } {
  ownedBlob(ctx, objectId);
  const upsert = ctx.db.prepare(
    'INSERT INTO attributes (object_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
  );
  for (const [k, v] of Object.entries(attributes ?? {})) upsert.run(objectId, k, v);
  return { cost: '0' };
}

export function removeAttribute(ctx: CallContext, objectId: string, key: string): { cost: string } {
  ownedBlob(ctx, objectId);
  const removed = ctx.db
    .prepare('DELETE FROM attributes WHERE object_id = ? AND key = ?')
    .run(objectId, key);
  if (removed.changes === 0) throw refuse.notFound(`attribute "${key}" of ${objectId}`);
  return { cost: '0' };
}

/** Blobs whose storage ends before `epoch` expire as it begins. */
export function expireBlobs(db: LedgerDb, epoch: number): { object_id: string; blob_id: string }[] {
  const expired = db
    .prepare(
      "SELECT object_id, blob_id FROM blobs WHERE state IN ('registered', 'certified') AND end_epoch <= ?",
    )
    .all(epoch) as { object_id: string; blob_id: string }[];
  db.prepare(
    "UPDATE blobs SET state = 'expired' WHERE state IN ('registered', 'certified') AND end_epoch <= ?",
  ).run(epoch);
  return expired;
}

export function announceExpired(
  expired: { object_id: string; blob_id: string }[],
  emit: Emit,
): void {
  for (const b of expired) emit('BlobExpired', { objectId: b.object_id, blobId: b.blob_id });
}

function ownedBlob(ctx: CallContext, objectId: string): BlobObject {
  const blob = blobByObjectId(ctx.db, objectId);
  if (!blob) throw refuse.notFound(`blob object ${objectId}`);
  if (blob.owner !== ctx.sender) throw refuse.notOwner(objectId, blob.owner);
  return blob;
}

function toBlob(db: LedgerDb, row: BlobRow): BlobObject {
  const attrs = db
    .prepare('SELECT key, value FROM attributes WHERE object_id = ? ORDER BY key')
    .all(row.object_id) as { key: string; value: string }[];
  return {
    objectId: row.object_id,
    blobId: row.blob_id,
    rootHash: row.root_hash.toString('hex'),
    size: row.size,
    encodingType: row.encoding_type,
    registeredEpoch: row.registered_epoch,
    certifiedEpoch: row.certified_epoch,
    startEpoch: row.start_epoch,
    endEpoch: row.end_epoch,
    storageSize: row.storage_size,
    deletable: row.deletable === 1,
    owner: row.owner,
    state: row.state,
    attributes: Object.fromEntries(attrs.map((a) => [a.key, a.value])),
  };
}
