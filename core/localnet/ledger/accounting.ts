/**
 * Each epoch's account, as Walrus's `storage_accounting.move` keeps them: the rewards paid
 * in for that epoch (storage bought for it, write fees of registrations made in it, and
 * whatever the previous payout left over) and the encoded bytes reserved for it. Storage
 * can only be reserved while every epoch it covers has room under the network's capacity.
 */
import { refuse } from './errors.js';
import { getMeta } from './meta.js';
import type { LedgerDb } from './store.js';

interface AccountRow {
  epoch: number;
  rewards: string;
  used_capacity: string;
}

function account(db: LedgerDb, epoch: number): AccountRow {
  return (
    (db.prepare('SELECT * FROM epoch_accounts WHERE epoch = ?').get(epoch) as
      AccountRow | undefined) ?? { epoch, rewards: '0', used_capacity: '0' }
  );
}

function save(db: LedgerDb, a: AccountRow): void {
  db.prepare(
    `INSERT INTO epoch_accounts (epoch, rewards, used_capacity) VALUES (?, ?, ?)
     ON CONFLICT DO UPDATE SET rewards = excluded.rewards, used_capacity = excluded.used_capacity`,
  ).run(a.epoch, a.rewards, a.used_capacity);
}

export function addRewards(db: LedgerDb, epoch: number, amount: bigint): void {
  const a = account(db, epoch);
  save(db, { ...a, rewards: (BigInt(a.rewards) + amount).toString() });
}

/** Pays `perEpoch` into each epoch of [from, to), as storage bought for them does. */
export function payForEpochs(db: LedgerDb, from: number, to: number, perEpoch: bigint): void {
  for (let e = from; e < to; e++) addRewards(db, e, perEpoch);
}

export function usedCapacity(db: LedgerDb, epoch: number): bigint {
  return BigInt(account(db, epoch).used_capacity);
}

/** Encoded bytes the network stores in the current and future epochs (the capacity votes). */
export function totalCapacity(db: LedgerDb): bigint {
  return BigInt(getMeta(db, 'total_capacity') ?? '0');
}

/**
 * Reserves `size` bytes in each epoch of [from, to); refused, with nothing reserved, when
 * an epoch would hold more than the network's capacity (`EStorageExceeded`).
 */
export function reserveCapacity(db: LedgerDb, from: number, to: number, size: bigint): void {
  const total = totalCapacity(db);
  for (let e = from; e < to; e++) {
    const used = usedCapacity(db, e) + size;
    if (used > total) throw refuse.storageExceeded(size, total - usedCapacity(db, e), e);
  }
  for (let e = from; e < to; e++) addUsedCapacity(db, e, size);
}

export function addUsedCapacity(db: LedgerDb, epoch: number, size: bigint): void {
  const a = account(db, epoch);
  save(db, { ...a, used_capacity: (BigInt(a.used_capacity) + size).toString() });
}

/** Takes the ending epoch's account out of the books: its rewards are paid out now. */
export function closeAccount(db: LedgerDb, epoch: number): AccountRow {
  const a = account(db, epoch);
  db.prepare('DELETE FROM epoch_accounts WHERE epoch = ?').run(epoch);
  return a;
}
