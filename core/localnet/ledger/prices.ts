/**
 * Prices and capacity, set by the storage nodes' votes as Walrus's `staking_inner.move`
 * sets them. Each node votes a storage price, a write price and the capacity it offers;
 * votes weigh as many as the node's shards. The price is the lowest value a quorum of
 * weight voted at or below (`quorum_below`), recomputed when a vote is cast and at each
 * epoch change; the capacity is the highest per-shard offer, scaled to the network, that a
 * quorum voted at or above (`quorum_above`), set at each epoch change.
 */
import { EncodingConfig } from '../../walrus/encoding/config.js';
import { isQuorum } from '../../walrus/protocol/quorum.js';
import { storageUnits } from '../../walrus/chain/sui-pricing.js';
import { addUsedCapacity, usedCapacity } from './accounting.js';
import type { CallContext, Emit } from './context.js';
import { refuse } from './errors.js';
import type { Genesis } from './genesis.js';
import { currentEpoch, getMeta, setMeta } from './meta.js';
import type { LedgerDb } from './store.js';

export interface Prices {
  /** FROST per MiB of encoded size per epoch. */
  storage: bigint;
  /** FROST per MiB of encoded size, once, at registration. */
  write: bigint;
}

export function currentPrices(db: LedgerDb): Prices {
  return {
    storage: BigInt(getMeta(db, 'storage_price') ?? '0'),
    write: BigInt(getMeta(db, 'write_price') ?? '0'),
  };
}

/** Units of storage: 1 MiB of encoded size, rounded up (`storage_units_from_size`). */
export const unitsOf = storageUnits;

export function encodedSize(nShards: number, size: number): number {
  return new EncodingConfig(nShards).encodedBlobLength(size);
}

/** Price of storing `size` unencoded bytes for `epochs` epochs, write fee included. */
export function storageCost(db: LedgerDb, nShards: number, size: number, epochs: number): bigint {
  const units = unitsOf(encodedSize(nShards, size));
  const p = currentPrices(db);
  return units * p.storage * BigInt(epochs) + units * p.write;
}

interface Vote {
  value: bigint;
  weight: number;
}

/** The committee's votes of one kind, each weighted by the voter's shards. */
function votes(db: LedgerDb, column: 'storage_price_vote' | 'write_price_vote'): Vote[] {
  return (
    db
      .prepare(
        `SELECT n.${column} AS value, COUNT(s.shard) AS weight FROM nodes n
         JOIN shards s ON s.node_idx = n.idx GROUP BY n.idx`,
      )
      .all() as { value: string; weight: number }[]
  ).map((v) => ({ value: BigInt(v.value), weight: v.weight }));
}

/** The lowest value such that a quorum of weight voted at or below it. */
export function quorumBelow(vs: Vote[], nShards: number): bigint {
  const sorted = [...vs].sort((a, b) => (a.value > b.value ? -1 : a.value < b.value ? 1 : 0));
  let weight = nShards;
  for (const v of sorted) {
    weight -= v.weight;
    if (!isQuorum(weight, nShards)) return v.value;
  }
  throw new RangeError('the votes do not cover the shards');
}

/** The highest value such that a quorum of weight voted at or above it. */
export function quorumAbove(vs: Vote[], nShards: number): bigint {
  const sorted = [...vs].sort((a, b) => (a.value > b.value ? -1 : a.value < b.value ? 1 : 0));
  let weight = 0;
  for (const v of sorted) {
    weight += v.weight;
    if (isQuorum(weight, nShards)) return v.value;
  }
  throw new RangeError('the votes do not cover the shards');
}

/** Recomputes both prices from the committee's votes (`update_prices`). */
export function updatePrices(db: LedgerDb, nShards: number, emit: Emit): void {
  const storage = quorumBelow(votes(db, 'storage_price_vote'), nShards);
  const write = quorumBelow(votes(db, 'write_price_vote'), nShards);
  const before = currentPrices(db);
  setMeta(db, 'storage_price', storage.toString());
  setMeta(db, 'write_price', write.toString());
  if (storage !== before.storage || write !== before.write)
    emit('PricesUpdated', {
      epoch: currentEpoch(db),
      storagePrice: storage.toString(),
      writePrice: write.toString(),
    });
}

/**
 * The capacity a committee's votes offer (`select_committee_and_calculate_votes`): each
 * node's offer counts per shard it holds there (offer × n / shards), and the network gets
 * the highest such value a quorum of shards backs. `table` holds the committee's shards.
 */
export function votedCapacity(
  db: LedgerDb,
  nShards: number,
  table: 'shards' | 'next_shards',
): bigint {
  const offers = (
    db
      .prepare(
        `SELECT n.capacity_vote AS value, COUNT(s.shard) AS weight FROM nodes n
         JOIN ${table} s ON s.node_idx = n.idx GROUP BY n.idx`,
      )
      .all() as { value: string; weight: number }[]
  ).map((v) => ({
    value: (BigInt(v.value) * BigInt(nShards)) / BigInt(v.weight),
    weight: v.weight,
  }));
  return quorumAbove(offers, nShards);
}

/** Sets the capacity for `epoch` on, never below what is already reserved for it. */
export function setCapacity(db: LedgerDb, voted: bigint, epoch: number): void {
  const used = usedCapacity(db, epoch);
  setMeta(db, 'total_capacity', (voted > used ? voted : used).toString());
}

/** A node's operator votes a price or the capacity the node offers. */
export function castVote(
  ctx: CallContext,
  nodeId: string,
  kind: 'storage_price' | 'write_price' | 'capacity',
  value: bigint,
): { cost: string } {
  const node = ctx.db.prepare('SELECT operator FROM nodes WHERE node_id = ?').get(nodeId) as
    { operator: string } | undefined;
  if (!node) throw refuse.notFound(`node ${nodeId}`);
  if (node.operator !== ctx.sender) throw refuse.notOwner(nodeId, node.operator);
  ctx.db
    .prepare(`UPDATE nodes SET ${kind}_vote = ? WHERE node_id = ?`)
    .run(value.toString(), nodeId);
  ctx.emit('VoteCast', { nodeId, kind, value: value.toString() });
  // Price votes take effect at once, as the contract's `update_prices` in the same
  // transaction; a capacity vote at the next epoch change.
  if (kind !== 'capacity') updatePrices(ctx.db, ctx.genesis.nShards, ctx.emit);
  return { cost: '0' };
}

/**
 * Fills in what a ledger made before the contract's economics lacks: each node's votes from
 * the genesis, the capacity reserved by live blobs and storage, prices and capacity.
 */
export function initEconomics(db: LedgerDb, g: Genesis, emit: Emit): void {
  if (getMeta(db, 'storage_price') !== undefined) return;
  db.transaction(() => {
    const byId = new Map(g.nodes.map((n) => [n.nodeId, n]));
    const nodes = db.prepare('SELECT idx, node_id FROM nodes').all() as {
      idx: number;
      node_id: string;
    }[];
    const set = db.prepare(
      `UPDATE nodes SET storage_price_vote = COALESCE(storage_price_vote, ?),
         write_price_vote = COALESCE(write_price_vote, ?), capacity_vote = COALESCE(capacity_vote, ?)
       WHERE idx = ?`,
    );
    for (const n of nodes) {
      const spec = byId.get(n.node_id);
      set.run(
        spec?.storagePriceVote ?? g.storagePricePerUnit,
        spec?.writePriceVote ?? g.writePricePerUnit,
        spec?.capacityVote ?? g.nodeCapacity ?? String(2 ** 40),
        n.idx,
      );
    }
    const epoch = currentEpoch(db);
    const held = db
      .prepare(
        `SELECT start_epoch, end_epoch, storage_size AS size FROM blobs
           WHERE state IN ('registered', 'certified') AND end_epoch > ?
         UNION ALL SELECT start_epoch, end_epoch, size FROM storage WHERE end_epoch > ?`,
      )
      .all(epoch, epoch) as { start_epoch: number; end_epoch: number; size: number }[];
    const used = new Map<number, bigint>();
    for (const h of held)
      for (let e = Math.max(h.start_epoch, epoch); e < h.end_epoch; e++)
        used.set(e, (used.get(e) ?? 0n) + BigInt(h.size));
    for (const [e, bytes] of used) addUsedCapacity(db, e, bytes);
    db.prepare(
      "UPDATE blobs SET storage_id = '0x' || lower(hex(randomblob(32))) WHERE storage_id IS NULL",
    ).run();
    updatePrices(db, g.nShards, emit);
    setCapacity(db, votedCapacity(db, g.nShards, 'shards'), epoch);
  })();
}
