/**
 * `floe index rebuild`: the index is a cache, and this recreates it from the chain and the
 * blobs alone — snapshots from the account's snapshot blobs, packs and chunk locations
 * from its index blobs, folders from the newest snapshot. File rows are not invented: the
 * next backup reads each file once more, finds every chunk already stored, and uploads
 * nothing that is not new.
 */
import type { Index } from '../index/index.js';
import type { RepoKeys } from '../repo/keys.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { isFloeBlob } from './attributes.js';
import { LIVE_INDEX_BLOBS } from './renewals.js';
import { RepoReader } from './repo-reader.js';
import { FolderModel } from './folder-model.js';
import { findSnapshots, NoBackupsFoundError } from './restore.js';

export interface RebuildReport {
  snapshots: number;
  packs: number;
  chunks: number;
  folders: string[];
}

export interface RebuildOptions {
  /**
   * 'here': the folders are on this machine (the same machine's index rebuilt);
   * 'not-restored': a new machine — nothing of theirs is backed up until the user restores
   * them or starts fresh, so an empty local path can never become the newest snapshot.
   */
  folders: 'here' | 'not-restored';
  /** Refuse (NoBackupsFoundError) when the account holds no snapshot: a mistyped phrase. */
  requireBackups?: boolean;
}

/** Fills an empty index from the network. */
export async function rebuildIndex(
  index: Index,
  client: WalrusClient,
  keys: RepoKeys,
  o: RebuildOptions,
): Promise<RebuildReport> {
  if (index.packs().length || index.snapshots().length)
    throw new Error('the index is not empty: rebuild into a fresh one');
  const owned = await client.listOwned();
  const certified = new Map(owned.filter((b) => b.state === 'certified').map((b) => [b.blobId, b]));
  const snapshots = await findSnapshots(client, keys);
  if (o.requireBackups && snapshots.length === 0) throw new NoBackupsFoundError(keys.address);
  const reader = await RepoReader.open(client, keys, owned);
  const report: RebuildReport = { snapshots: snapshots.length, packs: 0, chunks: 0, folders: [] };
  index.transaction(() => {
    for (const found of snapshots.slice().reverse())
      index.addSnapshot(found.snapshot, found.blob.blobId, found.blob.objectId);
    const seen = new Set<string>();
    for (const pack of reader.packs) {
      const blob = certified.get(pack.blobId);
      if (!blob || seen.has(pack.blobId)) continue;
      seen.add(pack.blobId);
      index.addPack(
        {
          id: pack.packId,
          blobId: blob.blobId,
          objectId: blob.objectId,
          plainSize: blob.size,
          encodedSize: blob.storageSize,
          endEpoch: blob.endEpoch,
          totalBytes: pack.entries.reduce((n, e) => n + e.length, 0),
          deletable: blob.deletable,
          createdAt: Date.now(),
          certifiedEpoch: blob.certifiedEpoch,
        },
        pack.entries.map((e) => ({ id: e.id, offset: e.offset, length: e.length, kind: e.kind })),
      );
      index.setPackState(pack.packId, 'stored');
      index.setPackState(pack.packId, 'certified');
      index.markListed([pack.packId], pack.indexBlobId);
      report.packs++;
      report.chunks += pack.entries.length;
    }
    index.setSetting(
      LIVE_INDEX_BLOBS,
      owned
        .filter((b) => b.state === 'certified' && isFloeBlob(b.attributes, 'index'))
        .map((b) => b.blobId),
    );
    const folders = new FolderModel(index);
    for (const root of snapshots[0]?.snapshot.roots ?? []) {
      if (!folders.byPath(root.path))
        folders.add(root.path, { notRestored: o.folders === 'not-restored' });
      report.folders.push(root.path);
    }
  });
  return report;
}
