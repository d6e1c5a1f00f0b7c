/**
 * Finishing what a killed backup left behind. Every blob a backup stores is bracketed
 * by a journal entry that records its blob id before anything is bought; the entry is
 * completed in the same index transaction that makes the blob referenced. An entry
 * still pending at the next start therefore names a blob nothing refers to — a pack
 * whose chunks will be packed again, or a snapshot that will be taken again — so it is
 * deleted (Floe's blobs are deletable) and its storage returns to the account.
 */
import { randomUUID } from 'node:crypto';
import type { Index } from '../index/index.js';
import type { WalrusClient } from '../walrus/client/client.js';
import type { BlobKind } from './attributes.js';

export const STORE_JOURNAL = 'store-blob';

/**
 * This process's run. A pending entry written by this run is a store still in flight (a
 * renewal or a prune can run beside a backup) and must be left alone; only entries from
 * an earlier run — which the data-directory lock says is gone — are interrupted ones.
 */
export const PROCESS_RUN = randomUUID();

interface StorePayload {
  kind: BlobKind;
  blobId?: string;
  process?: string;
}

export interface RecoveryReport {
  /** Interrupted stores found in the journal. */
  interrupted: number;
  /** Blob objects deleted because nothing references them. */
  deleted: number;
}

export async function recoverInterruptedStores(
  index: Index,
  client: WalrusClient,
): Promise<RecoveryReport> {
  const pending = index
    .pending(STORE_JOURNAL)
    .filter((e) => (e.payload as StorePayload).process !== PROCESS_RUN);
  const report: RecoveryReport = { interrupted: pending.length, deleted: 0 };
  if (pending.length === 0) return report;
  const referenced = referencedBlobIds(index);
  const owned = await client.listOwned();
  const { epoch } = await client.chain.systemState();
  for (const entry of pending) {
    const { blobId } = entry.payload as StorePayload;
    if (blobId && !referenced.has(blobId)) {
      for (const blob of owned) {
        if (blob.blobId !== blobId || !blob.deletable) continue;
        if (blob.state !== 'registered' && blob.state !== 'certified') continue;
        await client.delete(blob.objectId);
        index.logRenewal({
          time: Date.now(),
          epoch,
          objectId: blob.objectId,
          blobId,
          action: 'delete',
          epochs: null,
          costFrost: null,
          reason: 'left behind by an interrupted backup',
        });
        report.deleted++;
      }
    }
    index.complete(entry.id);
  }
  return report;
}

/** Every blob id the index refers to: certified packs, snapshots and their index blobs. */
export function referencedBlobIds(index: Index): Set<string> {
  const ids = new Set<string>();
  for (const p of index.packs()) if (p.blobId) ids.add(p.blobId);
  for (const s of index.snapshots()) {
    if (s.blobId) ids.add(s.blobId);
    for (const id of s.record.indexBlobs) ids.add(id);
  }
  return ids;
}
