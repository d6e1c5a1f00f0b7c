/**
 * Epochs: the genesis that opens epoch 1, and each epoch change — challenges settled,
 * the ending epoch paid out, new stake taking effect with shards following it, blobs and
 * storage whose period ends expiring, capacity and prices set from the new committee's
 * votes, and the new epoch's challenges issued.
 */
import { EncodingConfig } from '../../walrus/encoding/config.js';
import { announceExpired, expireBlobs } from './blobs.js';
import { issueChallenges, settleChallenges } from './challenges.js';
import { assignShards } from './committee.js';
import type { Emit } from './context.js';
import { initEconomics, updateCapacity, updatePrices } from './prices.js';
import { payOutEpoch } from './rewards.js';
import { hexBytes } from './validate.js';
import type { Genesis } from './genesis.js';
import { currentEpoch, genesisOf, setMeta } from './meta.js';
import { activateStakes, reassignShards } from './staking.js';
import { dropEndedStorage } from './storage.js';
import type { LedgerDb } from './store.js';

export function createGenesis(db: LedgerDb, g: Genesis, now: number, emit: Emit): void {
  if (g.nodes.length === 0) throw new Error('a genesis needs at least one storage node');
  new EncodingConfig(g.nShards); // refuses impossible shard counts
  db.transaction(() => {
    setMeta(db, 'genesis', JSON.stringify(g));
    setMeta(db, 'epoch', '1');
    setMeta(db, 'epoch_started_at', String(now));
    const insertNode = db.prepare(
      'INSERT INTO nodes (idx, node_id, name, url, bls_public_key, operator, stake) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    g.nodes.forEach((n, i) =>
      insertNode.run(
        i,
        n.nodeId,
        n.name,
        n.url,
        Buffer.from(hexBytes(n.blsPublicKey, 48, 'BLS public key')),
        n.operator,
        n.stake,
      ),
    );
    const owners = assignShards(
      g.nShards,
      g.nodes.map((n) => BigInt(n.stake)),
    );
    const insertShard = db.prepare('INSERT INTO shards (shard, node_idx) VALUES (?, ?)');
    owners.forEach((node, shard) => insertShard.run(shard, node));
    emit('EpochChange', { epoch: 1 });
    initEconomics(db, g, emit);
  })();
}

/** Ends the current epoch; returns the new one. */
export function advanceEpoch(db: LedgerDb, now: number, emit: Emit): number {
  return db.transaction(() => {
    const g = genesisOf(db);
    const ending = currentEpoch(db);
    const next = ending + 1;
    const penalised = settleChallenges(db, ending, g.challengePenaltyBps, emit);
    payOutEpoch(db, ending, penalised, emit);
    activateStakes(db, next);
    reassignShards(db, g.nShards, emit);
    const expired = expireBlobs(db, next);
    dropEndedStorage(db, next);
    setMeta(db, 'epoch', String(next));
    setMeta(db, 'epoch_started_at', String(now));
    // The new committee's votes set the capacity and, recomputed, the prices.
    updateCapacity(db, g.nShards, next);
    updatePrices(db, g.nShards, emit);
    announceExpired(expired, emit);
    emit('EpochChange', { epoch: next });
    issueChallenges(db, next, g.nShards, emit);
    return next;
  })();
}
