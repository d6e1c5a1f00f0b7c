/**
 * Restoring from the chain and the blobs alone: list the account's blobs, open Floe's
 * snapshot blobs, map chunks to packs through the snapshot's index blobs, then rebuild
 * the tree — all of it, a sub-folder or one file — with modes, times and symlinks. Every
 * chunk is re-hashed against its id as it comes out of its pack.
 */
import {
  lstat,
  mkdir,
  open as openFile,
  rename,
  chmod,
  utimes,
  lutimes,
  symlink,
  rm,
  type FileHandle,
} from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { BlobObject } from '../walrus/chain/chain.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { CorruptDataError } from '../repo/crypto.js';
import { WrongRecoveryPhraseError, type RepoKeys } from '../repo/keys.js';
import { openSnapshot, type Snapshot } from '../repo/snapshot.js';
import type { TreeEntry } from '../repo/tree.js';
import { nameToText } from '../repo/names.js';
import { equalBytes } from '../walrus/encoding/merkle.js';
import { isFloeBlob } from './attributes.js';
import { ProgressTracker, type ProgressSnapshot } from './progress.js';
import { hasLapsed } from './lapsed-storage.js';
import { RepoReader, StorageEndedError } from './repo-reader.js';

export interface FoundSnapshot {
  snapshot: Snapshot;
  blob: BlobObject;
}

export class NoBackupsFoundError extends Error {
  constructor(address: string) {
    super(
      `no Floe backups were found for this phrase — check the words (it opens account ${address}; a different phrase is a different account)`,
    );
    this.name = 'NoBackupsFoundError';
  }
}

/** The account's snapshots, newest first, from the chain's blob list alone. */
export async function findSnapshots(
  client: WalrusClient,
  keys: RepoKeys,
): Promise<FoundSnapshot[]> {
  const { epoch } = await client.chain.systemState();
  const snapshots = (await client.listOwned()).filter((b) => isFloeBlob(b.attributes, 'snapshot'));
  const blobs = snapshots.filter((b) => b.state === 'certified' && !hasLapsed(b, epoch));
  const lapsed = snapshots.filter((b) => hasLapsed(b, epoch));
  if (blobs.length === 0 && lapsed.length > 0)
    throw new StorageEndedError(
      `every snapshot of this account (${lapsed.length})`,
      Math.max(...lapsed.map((b) => b.endEpoch)),
    );
  const found: FoundSnapshot[] = [];
  let undecryptable = 0;
  for (const blob of blobs) {
    try {
      found.push({
        snapshot: openSnapshot(keys, await client.read(blob.blobId), `snapshot ${blob.blobId}`),
        blob,
      });
    } catch (error) {
      if (!(error instanceof CorruptDataError)) throw error;
      undecryptable++;
    }
  }
  if (found.length === 0 && undecryptable > 0)
    throw new WrongRecoveryPhraseError(`${undecryptable} snapshot(s) did not decrypt`);
  return found.sort((a, b) => b.snapshot.time.localeCompare(a.snapshot.time));
}

/** The target cannot take the file: a full disk, a size limit, a read-only folder. */
export class RestoreWriteError extends Error {
  constructor(
    readonly path: string,
    cause: NodeJS.ErrnoException,
  ) {
    const why =
      cause.code === 'ENOSPC'
        ? 'the disk is full'
        : cause.code === 'EFBIG'
          ? 'the file is larger than this file system or process may write'
          : cause.message;
    super(
      `cannot write ${path}: ${why}. Files restored so far are complete; free space and run the restore again to continue`,
    );
    this.name = 'RestoreWriteError';
  }
}

export interface RestoreOptions {
  /** Where to restore: the root's contents land inside this directory. */
  target: string;
  /** Which of the snapshot's folders (default: the first). */
  root?: string;
  /** Restore only this path inside the folder: its names, raw bytes, one per level. */
  subPath?: Uint8Array[];
  /** Replace local files that are newer than the backup (default: skip and report them). */
  overwriteNewer?: boolean;
  onProgress?: (p: ProgressSnapshot) => void;
}

export interface RestoreResult {
  files: number;
  bytes: number;
  /** Files already in place from an earlier, interrupted run of the same restore. */
  alreadyRestored: number;
  skipped: { path: string; reason: string }[];
}

export async function restoreSnapshot(
  client: WalrusClient,
  keys: RepoKeys,
  snapshot: Snapshot,
  o: RestoreOptions,
  reader?: RepoReader,
): Promise<RestoreResult> {
  const root = o.root ? snapshot.roots.find((r) => r.path === o.root) : snapshot.roots[0];
  if (!root)
    throw new Error(
      `snapshot ${snapshot.id} has no folder ${o.root}; it holds ${snapshot.roots.map((r) => r.path).join(', ')}`,
    );
  const repo = reader ?? (await RepoReader.open(client, keys));
  const selected = await selectEntries(repo, root.tree, o.subPath ?? [], snapshot.id);

  // Totals first (trees only, cached), so progress has an ETA from the start.
  const progress = new ProgressTracker('restoring');
  let files = 0;
  let bytes = 0;
  const count = (e: TreeEntry) => {
    if (e.type === 'file') (files++, (bytes += e.size));
  };
  for (const e of selected) {
    count(e);
    if (e.type === 'dir') await repo.walk(e.subtree!, count);
  }
  progress.setTotals({ files, bytes });
  o.onProgress?.(progress.snapshot());

  const result: RestoreResult = { files: 0, bytes: 0, alreadyRestored: 0, skipped: [] };
  await mkdir(o.target, { recursive: true });
  const restoreEntries = async (list: TreeEntry[], dir: Buffer): Promise<void> => {
    for (const e of list) {
      const dest = Buffer.concat([dir, Buffer.from('/'), Buffer.from(e.name)]);
      const mtime = Number(BigInt(e.mtimeNs) / 1000n) / 1e6;
      if (e.type === 'dir') {
        await mkdir(dest, { recursive: true });
        await restoreEntries(await repo.tree(e.subtree!), dest);
        await chmod(dest, e.mode & 0o7777);
        await utimes(dest, mtime, mtime);
      } else if (e.type === 'symlink') {
        await rm(dest, { force: true });
        await symlink(Buffer.from(e.target ?? new Uint8Array()), dest);
        await lutimes(dest, mtime, mtime).catch(() => undefined);
      } else {
        const existing = await lstat(dest, { bigint: true }).catch(() => null);
        // Same size and time as the backup: restored by an earlier run that was cut off.
        if (
          existing?.isFile() &&
          existing.size === BigInt(e.size) &&
          nearlyEqual(existing.mtimeNs, BigInt(e.mtimeNs))
        ) {
          result.alreadyRestored++;
          progress.advance(e.size, 1, dest.toString());
          o.onProgress?.(progress.snapshot());
          continue;
        }
        if (existing && !o.overwriteNewer && existing.mtimeNs > BigInt(e.mtimeNs)) {
          result.skipped.push({
            path: dest.toString(),
            reason: 'the local file is newer than the backup',
          });
          progress.advance(e.size, 1);
          continue;
        }
        await restoreFile(repo, e, dest, mtime, (n) => {
          result.bytes += n;
          progress.advance(n);
          o.onProgress?.(progress.snapshot());
        });
        result.files++;
        progress.advance(0, 1, dest.toString());
        o.onProgress?.(progress.snapshot());
      }
    }
  };
  await restoreEntries(selected, Buffer.from(o.target));
  return result;
}

/** The entries a restore covers: the root's, or the one a sub-path names. */
async function selectEntries(
  repo: RepoReader,
  rootTree: string,
  parts: Uint8Array[],
  snapshotId: string,
): Promise<TreeEntry[]> {
  let entries = await repo.tree(rootTree);
  // Names compared as bytes: `f\xff` and `f\xfe` are two files, whatever UTF-8 makes of them.
  const shown = (upTo: number) => parts.slice(0, upTo).map(nameToText).join('/');
  for (const [i, part] of parts.entries()) {
    const found = entries.find((e) => equalBytes(e.name, part));
    if (!found) throw new Error(`${shown(parts.length)} is not in snapshot ${snapshotId}`);
    if (i === parts.length - 1) return [found];
    if (found.type !== 'dir')
      throw new Error(`${shown(i + 1)} is not a folder in snapshot ${snapshotId}`);
    entries = await repo.tree(found.subtree!);
  }
  return entries;
}

/** Writes a file beside its destination and renames it into place only when complete. */
async function restoreFile(
  repo: RepoReader,
  e: TreeEntry,
  dest: Buffer,
  mtime: number,
  onBytes: (n: number) => void,
): Promise<void> {
  // A short fixed-length name beside the file: appending to a 255-byte name would not fit.
  const slash = dest.lastIndexOf(0x2f);
  const tag = createHash('sha256')
    .update(dest.subarray(slash + 1))
    .digest('hex')
    .slice(0, 16);
  const partial = Buffer.concat([dest.subarray(0, slash + 1), Buffer.from(`.floe-${tag}.partial`)]);
  const handle = await openFile(partial, 'w', 0o600);
  try {
    for (const id of e.chunks ?? []) {
      const data = await repo.chunk(id);
      await writeAll(handle, data).catch((error: NodeJS.ErrnoException) => {
        throw new RestoreWriteError(dest.toString(), error);
      });
      onBytes(data.length);
    }
    await handle.sync();
  } catch (error) {
    // Nothing half-written is left behind; running the restore again redoes this file.
    await handle.close();
    await rm(partial, { force: true });
    throw error;
  }
  await handle.close();
  await chmod(partial, e.mode & 0o7777);
  await utimes(partial, mtime, mtime);
  await rename(partial, dest);
}

/** Times set through utimes pass through a double: a microsecond or two may be lost. */
function nearlyEqual(aNs: bigint, bNs: bigint): boolean {
  const d = aNs - bNs;
  return d < 2_000n && d > -2_000n;
}

/**
 * Writes every byte: a write can be short (a size limit or a nearly full disk takes what
 * fits), and only the next one reports the error — one write call would lose the rest.
 */
async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length;) {
    const { bytesWritten } = await handle.write(data, at, data.length - at);
    at += bytesWritten;
  }
}
