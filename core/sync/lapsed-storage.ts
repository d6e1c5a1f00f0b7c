/**
 * Storage that ends too soon to build on (issue 13: a user backing up from cron let the
 * storage term pass, and the next backups deduplicated against packs the network had
 * dropped). Two cases, both faced by every renewal run, after it has extended what it
 * could:
 *  - storage that *lapsed* (its end epoch passed: nothing ran for longer than the term,
 *    or renewal kept failing) can never be read again, so the index stops pretending: the
 *    pack is retired (its chunks no longer offered for dedup), a snapshot whose own blob
 *    lapsed is no longer counted as a backup, and packs a lapsed index blob listed are
 *    listed again by the next backup;
 *  - storage still alive but ending within the renewal window, which renewal did not
 *    extend (a short balance, a failing chain): it may lapse before renewal looks again.
 * In both cases the files whose chunks lie there are read again by the next backup and
 * stored anew (deduplication refuses such packs too, `Index.hasChunk` with the horizon):
 * a new snapshot never depends on storage that is gone or about to go.
 */
import type { FileRow, Index, RenewalRecord } from '../index/index.js';
import { chunkIdHex } from '../repo/chunk-id.js';
import type { BlobObject, SystemState } from '../walrus/chain/chain.js';
import type { RenewalPolicy } from './renewals.js';

/** The setting naming the index blobs that list live packs (kept up to date by pruning). */
export const LIVE_INDEX_BLOBS = 'liveIndexBlobs';

/**
 * The last epoch the renewal window covers now. Storage ending by then is due for
 * renewal, so nothing new may be built on it. The window is capped below how far ahead
 * the network sells storage: beyond that nothing could ever lie outside it.
 */
export function renewalHorizon(
  state: Pick<SystemState, 'epoch' | 'maxEpochsAhead'>,
  policy: RenewalPolicy,
): number {
  return state.epoch + Math.min(policy.windowEpochs, state.maxEpochsAhead - 1);
}

/** A blob whose storage has ended: the storage nodes no longer keep it. */
export function hasLapsed(blob: BlobObject, epoch: number): boolean {
  return blob.state === 'expired' || (blob.state === 'certified' && blob.endEpoch <= epoch);
}

export interface LapsedBlob {
  blob: BlobObject;
  role: 'pack' | 'index' | 'snapshot';
}

/**
 * The blobs the retained backups need that lapsed: packs with live chunks, the index
 * blobs that list them, retained snapshots, and the index blobs pruning keeps.
 */
export function lapsedBlobs(index: Index, owned: BlobObject[], epoch: number): LapsedBlob[] {
  const needed = new Map<string, LapsedBlob['role']>();
  for (const id of index.getSetting<string[]>(LIVE_INDEX_BLOBS, [])) needed.set(id, 'index');
  for (const p of index.packs('certified')) {
    if (p.liveBytes === 0) continue;
    if (p.blobId) needed.set(p.blobId, 'pack');
    if (p.indexBlobId) needed.set(p.indexBlobId, 'index');
  }
  for (const s of index.snapshots()) if (s.retained && s.blobId) needed.set(s.blobId, 'snapshot');
  const out: LapsedBlob[] = [];
  for (const blob of owned) {
    const role = needed.get(blob.blobId);
    if (role && hasLapsed(blob, epoch)) out.push({ blob, role });
  }
  return out;
}

export interface LapseReport {
  /** Blobs the backups needed that were found lapsed (and retired) by this run. */
  blobs: number;
  lastEndEpoch: number;
}

/**
 * Retires what lapsed and marks for reading again every file that uses a pack ending
 * before the horizon. Returns what lapsed, or null if nothing did.
 */
export function faceLapsedStorage(
  index: Index,
  state: SystemState,
  owned: BlobObject[],
  policy: RenewalPolicy,
): LapseReport | null {
  const lapsed = lapsedBlobs(index, owned, state.epoch);
  const lapsedIds = new Set(lapsed.map((l) => l.blob.blobId));
  const horizon = renewalHorizon(state, policy);
  const endOnChain = new Map(owned.map((b) => [b.blobId, b.endEpoch]));
  // Chunks in packs that lapsed or end within the window: the files using them are read again.
  const unsafe = new Set<string>();
  const retired: Uint8Array[] = [];
  for (const pack of index.packs('certified')) {
    const end = (pack.blobId ? endOnChain.get(pack.blobId) : undefined) ?? pack.endEpoch ?? 0;
    const gone = pack.blobId !== null && lapsedIds.has(pack.blobId);
    if (!gone && end > horizon) continue;
    for (const c of index.packChunks(pack.id)) unsafe.add(chunkIdHex(c.id));
    if (gone) retired.push(pack.id);
  }
  const reread: FileRow[] = [];
  if (unsafe.size > 0)
    for (const folder of index.folders())
      for (const row of index.files(folder.id))
        if (row.state === 'indexed' && usesAny(row.chunkIds, unsafe))
          reread.push({ ...row, state: 'pending' });

  const log = (blob: BlobObject, reason: string): RenewalRecord => ({
    time: Date.now(),
    epoch: state.epoch,
    objectId: blob.objectId,
    blobId: blob.blobId,
    action: 'expire',
    epochs: null,
    costFrost: null,
    reason,
  });
  index.transaction(() => {
    index.upsertFiles(reread);
    for (const id of retired) {
      index.dropChunks(index.packChunks(id).map((c) => c.id));
      index.setPackLiveBytes(id, 0);
      index.setPackState(id, 'dead');
    }
    const snapshots = new Map(index.snapshots().map((s) => [s.blobId, s.id]));
    for (const { blob, role } of lapsed) {
      if (role === 'index') index.unlistPacks(blob.blobId);
      if (role === 'snapshot') index.setSnapshotRetained(snapshots.get(blob.blobId)!, false);
      index.logRenewal(
        log(
          blob,
          `this ${role}'s storage ended at epoch ${blob.endEpoch} before it was renewed; ${
            role === 'snapshot'
              ? 'that snapshot can no longer be restored'
              : 'the files that used it are stored anew by the next backup'
          }`,
        ),
      );
    }
    const liveIndex = index.getSetting<string[]>(LIVE_INDEX_BLOBS, []);
    if (liveIndex.some((id) => lapsedIds.has(id)))
      index.setSetting(
        LIVE_INDEX_BLOBS,
        liveIndex.filter((id) => !lapsedIds.has(id)),
      );
  });
  if (lapsed.length === 0) return null;
  return {
    blobs: lapsed.length,
    lastEndEpoch: Math.max(...lapsed.map((l) => l.blob.endEpoch)),
  };
}

function usesAny(concatenated: Uint8Array | null, ids: Set<string>): boolean {
  if (!concatenated) return false;
  for (let i = 0; i < concatenated.length; i += 32)
    if (ids.has(Buffer.from(concatenated.subarray(i, i + 32)).toString('hex'))) return true;
  return false;
}
