/**
 * Epochs: the genesis that opens epoch 1, and the epoch change in Walrus's phases — voting
 * end (the next committee chosen), the change itself (the new committee takes over, the
 * previous one keeps serving), and done (nodes holding a quorum of shards report theirs
 * received).
 */
import { EncodingConfig } from '../../walrus/encoding/config.js';
import { announceExpired, expireBlobs } from './blobs.js';
import { issueChallenges, settleChallenges } from './challenges.js';
import { assignShards } from './committee.js';
import { recordCommittee } from './committee-history.js';
import type { CallContext, Emit } from './context.js';
import { refuse } from './errors.js';
import { isQuorum } from '../../walrus/protocol/quorum.js';
import { initEconomics, setCapacity, updatePrices, votedCapacity } from './prices.js';
import { payOutEpoch } from './rewards.js';
import { hexBytes } from './validate.js';
import type { Genesis } from './genesis.js';
import { currentEpoch, epochPhase, genesisOf, getMeta, lastEpochChange, setMeta } from './meta.js';
import { activateStakes, installNextCommittee, selectNextCommittee } from './staking.js';
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
    db.prepare('INSERT INTO previous_shards SELECT shard, node_idx FROM shards').run();
    recordCommittee(db, 1);
    setMeta(db, 'last_epoch_change', String(now));
    emit('EpochChangeDone', { epoch: 1 });
    initEconomics(db, g, emit);
  })();
}

/**
 * Voting end (`voting_end`), half an epoch after the last change was done: the next
 * committee is chosen from the stake it will have, and the capacity its votes offer.
 */
export function endVoting(db: LedgerDb, emit: Emit): void {
  db.transaction(() => {
    if (epochPhase(db) !== 'done')
      throw refuse.state(`voting can only end once the epoch change is done (${epochPhase(db)})`);
    const g = genesisOf(db);
    const next = currentEpoch(db) + 1;
    selectNextCommittee(db, g.nShards, next);
    setMeta(db, 'next_capacity', votedCapacity(db, g.nShards, 'next_shards').toString());
    setMeta(db, 'epoch_phase', 'params-selected');
    emit('EpochParametersSelected', { epoch: next });
  })();
}

/**
 * The epoch change (`initiate_epoch_change_v2`), an epoch after the last one was done:
 * challenges settled and the ending epoch paid out to its committee, then the chosen
 * committee takes over while the previous one keeps its shards' data until the new holders
 * report them received (`sync`); blobs and storage whose period ends expire, capacity and
 * prices are set for the new committee, and its challenges issued. Returns the new epoch.
 */
export function changeEpoch(db: LedgerDb, now: number, emit: Emit): number {
  return db.transaction(() => {
    if (epochPhase(db) !== 'params-selected')
      throw refuse.state(`the epoch can only change after voting ends (${epochPhase(db)})`);
    const g = genesisOf(db);
    const ending = currentEpoch(db);
    const next = ending + 1;
    const penalised = settleChallenges(db, ending, g.challengePenaltyBps, emit);
    payOutEpoch(db, ending, penalised, emit);
    activateStakes(db, next);
    installNextCommittee(db, emit);
    recordCommittee(db, next);
    const expired = expireBlobs(db, next);
    dropEndedStorage(db, next);
    setMeta(db, 'epoch', String(next));
    setMeta(db, 'epoch_started_at', String(now));
    setMeta(db, 'epoch_phase', 'sync');
    setMeta(db, 'sync_weight', '0');
    setCapacity(db, BigInt(getMeta(db, 'next_capacity') ?? '0'), next);
    updatePrices(db, g.nShards, emit);
    announceExpired(expired, emit);
    emit('EpochChangeStart', { epoch: next });
    issueChallenges(db, next, g.nShards, emit);
    return next;
  })();
}

/**
 * A node reports it holds every shard the new committee gave it (`epoch_sync_done`); once
 * nodes holding a quorum of shards have, the epoch change is done.
 */
export function epochSyncDone(
  ctx: CallContext,
  nodeId: string,
  epoch: number,
  now: number,
): { cost: string } {
  const { db } = ctx;
  const node = db.prepare('SELECT idx, operator FROM nodes WHERE node_id = ?').get(nodeId) as
    { idx: number; operator: string } | undefined;
  if (!node) throw refuse.notFound(`node ${nodeId}`);
  if (node.operator !== ctx.sender) throw refuse.notOwner(nodeId, node.operator);
  if (epoch !== ctx.epoch)
    throw refuse.state(`the sync reported is for epoch ${epoch}; this is epoch ${ctx.epoch}`);
  const reported = db.prepare('INSERT OR IGNORE INTO sync_done (epoch, node_idx) VALUES (?, ?)');
  if (reported.run(epoch, node.idx).changes === 0)
    throw refuse.state(`node ${nodeId} already reported its shards for epoch ${epoch}`);
  const shards = (
    db.prepare('SELECT shard FROM shards WHERE node_idx = ? ORDER BY shard').all(node.idx) as {
      shard: number;
    }[]
  ).map((r) => r.shard);
  if (shards.length === 0) throw refuse.state(`node ${nodeId} holds no shards in epoch ${epoch}`);
  if (epochPhase(db) === 'sync') {
    const weight = Number(getMeta(db, 'sync_weight') ?? '0') + shards.length;
    setMeta(db, 'sync_weight', String(weight));
    if (isQuorum(weight, ctx.genesis.nShards)) finishSync(db, epoch, now, ctx.emit, false);
  }
  ctx.emit('ShardsReceived', { epoch, nodeId, shards });
  return { cost: '0' };
}

function finishSync(db: LedgerDb, epoch: number, now: number, emit: Emit, forced: boolean): void {
  setMeta(db, 'epoch_phase', 'done');
  setMeta(db, 'last_epoch_change', String(now));
  emit('EpochChangeDone', forced ? { epoch, forced } : { epoch });
}

/** What the next step of the epoch change is, and when it is due (ms since the epoch). */
export function nextEpochStep(
  db: LedgerDb,
): { step: 'end-voting' | 'change-epoch'; at: number } | null {
  const { epochDurationMs } = genesisOf(db);
  const phase = epochPhase(db);
  if (phase === 'done')
    return { step: 'end-voting', at: lastEpochChange(db) + Math.floor(epochDurationMs / 2) };
  if (phase === 'params-selected')
    return { step: 'change-epoch', at: lastEpochChange(db) + epochDurationMs };
  return null; // waiting for the nodes to report their shards
}

/**
 * Localnet only, for tests and tools: ends the current epoch now, whatever the clock says.
 * A change still syncing is declared done first (`EpochChangeDone` with `forced`), which
 * the real network never does.
 */
export function forceEpochChange(db: LedgerDb, now: number, emit: Emit): number {
  return db.transaction(() => {
    if (epochPhase(db) === 'sync') finishSync(db, currentEpoch(db), now, emit, true);
    if (epochPhase(db) === 'done') endVoting(db, emit);
    return changeEpoch(db, now, emit);
  })();
}
