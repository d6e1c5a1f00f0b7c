/**
 * Storage challenges. At each epoch change the ledger asks every node holding shards to
 * prove it still stores one randomly chosen sliver: the primary sliver of a random pair
 * it holds, of a random certified blob. The node answers with the pair's two hashes and
 * their Merkle path to the blob's root hash (registered on chain), plus one random symbol
 * of the sliver's expanded row and its path to the primary hash — so only a node that
 * holds the sliver's data can answer. Unanswered or wrong answers are settled at the
 * next epoch change: stake slashed, that epoch's rewards withheld.
 */
import { randomInt } from 'node:crypto';
import { blobIdFromString } from '../../walrus/encoding/blob-id.js';
import { equalBytes, leafHash, verifyMerkleProof } from '../../walrus/encoding/merkle.js';
import { shardToPairIndex } from '../../walrus/shards.js';
import type { Emit } from './context.js';
import { refuse } from './errors.js';
import type { LedgerDb } from './store.js';
import type { ChallengeAnswer } from './wire.js';
import type { ChallengeRecord } from '../../walrus/chain/chain.js';

export interface ChallengeRow {
  challenge_id: string;
  epoch: number;
  node_idx: number;
  object_id: string;
  blob_id: string;
  pair_index: number;
  symbol_index: number;
  state: 'open' | 'passed' | 'failed';
}

/** Issues this epoch's challenges: one per node that holds shards, if any blob is certified. */
export function issueChallenges(db: LedgerDb, epoch: number, nShards: number, emit: Emit): void {
  const blobs = db
    .prepare(
      "SELECT object_id, blob_id FROM blobs WHERE state = 'certified' AND end_epoch > ? ORDER BY object_id",
    )
    .all(epoch) as { object_id: string; blob_id: string }[];
  if (blobs.length === 0) return;
  const nodes = db.prepare('SELECT idx, node_id FROM nodes ORDER BY idx').all() as {
    idx: number;
    node_id: string;
  }[];
  const insert = db.prepare(
    `INSERT INTO challenges (challenge_id, epoch, node_idx, object_id, blob_id, pair_index, symbol_index, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open')`,
  );
  for (const node of nodes) {
    const shards = (
      db.prepare('SELECT shard FROM shards WHERE node_idx = ?').all(node.idx) as { shard: number }[]
    ).map((r) => r.shard);
    if (shards.length === 0) continue;
    const blob = blobs[randomInt(blobs.length)]!;
    const shard = shards[randomInt(shards.length)]!;
    const pairIndex = shardToPairIndex(shard, blobIdFromString(blob.blob_id), nShards);
    const symbolIndex = randomInt(nShards);
    const challengeId = `${epoch}-${node.node_id}`;
    insert.run(challengeId, epoch, node.idx, blob.object_id, blob.blob_id, pairIndex, symbolIndex);
    emit('ChallengeIssued', {
      challengeId,
      nodeId: node.node_id,
      objectId: blob.object_id,
      blobId: blob.blob_id,
      pairIndex,
      symbolIndex,
    });
  }
}

/** Checks an answer against the blob's root hash; records the verdict. Throws if it is not the node's to answer. */
export function answerChallenge(
  db: LedgerDb,
  sender: string,
  epoch: number,
  answer: ChallengeAnswer,
  emit: Emit,
): boolean {
  const c = db
    .prepare('SELECT * FROM challenges WHERE challenge_id = ?')
    .get(answer.challengeId) as ChallengeRow | undefined;
  if (!c) throw refuse.notFound(`challenge ${answer.challengeId}`);
  const node = db.prepare('SELECT node_id, operator FROM nodes WHERE idx = ?').get(c.node_idx) as {
    node_id: string;
    operator: string;
  };
  if (node.operator !== sender) throw refuse.notOwner(answer.challengeId, node.operator);
  if (c.state !== 'open') throw refuse.state(`challenge ${c.challenge_id} was already answered`);
  if (c.epoch !== epoch)
    throw refuse.state(`challenge ${c.challenge_id} expired with epoch ${c.epoch}`);
  const root = (
    db.prepare('SELECT root_hash FROM blobs WHERE object_id = ?').get(c.object_id) as {
      root_hash: Buffer;
    }
  ).root_hash;
  const ok = verifies(answer, c, new Uint8Array(root));
  db.prepare('UPDATE challenges SET state = ? WHERE challenge_id = ?').run(
    ok ? 'passed' : 'failed',
    c.challenge_id,
  );
  emit('ChallengeAnswered', { challengeId: c.challenge_id, nodeId: node.node_id, passed: ok });
  return ok;
}

function verifies(a: ChallengeAnswer, c: ChallengeRow, root: Uint8Array): boolean {
  try {
    const primary = hex(a.primaryHash);
    const pairLeaf = leafHash(concat(primary, hex(a.secondaryHash)));
    if (!verifyMerkleProof(root, pairLeaf, c.pair_index, a.pairProof.map(hex))) return false;
    const symbol = new Uint8Array(Buffer.from(a.symbol, 'base64'));
    return (
      verifyMerkleProof(primary, leafHash(symbol), c.symbol_index, a.symbolProof.map(hex)) &&
      !equalBytes(primary, new Uint8Array(32))
    );
  } catch {
    return false;
  }
}

/** Closes an epoch's challenges; returns the committee indices of nodes that failed one. */
export function settleChallenges(
  db: LedgerDb,
  epoch: number,
  penaltyBps: number,
  emit: Emit,
): Set<number> {
  const failed = db
    .prepare("SELECT * FROM challenges WHERE epoch = ? AND state != 'passed'")
    .all(epoch) as ChallengeRow[];
  const penalised = new Set<number>();
  for (const c of failed) {
    const node = db
      .prepare('SELECT node_id, stake, slashed FROM nodes WHERE idx = ?')
      .get(c.node_idx) as {
      node_id: string;
      stake: string;
      slashed: string;
    };
    const slash = (BigInt(node.stake) * BigInt(penaltyBps)) / 10_000n;
    db.prepare('UPDATE nodes SET stake = ?, slashed = ? WHERE idx = ?').run(
      (BigInt(node.stake) - slash).toString(),
      (BigInt(node.slashed) + slash).toString(),
      c.node_idx,
    );
    db.prepare("UPDATE challenges SET state = 'failed' WHERE challenge_id = ?").run(c.challenge_id);
    penalised.add(c.node_idx);
    emit('NodePenalised', {
      nodeId: node.node_id,
      challengeId: c.challenge_id,
      reason: c.state === 'open' ? 'unanswered' : 'wrong proof',
      slashed: slash.toString(),
    });
  }
  return penalised;
}

/** The challenges of `sinceEpoch` and later with their outcome, oldest first. */
export function challengeRecords(db: LedgerDb, sinceEpoch: number): ChallengeRecord[] {
  const rows = db
    .prepare(
      `SELECT c.epoch, n.node_id, c.blob_id, c.state FROM challenges c JOIN nodes n ON n.idx = c.node_idx
       WHERE c.epoch >= ? ORDER BY c.epoch, c.node_idx`,
    )
    .all(sinceEpoch) as {
    epoch: number;
    node_id: string;
    blob_id: string;
    state: ChallengeRow['state'];
  }[];
  return rows.map((r) => ({
    epoch: r.epoch,
    nodeId: r.node_id,
    blobId: r.blob_id,
    outcome: r.state,
  }));
}

function hex(text: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(text)) throw new Error('not a 32-byte hex digest');
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
