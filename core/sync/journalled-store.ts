/**
 * Storing Floe's blobs so that a crash at any point leaves nothing referenced twice and
 * nothing paid for in vain: each store runs under a journal entry that learns the blob
 * id before anything is bought and is completed in the same index transaction that
 * makes the blob referenced (see recovery.ts for what happens to one left pending).
 */
import type { Index } from '../index/index.js';
import { sealIndex, splitIndex, type IndexedPack } from '../repo/index-blob.js';
import { EncodingConfig } from '../walrus/encoding/config.js';
import type { RepoKeys } from '../repo/keys.js';
import type { SealedPack } from '../repo/pack.js';
import type { WalrusClient } from '../walrus/client/client.js';
import type { StoredBlob, StoreProgress } from '../walrus/client/store.js';
import { blobAttributes, type BlobKind } from './attributes.js';
import { PROCESS_RUN, STORE_JOURNAL } from './recovery.js';

export interface StoreContext {
  index: Index;
  client: WalrusClient;
  /** Epochs each new blob is paid for. */
  epochs: number;
  onStore?: (p: StoreProgress) => void;
}

/**
 * Stores one of the backup's blobs under a journal entry that learns the blob id before
 * anything is bought, so a crash before the index commit leaves a record that
 * `recoverInterruptedStores` turns into a deletion instead of an orphan paid for.
 */
export async function storeJournalled(
  ctx: StoreContext,
  bytes: Uint8Array,
  kind: BlobKind,
): Promise<StoredBlob & { journal: number }> {
  const journal = ctx.index.begin(STORE_JOURNAL, { kind, process: PROCESS_RUN });
  // The bytes go to a worker thread: nothing here reads them again.
  const stored = await ctx.client.store(bytes, {
    epochs: ctx.epochs,
    deletable: true,
    attributes: blobAttributes(kind),
    onEncoded: (blobId) => ctx.index.updateJournal(journal, { kind, blobId, process: PROCESS_RUN }),
    ...(ctx.onStore ? { onProgress: ctx.onStore } : {}),
  });
  // What this store saw certify it, kept beside what the chain records (core/sync/proof.ts).
  ctx.index.recordCertification({
    blobId: stored.blobId,
    objectId: stored.objectId,
    ...stored.certification,
  });
  return { ...stored, journal };
}

export async function storePack(ctx: StoreContext, pack: SealedPack): Promise<IndexedPack> {
  const { index } = ctx;
  const size = pack.bytes.length;
  const stored = await storeJournalled(ctx, pack.bytes, 'pack');
  const journal = stored.journal;
  index.transaction(() => {
    index.addPack(
      {
        id: pack.packId,
        blobId: stored.blobId,
        objectId: stored.objectId,
        plainSize: size,
        encodedSize: null,
        endEpoch: stored.endEpoch,
        totalBytes: pack.entries.reduce((n, e) => n + e.length, 0),
        deletable: true,
        createdAt: Date.now(),
        certifiedEpoch: null,
      },
      pack.entries.map((e) => ({ id: e.id, offset: e.offset, length: e.length, kind: e.kind })),
    );
    index.setPackState(pack.packId, 'stored');
    index.setPackState(pack.packId, 'certified', { endEpoch: stored.endEpoch });
    index.complete(journal);
  });
  return { blobId: stored.blobId, packId: pack.packId, entries: pack.entries };
}

/** An index blob stored under its journal entry, and the packs it lists. */
export type StoredIndexBlob = StoredBlob & { journal: number; packIds: Uint8Array[] };

/**
 * Stores index blobs listing every certified pack no committed index blob lists yet —
 * this run's packs, and those of a run killed before its own index blobs were committed —
 * so a pack the local index dedups against is always findable by a new machine. Usually
 * one blob; more when the list outgrows the network's largest blob. The caller commits
 * them all with `commitIndexBlob` in the transaction that references them.
 */
export async function storeIndexOfUnlistedPacks(
  ctx: StoreContext & { keys: RepoKeys },
): Promise<StoredIndexBlob[]> {
  const unlisted = ctx.index.unlistedPacks();
  if (unlisted.length === 0) return [];
  const packs: IndexedPack[] = unlisted.map((p) => ({
    blobId: p.blobId!,
    packId: p.id,
    entries: ctx.index.packChunks(p.id),
  }));
  const { nShards } = await ctx.client.chain.systemState();
  const stored: StoredIndexBlob[] = [];
  for (const part of splitIndex(packs, new EncodingConfig(nShards).maxBlobSize)) {
    const blob = await storeJournalled(ctx, sealIndex(ctx.keys, part), 'index');
    stored.push({ ...blob, packIds: part.map((p) => p.packId) });
  }
  return stored;
}

export function commitIndexBlob(
  index: Index,
  blob: { blobId: string; journal: number; packIds: Uint8Array[] },
): void {
  index.markListed(blob.packIds, blob.blobId);
  index.complete(blob.journal);
}
