/**
 * Snapshots: one record per backup of a set of folders — when, from which machine,
 * each folder's root tree, the snapshot it follows — sealed under the metadata key as
 * its own small Walrus blob, so a new machine finds the backups by listing the account's
 * blobs and opening the snapshot blobs.
 */
import { randomBytes } from 'node:crypto';
import { open, seal } from './crypto.js';
import type { RepoKeys } from './keys.js';

const SNAPSHOT_VERSION = 1;
const AAD = new TextEncoder().encode('floe-snapshot-v1');

export interface SnapshotRoot {
  /** The folder's path on the machine that backed it up. */
  path: string;
  /** Chunk id (hex) of the folder's root tree. */
  tree: string;
}

export interface Snapshot {
  version: number;
  id: string;
  /** ISO 8601 time the backup started. */
  time: string;
  hostname: string;
  roots: SnapshotRoot[];
  parent: string | null;
  tags: string[];
  stats: { files: number; bytes: number };
  /** Blob ids of the index blobs that map this snapshot's chunks to packs. */
  indexBlobs: string[];
}

export function newSnapshotId(): string {
  return randomBytes(16).toString('hex');
}

export function sealSnapshot(keys: RepoKeys, snapshot: Omit<Snapshot, 'version'>): Uint8Array {
  const plain = new TextEncoder().encode(
    JSON.stringify({ ...snapshot, version: SNAPSHOT_VERSION }),
  );
  return seal(keys.metadataKey, plain, AAD);
}

/** Throws `CorruptDataError` when the blob is not a snapshot sealed under these keys. */
export function openSnapshot(keys: RepoKeys, bytes: Uint8Array, what = 'snapshot'): Snapshot {
  const snapshot = JSON.parse(
    new TextDecoder().decode(open(keys.metadataKey, bytes, what, AAD)),
  ) as Snapshot;
  if (snapshot.version !== SNAPSHOT_VERSION) {
    throw new Error(
      `${what} has format ${snapshot.version}; this Floe reads ${SNAPSHOT_VERSION}: update Floe`,
    );
  }
  return snapshot;
}
