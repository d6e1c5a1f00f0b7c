/**
 * Reading a blob: the committee that holds it (`read-committee.ts`: the previous one while
 * shards move, for blobs certified before) → verified metadata from any of its nodes →
 * primary slivers from enough nodes,
 * systematic ones first (decoding them is a copy), each verified against the metadata
 * (or, for a blob its reader authenticates, only if the reader refuses it: `readAndOpen`),
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
  return readFromCommittees(ctx, blobIdText, null, o);
}

/**
 * Reads a blob whose bytes `open` authenticates — decrypting an AEAD under a key no
 * storage node holds, say — and returns what `open` makes of them; `open` is given the
 * blob as parts whose concatenation it is (core/repo/byte-parts.ts). The slivers are then
 * not verified one by one as they arrive (re-encoding each and hashing its n symbols:
 * about a twentieth of a restore's CPU): `open` refusing the decoded bytes, or decoding
 * failing, is what sends the slivers already fetched through that verification, the
 * damaged ones replaced, and `open` given the bytes again. Slivers that pass it are the
 * blob's own, so an error from `open` then is the caller's to report.
 */
export async function readAndOpen<T>(
  ctx: ReadContext,
  blobIdText: string,
  open: (parts: Uint8Array[]) => T,
  o: ReadOptions = {},
): Promise<T> {
  return readFromCommittees(ctx, blobIdText, open, o);
}

async function readFromCommittees<T>(
  ctx: ReadContext,
  blobIdText: string,
  open: ((parts: Uint8Array[]) => T) | null,
  o: ReadOptions,
): Promise<T> {
  const state = await ctx.chain.systemState();
  const committees = await readCommittees(ctx, state, blobIdText, o.signal);
  for (const [i, committee] of committees.entries()) {
    try {
      return await readFrom(ctx, state.nShards, committee, blobIdText, open, o);
    } catch (error) {
      // A committee that turned out not to hold it (see readCommittees): the next one.
      const absent =
        error instanceof NotEnoughSliversError || error instanceof BlobMetadataUnavailableError;
      if (!absent || i === committees.length - 1 || o.signal?.aborted) throw error;
    }
  }
  throw new Error('unreachable: readCommittees returns at least one committee');
}

async function readFrom<T>(
  ctx: ReadContext,
  n: number,
  committee: CommitteeMember[],
  blobIdText: string,
  open: ((parts: Uint8Array[]) => T) | null,
  o: ReadOptions,
): Promise<T> {
  const blobId = blobIdFromString(blobIdText);
  const urlOfShard = new Map<number, string>();
  for (const m of committee) for (const s of m.shards) urlOfShard.set(s, m.url);

  const metadata = await fetchMetadata(
    ctx,
    blobIdText,
    blobId,
    committee.map((m) => m.url),
    o.signal,
  );
  const gather = new SliverGathering(ctx, n, blobId, blobIdText, metadata, urlOfShard, o);
  const { unencodedLength } = metadata;
  if (!open)
    return (await ctx.pool.decode(n, blobId, unencodedLength, await gather.verified())) as T;
  // The opener reads the blob as parts: the systematic slivers' data, not a copy of it.
  const decode = (slivers: Uint8Array[]) =>
    ctx.pool.decodeParts(n, blobId, unencodedLength, slivers);
  const unverified = await gather.unverified();
  try {
    return open(await decode(unverified));
  } catch (error) {
    if (o.signal?.aborted) throw error;
  }
  return open(await decode(await gather.verified()));
}

/**
 * Primary slivers of one blob from the committee's nodes: systematic pairs first (decoding
 * them is a copy), the rest in random order so load spreads, a spare request started for
 * every failure and for every request that lags.
 */
class SliverGathering {
  private readonly need: number;
  private readonly candidates: number[];
  private next = 0;
  /** Slivers fetched and not (yet) found damaged, with their pair. */
  private held: { pair: number; bytes: Uint8Array; verified: boolean }[] = [];
  private readonly failures: string[] = [];
  /** Slivers served that failed verification: damage, unlike a node that did not answer. */
  private corrupt = 0;

  constructor(
    private readonly ctx: ReadContext,
    private readonly n: number,
    private readonly blobId: Uint8Array,
    private readonly blobIdText: string,
    private readonly metadata: BlobMetadata,
    private readonly urlOfShard: Map<number, string>,
    private readonly o: ReadOptions,
  ) {
    this.need = new EncodingConfig(n).primarySourceSymbols;
    this.candidates = Array.from({ length: n }, (_, i) => i);
    const rest = this.candidates.splice(this.need);
    shuffle(rest);
    this.candidates.push(...rest);
  }

  /** Enough slivers, each as its node sent it. */
  unverified(): Promise<Uint8Array[]> {
    return this.fill(false);
  }

  /** Enough slivers, each verified against the metadata (those held first, then more). */
  verified(): Promise<Uint8Array[]> {
    this.held = this.held.filter((s) => s.verified || this.verify(s.pair, s.bytes));
    return this.fill(true);
  }

  private verify(pair: number, bytes: Uint8Array): boolean {
    try {
      verifySliver(this.metadata, pair, 'primary', bytes);
      return true;
    } catch (error) {
      if (!(error instanceof InvalidSliverError)) throw error;
      this.corrupt++;
      this.failures.push(`pair ${pair}: ${error.message}`);
      return false;
    }
  }

  private async fill(verify: boolean): Promise<Uint8Array[]> {
    const { need, candidates, o } = this;
    const done = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, done.signal]) : done.signal;
    let inFlight = 0;
    await new Promise<void>((resolve, reject) => {
      const settleIfFinished = () => {
        if (this.held.length >= need) {
          done.abort();
          resolve();
        } else if (this.next >= candidates.length && inFlight === 0) {
          reject(
            new NotEnoughSliversError(
              this.blobIdText,
              this.held.length,
              need,
              this.failures,
              this.corrupt,
              this.n,
            ),
          );
        }
      };
      const launch = () => {
        if (this.next >= candidates.length || this.held.length >= need) return settleIfFinished();
        const pair = candidates[this.next++]!;
        const url = this.urlOfShard.get(pairIndexToShard(pair, this.blobId, this.n))!;
        inFlight++;
        let hedged = false;
        const hedge = setTimeout(() => {
          hedged = true;
          launch();
        }, o.hedgeAfterMs ?? 2_000);
        this.ctx.limiter
          .run(() =>
            this.ctx.nodeClient(url).getSliver(this.blobIdText, pair, 'primary', { signal }),
          )
          .then((bytes) => {
            // One that answered after this gathering ended belongs to no one.
            if (done.signal.aborted) return;
            if (verify) verifySliver(this.metadata, pair, 'primary', bytes);
            if (this.held.length < need) this.held.push({ pair, bytes, verified: verify });
            o.onProgress?.({ slivers: this.held.length, needed: need });
          })
          .catch((error: unknown) => {
            if (done.signal.aborted) return;
            if (o.signal?.aborted) return reject(error);
            if (error instanceof InvalidSliverError) this.corrupt++;
            this.failures.push(`pair ${pair} at ${url}: ${(error as Error).message}`);
            if (!hedged) launch();
          })
          .finally(() => {
            clearTimeout(hedge);
            inFlight--;
            settleIfFinished();
          });
      };
      for (let i = this.held.length; i < need; i++) launch();
      settleIfFinished();
    });
    return this.held.map((s) => s.bytes);
  }
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
