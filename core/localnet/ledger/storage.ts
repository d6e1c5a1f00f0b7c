/**
 * Storage resources: encoded bytes reserved for a period of epochs, owned by an account.
 * They split and merge as Walrus's `storage_resource.move` allows: split at an epoch (two
 * consecutive periods of the same size) or by size (same period), and merge two that cover
 * the same period (sizes add) or adjoin in time with equal sizes.
 */
import { objectIdFrom, type CallContext } from './context.js';
import { refuse } from './errors.js';
import type { LedgerDb } from './store.js';
import type { Call, StorageResource } from './wire.js';

interface StorageRow {
  storage_id: string;
  owner: string;
  start_epoch: number;
  end_epoch: number;
  size: number;
}

export function storageResources(db: LedgerDb, owner: string): StorageResource[] {
  return (
    db
      .prepare('SELECT * FROM storage WHERE owner = ? ORDER BY storage_id')
      .all(owner) as StorageRow[]
  ).map((r) => ({
    storageId: r.storage_id,
    startEpoch: r.start_epoch,
    endEpoch: r.end_epoch,
    size: r.size,
  }));
}

/** The sender's storage resource `id`, refused if it is missing or someone else's. */
export function ownedStorage(ctx: CallContext, id: string): StorageRow {
  const row = ctx.db.prepare('SELECT * FROM storage WHERE storage_id = ?').get(id) as
    StorageRow | undefined;
  if (!row) throw refuse.notFound(`storage ${id}`);
  if (row.owner !== ctx.sender) throw refuse.notOwner(id, row.owner);
  return row;
}

export function removeStorage(db: LedgerDb, id: string): void {
  db.prepare('DELETE FROM storage WHERE storage_id = ?').run(id);
}

export function insertStorage(db: LedgerDb, owner: string, s: StorageResource): void {
  db.prepare(
    'INSERT INTO storage (storage_id, owner, start_epoch, end_epoch, size) VALUES (?, ?, ?, ?, ?)',
  ).run(s.storageId, owner, s.startEpoch, s.endEpoch, s.size);
}

/** Storage whose period has ended is worth nothing and goes. */
export function dropEndedStorage(db: LedgerDb, epoch: number): void {
  db.prepare('DELETE FROM storage WHERE end_epoch <= ?').run(epoch);
}

export function reshapeStorage(
  ctx: CallContext,
  call: Extract<
    Call,
    { kind: 'split_storage_by_epoch' | 'split_storage_by_size' | 'merge_storage' }
  >,
): { cost: string; objectId: string } {
  const { db, sender, digest } = ctx;
  const update = db.prepare(
    'UPDATE storage SET start_epoch = ?, end_epoch = ?, size = ? WHERE storage_id = ?',
  );
  const s = ownedStorage(ctx, call.storageId);
  if (call.kind === 'split_storage_by_epoch') {
    if (!(call.epoch > s.start_epoch && call.epoch < s.end_epoch)) {
      throw refuse.invalid(
        `split epoch ${call.epoch} must lie strictly inside [${s.start_epoch}, ${s.end_epoch})`,
      );
    }
    const newId = objectIdFrom(digest, 0);
    update.run(s.start_epoch, call.epoch, s.size, s.storage_id);
    insertStorage(db, sender, {
      storageId: newId,
      startEpoch: call.epoch,
      endEpoch: s.end_epoch,
      size: s.size,
    });
    return { cost: '0', objectId: newId };
  }
  if (call.kind === 'split_storage_by_size') {
    // As `split_by_size`: the resource keeps `size` bytes, a new one takes the rest.
    if (call.size > s.size)
      throw refuse.invalid(`split size ${call.size} is more than the ${s.size} bytes held`);
    const newId = objectIdFrom(digest, 0);
    update.run(s.start_epoch, s.end_epoch, call.size, s.storage_id);
    insertStorage(db, sender, {
      storageId: newId,
      startEpoch: s.start_epoch,
      endEpoch: s.end_epoch,
      size: s.size - call.size,
    });
    return { cost: '0', objectId: newId };
  }
  if (call.otherId === call.storageId)
    throw refuse.invalid('a storage resource cannot merge with itself');
  const o = ownedStorage(ctx, call.otherId);
  if (s.start_epoch === o.start_epoch && s.end_epoch === o.end_epoch) {
    update.run(s.start_epoch, s.end_epoch, s.size + o.size, s.storage_id);
  } else if (
    s.size === o.size &&
    (s.end_epoch === o.start_epoch || o.end_epoch === s.start_epoch)
  ) {
    update.run(
      Math.min(s.start_epoch, o.start_epoch),
      Math.max(s.end_epoch, o.end_epoch),
      s.size,
      s.storage_id,
    );
  } else {
    throw refuse.invalid(
      'storage merges need the same period, or equal sizes over adjoining periods',
    );
  }
  removeStorage(db, o.storage_id);
  return { cost: '0', objectId: s.storage_id };
}
