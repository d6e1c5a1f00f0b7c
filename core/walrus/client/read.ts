/**
 * Reading a blob: the committee that holds it (`read-committee.ts`: the previous one while
 * shards move, for blobs certified before) → verified metadata from any of its nodes →
 * primary slivers from enough nodes,
 * systematic ones first (decoding them is a copy), each verified against the metadata,
 * with a spare request started for every failure and for every request that lags →
 * decode in the worker pool.
 */
import type { CommitteeMember, ReadChain } from '../chain/chain.js';
import {
  blobIdFromMetadata,
  blobIdFromString,
  blobIdToString,
  decodeMetadataWithId,
  EncodingConfig,
  InvalidSliverError,
  verifySliver,
  type BlobMetadata,
  type CodecPool,
} from '../encoding/index.js';
import { pairIndexToShard } from '../shards.js';
import { StorageNodeClient } from '../storage-node-client.js';
import { BlobMetadataUnavailableError, NotEnoughSliversError } from './errors.js';
import type { ConcurrencyLimiter } from './limiter.js';
import { readCommittees } from './read-committee.js';

export interface ReadOptions {
  signal?: AbortSignal;
  /** Start a spare request when one has run this long without an answer. */
  hedgeAfterMs?: number;
  onProgress?: (p: { slivers: number; needed: number }) => void;
}

export interface ReadContext {
  chain: ReadChain;
  pool: CodecPool;
  limiter: ConcurrencyLimiter;
  nodeClient: (url: string) => StorageNodeClient;
}

export async function readBlob(
  ctx: ReadContext,
  blobIdText: string,
  o: ReadOptions = {},
): Promise<Uint8Array> {
  const state = await ctx.chain.systemState();
  const committees = await readCommittees(ctx, state, blobIdText, o.signal);
  for (const [i, committee] of committees.entries()) {
    try {
      return await readFrom(ctx, state.nShards, committee, blobIdText, o);
    } catch (error) {
      // A committee that turned out not to hold it (see readCommittees): the next one.
      const absent =
        error instanceof NotEnoughSliversError || error instanceof BlobMetadataUnavailableError;
      if (!absent || i === committees.length - 1 || o.signal?.aborted) throw error;
    }
  }
  throw new Error('unreachable: readCommittees returns at least one committee');
}

async function readFrom(
  ctx: ReadContext,
  n: number,
  committee: CommitteeMember[],
  blobIdText: string,
  o: ReadOptions,
): Promise<Uint8Array> {
  const blobId = blobIdFromString(blobIdText);
  const need = new EncodingConfig(n).primarySourceSymbols;
  const urlOfShard = new Map<number, string>();
  for (const m of committee) for (const s of m.shards) urlOfShard.set(s, m.url);

  const metadata = await fetchMetadata(
    ctx,
    blobIdText,
    blobId,
    committee.map((m) => m.url),
    o.signal,
  );

  // Systematic pairs first, the rest in random order so load spreads over nodes.
  const candidates = Array.from({ length: n }, (_, i) => i);
  const rest = candidates.splice(need);
  shuffle(rest);
  candidates.push(...rest);

  const slivers: Uint8Array[] = [];
  const failures: string[] = [];
  /** Slivers served that failed verification: damage, unlike a node that did not answer. */
  let corrupt = 0;
  const done = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, done.signal]) : done.signal;
  let next = 0;
  let inFlight = 0;

  await new Promise<void>((resolve, reject) => {
    const settleIfFinished = () => {
      if (slivers.length >= need) {
        done.abort();
        resolve();
      } else if (next >= candidates.length && inFlight === 0) {
        reject(new NotEnoughSliversError(blobIdText, slivers.length, need, failures, corrupt, n));
      }
    };
    const launch = () => {
      if (next >= candidates.length || slivers.length >= need) return settleIfFinished();
      const pair = candidates[next++]!;
      const url = urlOfShard.get(pairIndexToShard(pair, blobId, n))!;
      inFlight++;
      let hedged = false;
      const hedge = setTimeout(() => {
        hedged = true;
        launch();
      }, o.hedgeAfterMs ?? 2_000);
      ctx.limiter
        .run(() => ctx.nodeClient(url).getSliver(blobIdText, pair, 'primary', { signal }))
        .then((bytes) => {
          verifySliver(metadata, pair, 'primary', bytes);
          if (slivers.length < need) slivers.push(bytes);
          o.onProgress?.({ slivers: slivers.length, needed: need });
        })
        .catch((error: unknown) => {
          if (done.signal.aborted) return;
          if (o.signal?.aborted) return reject(error);
          if (error instanceof InvalidSliverError) corrupt++;
          failures.push(`pair ${pair} at ${url}: ${(error as Error).message}`);
          if (!hedged) launch();
        })
        .finally(() => {
          clearTimeout(hedge);
          inFlight--;
          settleIfFinished();
        });
    };
    for (let i = 0; i < need; i++) launch();
  });

  return ctx.pool.decode(n, blobId, metadata.unencodedLength, slivers);
}

/** A blob's metadata from the first of `urls` (shuffled) whose answer matches the blob id. */
export async function fetchMetadata(
  ctx: Pick<ReadContext, 'nodeClient'>,
  text: string,
  blobId: Uint8Array,
  urls: string[],
  signal?: AbortSignal,
): Promise<BlobMetadata> {
  const failures: string[] = [];
  for (const url of shuffle(urls.slice())) {
    try {
      const bytes = await ctx.nodeClient(url).getMetadata(text, signal ? { signal } : {});
      const { blobId: claimed, metadata } = decodeMetadataWithId(bytes);
      // The id commits to the metadata: a node cannot hand out metadata of its own making.
      if (
        blobIdToString(claimed) !== text ||
        blobIdToString(blobIdFromMetadata(metadata)) !== blobIdToString(blobId)
      ) {
        throw new Error('the metadata does not match the blob id');
      }
      return metadata;
    } catch (error) {
      if (signal?.aborted) throw error;
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new BlobMetadataUnavailableError(text, failures);
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
