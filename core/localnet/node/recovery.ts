/**
 * Sliver recovery: a node that was down while a blob was written, lost a file, or was
 * given a new shard fetches what it is missing from the other nodes. It rebuilds the
 * blob from n − 2f verified primary slivers and re-encodes it — the simple route; RedStuff
 * also allows rebuilding one sliver from f + 1 symbols, which later work can adopt.
 */
import type { ReadChain } from '../../walrus/chain/chain.js';
import {
  blobIdFromMetadata,
  blobIdFromString,
  blobIdToString,
  decodeBlob,
  decodeMetadataWithId,
  encodeBlob,
  encodeMetadataWithId,
  EncodingConfig,
  verifySliver,
  type BlobMetadata,
} from '../../walrus/encoding/index.js';
import { pairIndexToShard, shardToPairIndex } from '../../walrus/shards.js';
import { StorageNodeClient } from '../../walrus/storage-node-client.js';
import type { SliverStore } from './sliver-store.js';

export interface RecoveryResult {
  blobId: string;
  recoveredPairs: number[];
}

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
): Promise<RecoveryResult> {
  const state = await chain.systemState();
  const n = state.nShards;
  const id = blobIdFromString(blobId);
  const peers = state.committee.filter((m) => m.nodeId !== selfNodeId);
  const metadata = await peerMetadata(
    peers.map((p) => p.url),
    blobId,
  );
  const k = new EncodingConfig(n).primarySourceSymbols;
  const urlOfShard = new Map<number, string>();
  for (const m of peers) for (const s of m.shards) urlOfShard.set(s, m.url);

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
  return { blobId, recoveredPairs: pairs };
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
