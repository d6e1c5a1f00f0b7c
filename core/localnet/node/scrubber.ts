/**
 * The scrub: a pass over the slivers on disk that finds the damaged ones — by their
 * checksum, or (for a full check, and for files older than checksums) by their Merkle
 * root in the blob's metadata — and removes them, so the recovery that follows fetches
 * them anew from the other nodes. A node scrubs at start, on a timer, and checks a blob
 * fully when a challenge on it fails.
 */
import { InvalidSliverError, verifySliver, type SliverKind } from '../../walrus/encoding/index.js';
import type { NodeApi } from './node-api.js';
import { CorruptSliverError, type SliverStore } from './sliver-store.js';

export interface ScrubResult {
  blobs: number;
  slivers: number;
  damaged: { blobId: string; pair: number; kind: SliverKind; why: string }[];
  /** Blobs with a damaged (now removed) sliver: what to recover. */
  damagedBlobs: string[];
}

export class Scrubber {
  constructor(
    private readonly store: SliverStore,
    private readonly api: NodeApi,
  ) {}

  async scrub(
    blobIds: string[],
    stopped: () => boolean,
    o: { full?: boolean } = {},
  ): Promise<ScrubResult> {
    const result: ScrubResult = { blobs: 0, slivers: 0, damaged: [], damagedBlobs: [] };
    for (const blobId of blobIds) {
      if (stopped()) break;
      result.blobs++;
      let damaged = false;
      for (const { pair, kind } of await this.store.sliversOf(blobId)) {
        result.slivers++;
        const why = await this.check(blobId, pair, kind, o.full ?? false);
        if (!why) continue;
        damaged = true;
        result.damaged.push({ blobId, pair, kind, why });
        await this.store.removeSliver(blobId, pair, kind);
      }
      if (damaged) result.damagedBlobs.push(blobId);
    }
    return result;
  }

  /** Why the sliver is damaged, or null when it is sound. */
  private async check(
    blobId: string,
    pair: number,
    kind: SliverKind,
    full: boolean,
  ): Promise<string | null> {
    let stored;
    try {
      stored = await this.store.readSliver(blobId, pair, kind);
    } catch (error) {
      if (error instanceof CorruptSliverError) return 'its checksum does not match';
      throw error;
    }
    if (!stored) return null;
    if (stored.checksummed && !full) return null;
    const metadata = await this.api.storedMetadata(blobId).catch(() => null);
    // Without metadata nothing can vouch for the sliver; the recovery fetches both.
    if (!metadata) return 'the blob metadata is missing or unreadable';
    try {
      verifySliver(metadata, pair, kind, stored.bytes);
    } catch (error) {
      if (error instanceof InvalidSliverError) return error.reason;
      throw error;
    }
    // A sound file from before checksums gets one, so the next pass is cheap.
    if (!stored.checksummed) await this.store.putSliver(blobId, pair, kind, stored.bytes);
    return null;
  }
}
