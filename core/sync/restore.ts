/**
 * Restoring from the chain and the blobs alone: list the account's blobs, open Floe's
 * snapshot blobs, map chunks to packs through the snapshot's index blobs, then rebuild
 * the tree — all of it, a sub-folder or one file, to where it was or elsewhere — with
 * modes, times, symlinks, hard links and holes. What is already in the target decides
 * what happens at each path, and the user's choice what happens to a local entry a
 * restore would destroy (restore-plan.ts); no path below the target is resolved through
 * a link (restore-target.ts), and files are written beside their names and renamed into
 * place when whole (restore-contents.ts). Every chunk is re-hashed against its id as it
 * comes out of its pack.
 */
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
import { writeFiles, writeLinks, type ContentProgress } from './restore-contents.js';
import { planRestore, type Conflict, type ConflictChoice } from './restore-plan.js';
import { RestoreTarget } from './restore-target.js';
import { joinParts } from '../repo/byte-parts.js';

export { RestoreWriteError } from './restore-target.js';
export type { Conflict, ConflictChoice, ConflictKind } from './restore-plan.js';

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
        snapshot: await client.readAndOpen(blob.blobId, (parts) =>
          openSnapshot(keys, joinParts(parts), `snapshot ${blob.blobId}`),
        ),
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

export interface RestoreOptions {
  /**
   * Where to restore: the folder's contents (or the one entry `subPath` names) land inside
   * this directory. Left out: to where it was — the folder itself, and a path at its own
   * place in it (the folders above it made if they are gone).
   */
  target?: string;
  /** Which of the snapshot's folders (default: the first). */
  root?: string;
  /** Restore only this path inside the folder: its names, raw bytes, one per level. */
  subPath?: Uint8Array[];
  /**
   * A local entry that replacing would destroy — newer than the backup's, or of another
   * type: keep it and report it ('skip', the default), replace it, or keep both, the
   * backup's copy beside it under a new name ("report (restored 2024-05-03).txt").
   */
  conflict?: ConflictChoice;
  /** Pack bytes read ahead of the writer: what bounds a restore's memory (default 64 MiB). */
  readAheadBytes?: number;
  onProgress?: (p: ProgressSnapshot) => void;
}

export interface RestoreResult {
  conflict: ConflictChoice;
  /** Files written, copies kept beside a local one included. */
  files: number;
  bytes: number;
  /**
   * Files already there as the backup has them (same size and time: never changed since,
   * or restored by an earlier, interrupted run), left as they are.
   */
  alreadyRestored: number;
  /** Conflicting local entries kept as they are ('skip'): why, and how many files each covers. */
  skipped: Conflict[];
  /** Conflicting local entries replaced by the backup's copy ('replace'). */
  replaced: Conflict[];
  /** Conflicting local entries kept, the backup's copy restored beside them at `to` ('keep-both'). */
  renamed: (Conflict & { to: string })[];
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
  const { parents, entries: selected } = await selectEntries(
    repo,
    root.tree,
    o.subPath ?? [],
    snapshot.id,
  );

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

  const conflict = o.conflict ?? 'skip';
  const target = await RestoreTarget.open(o.target ?? root.path);
  const result: RestoreResult = {
    conflict,
    files: 0,
    bytes: 0,
    alreadyRestored: 0,
    skipped: [],
    replaced: [],
    renamed: [],
  };
  const report: ContentProgress = {
    bytes(n) {
      result.bytes += n;
      progress.advance(n);
      o.onProgress?.(progress.snapshot());
    },
    file(path) {
      result.files++;
      progress.advance(0, 1, path);
      o.onProgress?.(progress.snapshot());
    },
  };
  try {
    const plan = await planRestore(
      target,
      repo,
      selected,
      {
        conflict,
        copyLabel: `restored ${localDay(snapshot.time)}`,
        ...(o.target === undefined ? { parents } : {}),
      },
      progress,
    );
    result.alreadyRestored = plan.alreadyRestored;
    result.skipped = plan.skipped;
    result.replaced = plan.replaced;
    result.renamed = plan.renamed;
    o.onProgress?.(progress.snapshot());
    await writeFiles(target, repo, plan.files, report, o.readAheadBytes);
    await writeLinks(target, plan.links, report);
    for (const f of plan.folders)
      await target.in(f.rel, (dir) => dir.setOwnMetadata(f.mode, f.seconds));
  } finally {
    await target.close();
  }
  return result;
}

/** The day a snapshot was taken, on this computer's calendar: 2024-05-03. */
function localDay(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/**
 * The entries a restore covers — the root's, or the one a sub-path names — and the
 * folders above that one, outermost first.
 */
async function selectEntries(
  repo: RepoReader,
  rootTree: string,
  parts: Uint8Array[],
  snapshotId: string,
): Promise<{ parents: TreeEntry[]; entries: TreeEntry[] }> {
  let entries = await repo.tree(rootTree);
  const parents: TreeEntry[] = [];
  // Names compared as bytes: `f\xff` and `f\xfe` are two files, whatever UTF-8 makes of them.
  const shown = (upTo: number) => parts.slice(0, upTo).map(nameToText).join('/');
  for (const [i, part] of parts.entries()) {
    const found = entries.find((e) => equalBytes(e.name, part));
    if (!found) throw new Error(`${shown(parts.length)} is not in snapshot ${snapshotId}`);
    if (i === parts.length - 1) return { parents, entries: [found] };
    if (found.type !== 'dir')
      throw new Error(`${shown(i + 1)} is not a folder in snapshot ${snapshotId}`);
    parents.push(found);
    entries = await repo.tree(found.subtree!);
  }
  return { parents, entries };
}
