/**
 * Storage nodes and their stake: the committee with its shards, stake added and withdrawn
 * by accounts (taking effect at the next epoch), shards that follow stake, node rewards
 * and the operator's own settings.
 */
import type { CommitteeMember } from '../../walrus/chain/chain.js';
import { credit, debit } from './accounts.js';
import { assignShards } from './committee.js';
import { objectIdFrom, type CallContext, type Emit } from './context.js';
import { refuse } from './errors.js';
import { epochPhase } from './meta.js';
import type { LedgerDb } from './store.js';

interface NodeRow {
  idx: number;
  node_id: string;
  name: string;
  url: string;
  bls_public_key: Buffer;
  operator: string;
  stake: string;
}

/** The committee as `table` assigns shards: the current one, or the previous epoch's. */
export function committeeMembers(
  db: LedgerDb,
  table: 'shards' | 'previous_shards' = 'shards',
): CommitteeMember[] {
  const shardRows = db.prepare(`SELECT shard, node_idx FROM ${table} ORDER BY shard`).all() as {
    shard: number;
    node_idx: number;
  }[];
  const nodes = db.prepare('SELECT * FROM nodes ORDER BY idx').all() as NodeRow[];
  return nodes.map((n) => ({
    index: n.idx,
    nodeId: n.node_id,
    name: n.name,
    url: n.url,
    blsPublicKey: n.bls_public_key.toString('hex'),
    stake: n.stake,
    shards: shardRows.filter((s) => s.node_idx === n.idx).map((s) => s.shard),
  }));
}

export function nodeRewards(
  db: LedgerDb,
  nodeId: string,
): { rewards: string; slashed: string; stake: string } {
  const row = db
    .prepare('SELECT rewards, slashed, stake FROM nodes WHERE node_id = ?')
    .get(nodeId) as { rewards: string; slashed: string; stake: string } | undefined;
  if (!row) throw refuse.notFound(`node ${nodeId}`);
  return row;
}

export function stake(
  ctx: CallContext,
  nodeId: string,
  amount: bigint,
): { cost: string; stakeId: string } {
  const { db, sender } = ctx;
  const node = db.prepare('SELECT idx FROM nodes WHERE node_id = ?').get(nodeId) as
    { idx: number } | undefined;
  if (!node) throw refuse.notFound(`node ${nodeId}`);
  debit(db, ctx.changes, sender, 'wal', amount);
  const stakeId = objectIdFrom(ctx.digest, 0);
  // Once the next committee is chosen (voting end), new stake counts from the epoch after.
  const activation = ctx.epoch + (epochPhase(db) === 'params-selected' ? 2 : 1);
  db.prepare(
    'INSERT INTO stakes (stake_id, owner, node_idx, amount, activation_epoch) VALUES (?, ?, ?, ?, ?)',
  ).run(stakeId, sender, node.idx, amount.toString(), activation);
  ctx.emit('StakeAdded', {
    stakeId,
    nodeId,
    amount: amount.toString(),
    activationEpoch: activation,
  });
  return { cost: amount.toString(), stakeId };
}

export function withdrawStake(
  ctx: CallContext,
  stakeId: string,
): { cost: string; stakeId: string } {
  const { db, sender } = ctx;
  const row = db.prepare('SELECT * FROM stakes WHERE stake_id = ?').get(stakeId) as
    | {
        owner: string;
        node_idx: number;
        amount: string;
        activation_epoch: number;
        withdrawn: number;
      }
    | undefined;
  if (!row) throw refuse.notFound(`stake ${stakeId}`);
  if (row.owner !== sender) throw refuse.notOwner(stakeId, row.owner);
  if (row.withdrawn) throw refuse.state(`stake ${stakeId} was already withdrawn`);
  db.prepare('UPDATE stakes SET withdrawn = 1 WHERE stake_id = ?').run(stakeId);
  if (row.activation_epoch <= ctx.epoch) {
    const node = db.prepare('SELECT stake FROM nodes WHERE idx = ?').get(row.node_idx) as {
      stake: string;
    };
    const left = BigInt(node.stake) - BigInt(row.amount);
    db.prepare('UPDATE nodes SET stake = ? WHERE idx = ?').run(
      (left < 0n ? 0n : left).toString(),
      row.node_idx,
    );
  }
  credit(db, ctx.changes, sender, 'wal', BigInt(row.amount));
  ctx.emit('StakeWithdrawn', { stakeId, amount: row.amount });
  return { cost: '0', stakeId };
}

/** Stake added for `epoch` joins its node's stake. */
export function activateStakes(db: LedgerDb, epoch: number): void {
  const pending = db
    .prepare('SELECT node_idx, amount FROM stakes WHERE activation_epoch = ? AND withdrawn = 0')
    .all(epoch) as { node_idx: number; amount: string }[];
  for (const p of pending) {
    const row = db.prepare('SELECT stake FROM nodes WHERE idx = ?').get(p.node_idx) as {
      stake: string;
    };
    db.prepare('UPDATE nodes SET stake = ? WHERE idx = ?').run(
      (BigInt(row.stake) + BigInt(p.amount)).toString(),
      p.node_idx,
    );
  }
}

/**
 * Chooses the next epoch's committee (`voting_end`): shards follow the stake each node will
 * have then, and only the shards that must move do.
 */
export function selectNextCommittee(db: LedgerDb, nShards: number, nextEpoch: number): void {
  const nodes = db.prepare('SELECT idx, stake FROM nodes ORDER BY idx').all() as {
    idx: number;
    stake: string;
  }[];
  const pending = new Map<number, bigint>();
  for (const p of db
    .prepare('SELECT node_idx, amount FROM stakes WHERE activation_epoch = ? AND withdrawn = 0')
    .all(nextEpoch) as { node_idx: number; amount: string }[])
    pending.set(p.node_idx, (pending.get(p.node_idx) ?? 0n) + BigInt(p.amount));
  const previous = (
    db.prepare('SELECT node_idx FROM shards ORDER BY shard').all() as { node_idx: number }[]
  ).map((r) => r.node_idx);
  const next = assignShards(
    nShards,
    nodes.map((n) => BigInt(n.stake) + (pending.get(n.idx) ?? 0n)),
    previous,
  );
  db.prepare('DELETE FROM next_shards').run();
  const insert = db.prepare('INSERT INTO next_shards (shard, node_idx) VALUES (?, ?)');
  next.forEach((node, shard) => insert.run(shard, node));
}

/**
 * The chosen committee takes over (`advance_epoch`): the current one is kept as the
 * previous committee while shards move, announced with `ShardsMoved`.
 */
export function installNextCommittee(db: LedgerDb, emit: Emit): void {
  const nodes = db.prepare('SELECT idx, node_id FROM nodes ORDER BY idx').all() as {
    idx: number;
    node_id: string;
  }[];
  const before = db.prepare('SELECT shard, node_idx FROM shards ORDER BY shard').all() as {
    shard: number;
    node_idx: number;
  }[];
  const after = new Map(
    (
      db.prepare('SELECT shard, node_idx FROM next_shards').all() as {
        shard: number;
        node_idx: number;
      }[]
    ).map((r) => [r.shard, r.node_idx]),
  );
  db.prepare('DELETE FROM previous_shards').run();
  db.prepare('INSERT INTO previous_shards SELECT shard, node_idx FROM shards').run();
  const update = db.prepare('UPDATE shards SET node_idx = ? WHERE shard = ?');
  const moved: { shard: number; from: string; to: string }[] = [];
  for (const { shard, node_idx } of before) {
    const to = after.get(shard) ?? node_idx;
    if (to === node_idx) continue;
    update.run(to, shard);
    moved.push({ shard, from: nodes[node_idx]!.node_id, to: nodes[to]!.node_id });
  }
  db.prepare('DELETE FROM next_shards').run();
  if (moved.length > 0) emit('ShardsMoved', { moved });
}

/** The node's operator moves it to another address. */
export function setNodeUrl(ctx: CallContext, nodeId: string, url: string): { cost: string } {
  const node = ctx.db.prepare('SELECT operator FROM nodes WHERE node_id = ?').get(nodeId) as
    { operator: string } | undefined;
  if (!node) throw refuse.notFound(`node ${nodeId}`);
  if (node.operator !== ctx.sender) throw refuse.notOwner(nodeId, node.operator);
  ctx.db.prepare('UPDATE nodes SET url = ? WHERE node_id = ?').run(url, nodeId);
  ctx.emit('NodeUrlChanged', { nodeId, url });
  return { cost: '0' };
}
