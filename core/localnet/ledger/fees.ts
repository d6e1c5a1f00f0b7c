/**
 * What storage costs and where the money goes. Storage is sold in units of 1 MiB of encoded
 * size; a purchase pays each epoch it covers into that epoch's account, and each epoch's
 * account is paid out to the nodes as the epoch ends.
 */
import { EncodingConfig } from '../../walrus/encoding/config.js';
import type { Emit } from './context.js';
import type { Genesis } from './genesis.js';
import type { LedgerDb } from './store.js';

const MiB = 1024 * 1024;

/** Units of storage a blob of `size` unencoded bytes takes: its encoded size in MiB, rounded up. */
export function storageUnits(nShards: number, size: number): bigint {
  return BigInt(Math.ceil(new EncodingConfig(nShards).encodedBlobLength(size) / MiB));
}

/** Price of storing `size` unencoded bytes for `epochs` epochs, write fee included. */
export function storageCost(g: Genesis, size: number, epochs: number): bigint {
  const units = storageUnits(g.nShards, size);
  return (
    units * BigInt(g.storagePricePerUnit) * BigInt(epochs) + units * BigInt(g.writePricePerUnit)
  );
}

/** Payment for epochs [from, to) is booked to each of those epochs, paid out as each ends. */
export function accrue(db: LedgerDb, from: number, to: number, perEpoch: bigint): void {
  for (let e = from; e < to; e++) addFee(db, e, perEpoch);
}

export function addFee(db: LedgerDb, epoch: number, amount: bigint): void {
  const row = db.prepare('SELECT amount FROM future_fees WHERE epoch = ?').get(epoch) as
    { amount: string } | undefined;
  const total = (row ? BigInt(row.amount) : 0n) + amount;
  db.prepare(
    'INSERT INTO future_fees (epoch, amount) VALUES (?, ?) ON CONFLICT DO UPDATE SET amount = excluded.amount',
  ).run(epoch, total.toString());
}

/** Pays `epoch`'s fees pro rata to shards; a node that failed a challenge forfeits its share. */
export function distributeFees(
  db: LedgerDb,
  epoch: number,
  nShards: number,
  penalised: Set<number>,
  emit: Emit,
): void {
  const row = db.prepare('SELECT amount FROM future_fees WHERE epoch = ?').get(epoch) as
    { amount: string } | undefined;
  if (!row) return;
  const total = BigInt(row.amount);
  const counts = db
    .prepare('SELECT node_idx, COUNT(*) AS n FROM shards GROUP BY node_idx')
    .all() as { node_idx: number; n: number }[];
  const addReward = db.prepare('UPDATE nodes SET rewards = ? WHERE idx = ?');
  const getReward = db.prepare('SELECT rewards FROM nodes WHERE idx = ?');
  let withheld = 0n;
  for (const c of counts) {
    const share = (total * BigInt(c.n)) / BigInt(nShards);
    if (penalised.has(c.node_idx)) {
      withheld += share;
      continue;
    }
    const current = BigInt((getReward.get(c.node_idx) as { rewards: string }).rewards);
    addReward.run((current + share).toString(), c.node_idx);
  }
  db.prepare('DELETE FROM future_fees WHERE epoch = ?').run(epoch);
  emit('RewardsDistributed', { epoch, total: total.toString(), withheld: withheld.toString() });
}
