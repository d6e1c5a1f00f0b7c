/**
 * Sliver recovery: a node that was down while a blob was written, lost or damaged a file,
 * or was given a new shard fetches what it is missing from the other nodes, by one of
 * two routes:
 *
 * - symbols (RedStuff's own): each missing sliver is rebuilt from one proven symbol of
 *   each of enough slivers of the other axis (n − f for a primary sliver, n − 2f for a
 *   secondary one), asked of every peer with `/recoverySymbols`; a few slivers' worth of
 *   bytes moves, and each symbol is checked against the metadata before it is used;
 * - blob: n − 2f verified primary slivers are fetched, the blob decoded and re-encoded,
 *   and the missing slivers taken from the result — the whole blob moves and is encoded.
 *
 * Symbols win when a few pairs are missing (a damaged file), the blob route when most of
 * a node's share is (a node down during the write): see `SYMBOL_ROUTE_MAX_PAIRS`.
 *
 * Shard sync: a node given new shards at an epoch change syncs them from their previous
 * holder — who keeps serving them until the change is done — fetching each blob's slivers
 * of the shard and checking them against the metadata; what the previous holder cannot
 * give it recovers, asking the previous holder too for shards still moving to it.
 */
import type { CommitteeMember, ReadChain, SystemState } from '../../walrus/chain/chain.js';
import {
  blobIdFromMetadata,
  blobIdFromString,
  blobIdToString,
  decodeBlob,
  decodeMetadataWithId,
  encodeBlob,
  encodeMetadataWithId,
  EncodingConfig,
  encodeSliver,
  sliverIndex,
  sourceSymbolCount,
  verifyDecodedSliver,
  verifySliver,
  type BlobMetadata,
  type SliverKind,
} from '../../walrus/encoding/index.js';
import { parsedDecodingSymbols, rebuildSliver, verifiedRecoverySymbols } from './symbols.js';
import { pairIndexToShard, shardToPairIndex } from '../../walrus/shards.js';
import { StorageNodeClient } from '../../walrus/storage-node-client.js';
import { requestShardSlivers } from './shard-sync.js';
import type { SliverStore } from './sliver-store.js';

export interface RecoveryResult {
  blobId: string;
  recoveredPairs: number[];
  route: 'symbols' | 'blob';
}

/**
 * Most missing pairs recovered by symbols. Each pair costs two requests to every peer,
 * and each peer expands one sliver per shard it holds to answer; past a few pairs one
 * blob decode and encode is cheaper (measured: README, "What the localnet is").
 */
export const SYMBOL_ROUTE_MAX_PAIRS = 2;

export class RecoveryFailedError extends Error {
  constructor(blobId: string, reason: string) {
    super(`could not recover blob ${blobId}: ${reason}`);
    this.name = 'RecoveryFailedError';
  }
}

/** Pairs of `blobId` this node should hold (both slivers) but does not. */
export async function missingPairs(
  store: SliverStore,
  blobId: string,
  shards: number[],
  nShards: number,
): Promise<number[]> {
  const id = blobIdFromString(blobId);
  const missing: number[] = [];
  for (const shard of shards) {
    const pair = shardToPairIndex(shard, id, nShards);
    const complete =
      (await store.hasSliver(blobId, pair, 'primary')) &&
      (await store.hasSliver(blobId, pair, 'secondary')) &&
      (await store.getMetadata(blobId)) !== null;
    if (!complete) missing.push(pair);
  }
  return missing;
}

export async function recoverBlob(
  chain: ReadChain,
  store: SliverStore,
  selfNodeId: string,
  blobId: string,
  pairs: number[],
  route: 'symbols' | 'blob' = pairs.length <= SYMBOL_ROUTE_MAX_PAIRS ? 'symbols' : 'blob',
): Promise<RecoveryResult> {
  const state = await chain.systemState();
  const peers = state.committee.filter((m) => m.nodeId !== selfNodeId);
  const own = await store.getMetadata(blobId);
  // Metadata on disk was verified when it was stored; else any peer's, checked by its id.
  const metadata = own
    ? decodeMetadataWithId(own).metadata
    : await peerMetadata(
        peers.map((p) => p.url),
        blobId,
      );
  if (route === 'symbols') {
    try {
      const rebuilt = [];
      for (const pair of pairs)
        for (const kind of ['primary', 'secondary'] as const)
          if (!(await store.hasSliver(blobId, pair, kind)))
            rebuilt.push({
              pair,
              kind,
              bytes: await bySymbols(peers, blobId, metadata, pair, kind),
            });
      if (!own)
        await store.putMetadata(blobId, encodeMetadataWithId(blobIdFromString(blobId), metadata));
      for (const r of rebuilt) await store.putSliver(blobId, r.pair, r.kind, r.bytes);
      return { blobId, recoveredPairs: pairs, route };
    } catch {
      // Too few peers answered with valid symbols: the blob route asks for less of each.
    }
  }
  return byBlob(state, selfNodeId, store, blobId, metadata, pairs);
}

/**
 * The `kind` sliver of `pair`, rebuilt from peers' symbols and verified. A source sliver
 * (one of the blob's own rows or columns) is first tried from decoding symbols, which a
 * peer copies out of its slivers as they are; without proofs a wrong one shows only in
 * the result, and then proven recovery symbols — for which each peer expands its
 * slivers and builds their Merkle trees — are asked for instead.
 */
async function bySymbols(
  peers: CommitteeMember[],
  blobId: string,
  metadata: BlobMetadata,
  pair: number,
  kind: SliverKind,
): Promise<Uint8Array> {
  const n = metadata.hashes.length;
  const config = new EncodingConfig(n);
  const index = sliverIndex(kind, pair, n);
  const sourceSlivers =
    kind === 'primary' ? config.primarySourceSymbols : config.secondarySourceSymbols;
  if (index < sourceSlivers) {
    try {
      return await fromDecodingSymbols(peers, blobId, metadata, pair, kind);
    } catch {
      // Too few answered, or one lied: the proven route below tells who.
    }
  }
  const need = sourceSymbolCount(kind, config);
  const symbols = new Map<number, Uint8Array>();
  await Promise.all(
    peers.map(async (m) => {
      try {
        const bytes = await new StorageNodeClient(m.url).getRecoverySymbols(blobId, kind, index, {
          timeoutMs: 10_000,
        });
        for (const s of verifiedRecoverySymbols(bytes, metadata, kind, index))
          symbols.set(s.sourceIndex, s.data);
      } catch {
        // A dead or lying peer: the others may be enough.
      }
    }),
  );
  if (symbols.size < need)
    throw new RecoveryFailedError(
      blobId,
      `only ${symbols.size} of ${need} symbols could be fetched`,
    );
  return rebuilt(metadata, pair, kind, index, symbols);
}

/** The sliver rebuilt from `symbols` (source index → symbol), verified against the metadata, as stored. */
function rebuilt(
  metadata: BlobMetadata,
  pair: number,
  kind: SliverKind,
  index: number,
  symbols: Map<number, Uint8Array>,
): Uint8Array {
  const sliver = rebuildSliver(
    metadata,
    kind,
    index,
    [...symbols].map(([sourceIndex, data]) => ({ sourceIndex, data })),
  );
  verifyDecodedSliver(metadata, pair, kind, sliver);
  return encodeSliver(sliver);
}

async function fromDecodingSymbols(
  peers: CommitteeMember[],
  blobId: string,
  metadata: BlobMetadata,
  pair: number,
  kind: SliverKind,
): Promise<Uint8Array> {
  const n = metadata.hashes.length;
  const index = sliverIndex(kind, pair, n);
  const symbols = new Map<number, Uint8Array>();
  await Promise.all(
    peers.map(async (m) => {
      try {
        const bytes = await new StorageNodeClient(m.url).getDecodingSymbols(blobId, kind, [index], {
          timeoutMs: 10_000,
        });
        for (const s of parsedDecodingSymbols(bytes, metadata, kind, index))
          symbols.set(s.sourceIndex, s.data);
      } catch {
        // The proven route covers for a peer that does not answer.
      }
    }),
  );
  return rebuilt(metadata, pair, kind, index, symbols);
}

async function byBlob(
  state: SystemState,
  selfNodeId: string,
  store: SliverStore,
  blobId: string,
  metadata: BlobMetadata,
  pairs: number[],
): Promise<RecoveryResult> {
  const n = state.nShards;
  const id = blobIdFromString(blobId);
  const k = new EncodingConfig(n).primarySourceSymbols;
  // While shards move, a shard that came to this node is still held by its previous owner.
  const urlOfShard = holders(state, selfNodeId);

  const slivers: Uint8Array[] = [];
  for (let pair = 0; pair < n && slivers.length < k; pair++) {
    const url = urlOfShard.get(pairIndexToShard(pair, id, n));
    if (!url) continue;
    try {
      const bytes = await new StorageNodeClient(url).getSliver(blobId, pair, 'primary', {
        timeoutMs: 10_000,
      });
      verifySliver(metadata, pair, 'primary', bytes);
      slivers.push(bytes);
    } catch {
      // A dead or lying peer: the next pair comes from another node.
    }
  }
  if (slivers.length < k)
    throw new RecoveryFailedError(
      blobId,
      `only ${slivers.length} of ${k} primary slivers could be fetched`,
    );
  const encoded = encodeBlob(n, decodeBlob(n, id, metadata.unencodedLength, slivers));
  if (blobIdToString(encoded.blobId) !== blobId)
    throw new RecoveryFailedError(blobId, 'the re-encoded blob has another id');
  await store.putMetadata(blobId, encodeMetadataWithId(id, metadata));
  for (const pair of pairs) {
    await store.putSliver(blobId, pair, 'primary', encoded.primary[pair]!);
    await store.putSliver(blobId, pair, 'secondary', encoded.secondary[pair]!);
  }
  return { blobId, recoveredPairs: pairs, route: 'blob' };
}

async function peerMetadata(urls: string[], blobId: string): Promise<BlobMetadata> {
  for (const url of urls) {
    try {
      const { blobId: claimed, metadata } = decodeMetadataWithId(
        await new StorageNodeClient(url).getMetadata(blobId, { timeoutMs: 10_000 }),
      );
      if (
        blobIdToString(claimed) === blobId &&
        blobIdToString(blobIdFromMetadata(metadata)) === blobId
      )
        return metadata;
    } catch {
      // try the next peer
    }
  }
  throw new RecoveryFailedError(blobId, 'no peer returned valid metadata');
}

/** Who to ask for each shard: its holder, or while shards move to this node, the previous one. */
function holders(state: SystemState, selfNodeId: string): Map<number, string> {
  const urls = new Map<number, string>();
  for (const m of state.previousCommittee ?? [])
    if (m.nodeId !== selfNodeId) for (const s of m.shards) urls.set(s, m.url);
  for (const m of state.committee)
    if (m.nodeId !== selfNodeId) for (const s of m.shards) urls.set(s, m.url);
  return urls;
}

/** Shards this node holds in the current epoch that another node held in the previous one. */
export function gainedShards(
  state: SystemState,
  selfNodeId: string,
): { shard: number; from: CommitteeMember }[] {
  const mine = state.committee.find((m) => m.nodeId === selfNodeId)?.shards ?? [];
  const previous = new Map<number, CommitteeMember>();
  for (const m of state.previousCommittee ?? []) for (const s of m.shards) previous.set(s, m);
  return mine.flatMap((shard) => {
    const from = previous.get(shard);
    return from && from.nodeId !== selfNodeId ? [{ shard, from }] : [];
  });
}

export interface ShardSync {
  chain: ReadChain;
  store: SliverStore;
  selfNodeId: string;
  /** This node's BLS key: a shard-sync request is signed with it. */
  bls: { secretKey: Uint8Array; publicKey: Uint8Array };
  /** Certified blobs the chain has announced; only live ones are synced. */
  blobIds: string[];
  /** Waits before fetching more after `bytes` came: a cap, so a sync does not starve the node. */
  throttle?: (bytes: number) => Promise<void>;
  /** Stops between blobs when it returns true (the node is shutting down). */
  stopped: () => boolean;
}

export interface ShardSyncResult {
  synced: number;
  recovered: number;
  failed: string[];
}

/**
 * Fetches the slivers of every shard this node gained at the current epoch change from the
 * shard's previous holder (`/v1/migrate/sync_shard`), each verified against its blob's
 * metadata; recovers what the holder did not hand over.
 */
export async function syncShards(o: ShardSync, state: SystemState): Promise<ShardSyncResult> {
  const result: ShardSyncResult = { synced: 0, recovered: 0, failed: [] };
  const gained = gainedShards(state, o.selfNodeId);
  if (gained.length === 0 || o.blobIds.length === 0) return result;
  const n = state.nShards;
  const wanted = new Set(o.blobIds);
  const metadata = new Map<string, BlobMetadata>();
  /** Pairs still missing, per blob: what the previous holders did not hand over. */
  const missing = new Map<string, Set<number>>();
  for (const { shard, from } of gained) {
    for (const blobId of o.blobIds) {
      const pair = shardToPairIndex(shard, blobIdFromString(blobId), n);
      if (
        !(await o.store.hasSliver(blobId, pair, 'primary')) ||
        !(await o.store.hasSliver(blobId, pair, 'secondary'))
      )
        missing.set(blobId, (missing.get(blobId) ?? new Set()).add(pair));
    }
    for (const kind of ['primary', 'secondary'] as const) {
      // The shard's slivers of every certified blob, a batch at a time in blob-id order.
      let start = blobIdToString(new Uint8Array(32));
      for (;;) {
        if (o.stopped()) return result;
        let batch: Awaited<ReturnType<typeof requestShardSlivers>>;
        try {
          batch = await requestShardSlivers(from.url, o.bls, {
            shard,
            kind,
            startingBlobId: start,
            count: SYNC_BATCH,
            epoch: state.epoch,
          });
        } catch {
          break; // the holder is down or has nothing: recovery covers what is missing
        }
        for (const item of batch) {
          if (!wanted.has(item.blobId) || item.kind !== kind) continue;
          const pair = shardToPairIndex(shard, blobIdFromString(item.blobId), n);
          if (await o.store.hasSliver(item.blobId, pair, kind)) continue;
          try {
            const meta =
              metadata.get(item.blobId) ??
              (await storedOrPeerMetadata(o.store, item.blobId, [
                from.url,
                ...state.committee.map((m) => m.url),
              ]));
            metadata.set(item.blobId, meta);
            await o.throttle?.(item.sliver.length);
            verifySliver(meta, pair, kind, item.sliver);
            await o.store.putSliver(item.blobId, pair, kind, item.sliver);
            result.synced++;
          } catch {
            // A sliver that does not verify is recovered instead.
          }
        }
        if (batch.length < SYNC_BATCH) break;
        start = blobIdToString(nextBlobId(blobIdFromString(batch.at(-1)!.blobId)));
      }
    }
  }
  for (const [blobId, pairs] of missing) {
    if (o.stopped()) return result;
    const still: number[] = [];
    for (const pair of pairs)
      if (
        !(await o.store.hasSliver(blobId, pair, 'primary')) ||
        !(await o.store.hasSliver(blobId, pair, 'secondary'))
      )
        still.push(pair);
    if (still.length === 0) continue;
    try {
      await recoverBlob(o.chain, o.store, o.selfNodeId, blobId, still);
      result.recovered += still.length;
    } catch (error) {
      result.failed.push(`${blobId}: ${(error as Error).message}`);
    }
  }
  return result;
}

/** Slivers asked of a previous holder per request (its limit is `MAX_SLIVERS_PER_SYNC_REQUEST`). */
const SYNC_BATCH = 100;

/** The blob id after `id` in byte order: the next batch starts there. */
function nextBlobId(id: Uint8Array): Uint8Array {
  const next = Uint8Array.from(id);
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 255) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

async function storedOrPeerMetadata(
  store: SliverStore,
  blobId: string,
  urls: string[],
): Promise<BlobMetadata> {
  const stored = await store.getMetadata(blobId);
  if (stored) return decodeMetadataWithId(stored).metadata;
  const metadata = await peerMetadata(urls, blobId);
  await store.putMetadata(blobId, encodeMetadataWithId(blobIdFromString(blobId), metadata));
  return metadata;
}
