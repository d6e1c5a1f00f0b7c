/**
 * A spot-check anyone can run: ask every storage node that should hold the blobs for a
 * random sample of its slivers, and check each against the blob's metadata (whose hashes
 * the blob id — on chain — commits to) with the native sliver check. Each node comes out
 * answered, missing (it says it has no such sliver), corrupt (it served bytes that are not
 * the sliver) or unreachable; from that, how many more nodes could fail before a blob is
 * lost: Walrus rebuilds a blob from the primary slivers of n − 2f shards, so the nodes
 * that answered must keep holding that many when the largest of them fail first.
 *
 * It reads a sample of slivers, not whole blobs: at 1 % a pack costs about 1 % of its
 * encoded size (≈ 5 % of its data) where `check --read-data` reads all of it.
 */
import { randomInt } from 'node:crypto';
import type { BlobObject, CommitteeMember, ReadChain } from '../walrus/chain/chain.js';
import { fetchMetadata } from '../walrus/client/read.js';
import { readCommittees } from '../walrus/client/read-committee.js';
import { ConcurrencyLimiter } from '../walrus/client/limiter.js';
import {
  blobIdFromString,
  encodeMetadata,
  EncodingConfig,
  verifySliver,
  type BlobMetadata,
  type SliverKind,
} from '../walrus/encoding/index.js';
import { failuresTolerated, readThreshold } from '../walrus/protocol/recoverability.js';
import { shardToPairIndex } from '../walrus/shards.js';
import {
  NodeRejectedError,
  NodeUnavailableError,
  nodeClients,
  type StorageNodeClient,
} from '../walrus/storage-node-client.js';
import { ProgressTracker, type ProgressSnapshot } from './progress.js';

export type SliverOutcome = 'ok' | 'missing' | 'corrupt' | 'unreachable';
export type NodeVerdict = 'answered' | 'missing' | 'corrupt' | 'unreachable';

export interface NodeCheck {
  nodeId: string;
  name: string;
  url: string;
  shards: number;
  stake: string;
  asked: number;
  ok: number;
  missing: number;
  corrupt: number;
  unreachable: number;
  bytes: number;
  verdict: NodeVerdict;
  /** The first thing that went wrong, in the node's or the check's words. */
  detail: string | null;
}

export interface BlobCheck {
  blobId: string;
  kind: string | null;
  asked: number;
  bad: number;
  /** No node gave metadata matching the blob id: nothing of it could be checked. */
  metadataUnavailable: boolean;
  /** Shards held by nodes that answered every sampled sliver (of this blob and overall). */
  servingShards: number;
  /** How many more nodes could fail, the largest first, before it is lost; −1: lost now. */
  failuresTolerated: number;
}

export interface SpotCheckReport {
  time: number;
  epoch: number;
  samplePercent: number;
  nShards: number;
  /** Shards whose primary slivers rebuild a blob: n − 2f. */
  readShards: number;
  blobs: number;
  slivers: number;
  /** Sliver and metadata bytes read. */
  bytes: number;
  seconds: number;
  nodes: NodeCheck[];
  blobChecks: BlobCheck[];
  /** The worst blob's margin: more nodes that could fail before it is lost (−1: lost now). */
  failuresTolerated: number;
  worstBlob: string | null;
  /** One sentence: "all 4 nodes answered", or what did not. */
  summary: string;
}

export interface SpotCheckOptions {
  /** Percent of each node's slivers to fetch; every node is asked for at least one. */
  samplePercent: number;
  onProgress?: (p: ProgressSnapshot) => void;
  signal?: AbortSignal;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Per request (default 20 s): a node slower than this counts as unreachable. */
  timeoutMs?: number;
}

export class NothingToCheckError extends Error {
  constructor() {
    super('there is nothing to check yet: no certified blob is stored for these backups');
    this.name = 'NothingToCheckError';
  }
}

interface Sample {
  blob: number;
  member: CommitteeMember;
  shard: number;
  kind: SliverKind;
}

/** Spot-checks `blobs` (certified, not expired): the sample, node by node, and the margin. */
export async function spotCheck(
  chain: ReadChain,
  blobs: BlobObject[],
  o: SpotCheckOptions,
): Promise<SpotCheckReport> {
  if (!(o.samplePercent > 0 && o.samplePercent <= 100))
    throw new RangeError('the sample is a percentage above 0 and at most 100');
  const started = Date.now();
  const state = await chain.systemState();
  const targets = blobs.filter((b) => b.state === 'certified' && b.endEpoch > state.epoch);
  if (targets.length === 0) throw new NothingToCheckError();
  const n = state.nShards;
  const config = new EncodingConfig(n);
  const limiter = new ConcurrencyLimiter(o.concurrency ?? 16);
  const ctx = { limiter, nodeClient: nodeClients() };
  const request = { timeoutMs: o.timeoutMs ?? 20_000, ...(o.signal ? { signal: o.signal } : {}) };

  // Who should hold each blob now: the committee, or the previous one while shards move.
  const committees = await Promise.all(
    // Unknown to the nodes yet: the first committee a read would try.
    targets.map(async (b) => (await readCommittees(ctx, state, b.blobId, o.signal))[0]!),
  );
  const members = new Map<string, CommitteeMember>();
  for (const c of committees) for (const m of c) if (m.shards.length) members.set(m.nodeId, m);
  const samples = drawSamples(committees, o.samplePercent);

  const progress = new ProgressTracker('checking slivers');
  const sliverBytes = (s: Sample) =>
    s.kind === 'primary'
      ? config.primarySliverSize(targets[s.blob]!.size)
      : config.secondarySliverSize(targets[s.blob]!.size);
  progress.setTotals({
    files: samples.length,
    bytes: samples.reduce((total, s) => total + sliverBytes(s), 0),
  });
  const report = () => o.onProgress?.(progress.snapshot());
  report();

  const metadata = await Promise.all(
    targets.map((b, i) =>
      fetchMetadata(
        ctx,
        b.blobId,
        blobIdFromString(b.blobId),
        committees[i]!.map((m) => m.url),
        o.signal,
      ).catch(() => null),
    ),
  );

  const results = await Promise.all(
    samples.map(async (s) => {
      const blob = targets[s.blob]!;
      const meta = metadata[s.blob];
      const result = meta
        ? await limiter.run(() =>
            checkSliver(ctx.nodeClient(s.member.url), blob.blobId, meta, s, n, request),
          )
        : { outcome: 'unreachable' as const, detail: 'no node gave its metadata', read: 0 };
      if (o.signal?.aborted) throw o.signal.reason;
      progress.advance(result.read, 1, blob.blobId);
      report();
      return { sample: s, ...result };
    }),
  );
  // A blob deleted or expired while it was checked (retention, renewal) is gone on purpose:
  // its slivers' absence is no damage, and it is left out.
  const doubtful = new Set(results.filter((r) => r.outcome !== 'ok').map((r) => r.sample.blob));
  const gone = new Set<number>();
  for (const i of doubtful) {
    const now = await chain.getBlob(targets[i]!.objectId);
    if (!now || now.state !== 'certified' || now.endEpoch <= state.epoch) gone.add(i);
  }
  const kept = targets.map((_, i) => i).filter((i) => !gone.has(i));
  if (kept.length === 0) throw new NothingToCheckError();

  const nodes = new Map<string, NodeCheck>();
  for (const m of members.values())
    nodes.set(m.nodeId, {
      nodeId: m.nodeId,
      name: m.name,
      url: m.url,
      shards: m.shards.length,
      stake: m.stake,
      asked: 0,
      ok: 0,
      missing: 0,
      corrupt: 0,
      unreachable: 0,
      bytes: 0,
      verdict: 'answered',
      detail: null,
    });
  /** Nodes that failed some sample of each blob. */
  const failedOn = targets.map(() => new Set<string>());
  let bytes = kept.reduce((total, i) => {
    const m = metadata[i];
    return total + (m ? encodeMetadata(m).length : 0);
  }, 0);
  for (const r of results) {
    if (gone.has(r.sample.blob)) continue;
    const node = nodes.get(r.sample.member.nodeId)!;
    node.asked++;
    node[r.outcome]++;
    node.bytes += r.read;
    bytes += r.read;
    if (r.outcome !== 'ok') {
      failedOn[r.sample.blob]!.add(node.nodeId);
      node.detail ??= r.detail;
    }
  }
  for (const node of nodes.values()) node.verdict = verdictOf(node);

  const blobChecks = kept.map((i): BlobCheck => {
    const b = targets[i]!;
    const serving = committees[i]!.filter((m) => {
      const node = nodes.get(m.nodeId);
      return node?.verdict === 'answered' && !failedOn[i]!.has(m.nodeId);
    }).map((m) => m.shards.length);
    const unavailable = metadata[i] === null;
    return {
      blobId: b.blobId,
      kind: b.attributes.kind ?? null,
      asked: samples.filter((s) => s.blob === i).length,
      bad: results.filter((r) => r.sample.blob === i && r.outcome !== 'ok').length,
      metadataUnavailable: unavailable,
      servingShards: unavailable ? 0 : serving.reduce((total, w) => total + w, 0),
      failuresTolerated: unavailable ? -1 : failuresTolerated(serving, n),
    };
  });
  const worst = blobChecks.reduce((a, b) => (b.failuresTolerated < a.failuresTolerated ? b : a));
  const list = [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    time: started,
    epoch: state.epoch,
    samplePercent: o.samplePercent,
    nShards: n,
    readShards: readThreshold(n),
    blobs: kept.length,
    slivers: results.filter((r) => !gone.has(r.sample.blob)).length,
    bytes,
    seconds: (Date.now() - started) / 1000,
    nodes: list,
    blobChecks,
    failuresTolerated: worst.failuresTolerated,
    worstBlob: worst.blobId,
    summary: summarise(list, worst.failuresTolerated),
  };
}

/**
 * For each node, `percent` % of the slivers it should hold over all the blobs (both kinds
 * of every pair of each of its shards), at least one, drawn uniformly without repeats.
 */
function drawSamples(committees: CommitteeMember[][], percent: number): Sample[] {
  const perNode = new Map<string, { member: CommitteeMember; slots: [number, number][] }>();
  committees.forEach((committee, blob) => {
    for (const m of committee)
      for (const shard of m.shards) {
        const entry = perNode.get(m.nodeId) ?? { member: m, slots: [] };
        entry.slots.push([blob, shard]);
        perNode.set(m.nodeId, entry);
      }
  });
  const samples: Sample[] = [];
  for (const { member, slots } of perNode.values()) {
    const total = slots.length * 2;
    const want = Math.min(total, Math.max(1, Math.round((total * percent) / 100)));
    for (const pick of pickDistinct(total, want)) {
      const [blob, shard] = slots[pick >> 1]!;
      samples.push({ blob, member, shard, kind: pick & 1 ? 'secondary' : 'primary' });
    }
  }
  return samples;
}

/** `k` distinct integers in [0, n), uniformly. */
function pickDistinct(n: number, k: number): number[] {
  if (k * 2 > n) {
    const all = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all.slice(0, k);
  }
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(randomInt(n));
  return [...chosen];
}

async function checkSliver(
  node: StorageNodeClient,
  blobId: string,
  metadata: BlobMetadata,
  s: Sample,
  n: number,
  request: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ outcome: SliverOutcome; detail: string | null; read: number }> {
  const pair = shardToPairIndex(s.shard, blobIdFromString(blobId), n);
  let bytes: Uint8Array;
  try {
    bytes = await node.getSliver(blobId, pair, s.kind, request);
  } catch (error) {
    if (request.signal?.aborted) throw error;
    if (error instanceof NodeRejectedError)
      return { outcome: 'missing', detail: error.message, read: 0 };
    if (error instanceof NodeUnavailableError)
      return { outcome: 'unreachable', detail: error.message, read: 0 };
    throw error;
  }
  try {
    verifySliver(metadata, pair, s.kind, bytes);
    return { outcome: 'ok', detail: null, read: bytes.length };
  } catch (error) {
    return {
      outcome: 'corrupt',
      detail: `the ${s.kind} sliver of pair ${pair} of blob ${blobId} it served does not match the blob's metadata: ${(error as Error).message}`,
      read: bytes.length,
    };
  }
}

/** A node is as good as its worst answer; one that answered nothing at all is unreachable. */
function verdictOf(n: NodeCheck): NodeVerdict {
  if (n.ok === 0 && n.unreachable > 0) return 'unreachable';
  if (n.corrupt > 0) return 'corrupt';
  if (n.missing > 0) return 'missing';
  if (n.unreachable > 0) return 'unreachable';
  return 'answered';
}

function summarise(nodes: NodeCheck[], margin: number): string {
  const bad = nodes.filter((n) => n.verdict !== 'answered');
  const answered = `${nodes.length - bad.length} of ${nodes.length} nodes answered`;
  const words = {
    missing: 'is missing slivers',
    corrupt: 'served corrupt slivers',
    unreachable: 'did not answer',
  };
  const head = bad.length
    ? `${answered}; ${bad.map((n) => `${n.name} ${words[n.verdict as keyof typeof words]}`).join(', ')}`
    : `all ${nodes.length} nodes answered`;
  const tail =
    margin < 0
      ? 'some data cannot be rebuilt from the nodes that answered'
      : margin === 0
        ? 'one more node failing could lose data'
        : `${margin} more node${margin === 1 ? '' : 's'} could fail before any data is lost`;
  return `${head}: ${tail}`;
}
