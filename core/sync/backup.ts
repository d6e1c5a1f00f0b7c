/**
 * One backup run over every folder: scan → chunk → dedup → pack → seal → store (each
 * pack a Walrus blob) → trees → index blob → snapshot blob → local index. Packs are
 * recorded in the index only once certified, and a journal entry brackets each store, so
 * after a crash a pack is either certified and referenced or redone from the files.
 */
import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { FileRow, Index } from '../index/index.js';
import { DEFAULT_SETTINGS, readSettings } from '../index/settings.js';
import { chunkId, chunkIdHex } from '../repo/chunk-id.js';
import { DEFAULT_CHUNKER, FileChunker, gearTable, type ChunkerParams } from '../repo/chunker.js';
import type { RepoKeys } from '../repo/keys.js';
import { newSnapshotId, sealSnapshot, type Snapshot, type SnapshotRoot } from '../repo/snapshot.js';
import { encodeTree, type TreeEntry } from '../repo/tree.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { EncodingConfig } from '../walrus/encoding/config.js';
import type { StoreProgress } from '../walrus/client/store.js';
import { renewalHorizon } from './lapsed-storage.js';
import { recoverInterruptedStores } from './recovery.js';
import {
  commitIndexBlob,
  storeIndexOfUnlistedPacks,
  storeJournalled,
  storePack,
} from './journalled-store.js';
import { hardLinkGroups } from './hard-links.js';
import { BUILTIN_EXCLUDES, IgnoreRules } from './ignore.js';
import { Packer } from './packer.js';
import { READ_AHEAD, ReadAhead, type SmallFile } from './read-ahead.js';
import { ProgressTracker, type ProgressSnapshot } from './progress.js';
import {
  FolderUnavailableError,
  pathKey,
  scanFolder,
  type KnownEntry,
  type ScanIssue,
  type ScannedEntry,
  type ScanResult,
} from './scanner.js';
import { FolderModel } from './folder-model.js';
import { isNetworkUnavailable } from '../walrus/client/unavailable.js';
import { BuiltTrees, indexCommittedSnapshot } from './search-index.js';

export interface BackupContext {
  index: Index;
  keys: RepoKeys;
  client: WalrusClient;
  /** Epochs each new blob is paid for; renewal extends live ones. */
  epochs: number;
  packTargetSize?: number;
  chunker?: ChunkerParams;
  /** Exclusion patterns (gitignore syntax) on top of each folder's .floeignore files. */
  excludes?: string[];
  /**
   * A scan finding more than this share (in %) of a folder's files gone holds the folder
   * instead of recording the deletions (default: the setting's default).
   */
  holdDeletionsPercent?: number;
  /** The folders' states; a model over `index` when not given (the CLI's one-off runs). */
  folders?: FolderModel;
  /** Each blob store's own progress: encoding, uploading N of M bytes, certifying. */
  onStore?: (p: StoreProgress) => void;
}

/** What one run did with one folder. */
export interface FolderOutcome {
  path: string;
  outcome: 'saved' | 'paused' | 'not-restored' | 'missing' | 'held';
  /** Why a folder was not saved: the missing root's error, the held deletions. */
  message: string | null;
}

export interface BackupResult {
  snapshot: Snapshot;
  snapshotBlobId: string;
  files: number;
  newBytes: number;
  dedupedBytes: number;
  packs: number;
  issues: (ScanIssue & { folder: string })[];
  folders: FolderOutcome[];
  /** Nothing changed since the last snapshot, which stands: no new blob was paid for. */
  unchanged: boolean;
}

/** No snapshot at all could be stored: every folder was missing, held, paused or not restored. */
export class NothingToBackUpError extends Error {
  constructor(readonly folders: FolderOutcome[]) {
    super(
      `no folder could be backed up: ${folders.map((f) => `${f.path} ${f.outcome}${f.message ? ` (${f.message})` : ''}`).join('; ')}`,
    );
    this.name = 'NothingToBackUpError';
  }
}

/** Packs of 32 MiB: at 1000 shards a blob pays ~1 s of fixed encoding cost (bench:codec). */
export const DEFAULT_PACK_SIZE = 32 * 1024 * 1024;
/** A file still changing after this many reads is skipped this run and retried next. */
const READ_ATTEMPTS = 3;
/**
 * The share rule applies from this many files: deleting 2 of a folder's 3 files is an
 * ordinary edit, not a vanished drive (an emptied folder is held whatever its size).
 */
const HOLD_MIN_FILES = 10;

export async function runBackup(
  ctx: BackupContext,
  onProgress?: (p: ProgressSnapshot) => void,
): Promise<BackupResult> {
  const { index, keys, client } = ctx;
  const model = ctx.folders ?? new FolderModel(index);
  const outcomes: FolderOutcome[] = [];
  /** Folders this run scans and will save: the changes seen when their scan began. */
  const running: { id: number; seenAtScan: number; foundChanges: boolean }[] = [];
  try {
    await recoverInterruptedStores(index, client);
    const progress = new ProgressTracker('scanning');
    const report = () => onProgress?.(progress.snapshot());
    let packs = 0;
    const issues: BackupResult['issues'] = [];
    // Packs never exceed what the network can encode (small localnets hold small blobs).
    const state = await client.chain.systemState();
    const capacity = new EncodingConfig(state.nShards).maxBlobSize;
    const chunker = new FileChunker(
      gearTable(keys.chunkIdKey),
      ctx.chunker ?? chunkerFor(capacity),
    );
    const horizon = renewalHorizon(state, readSettings(index).renewal);
    const packer = new Packer(keys, {
      targetSize: Math.min(ctx.packTargetSize ?? DEFAULT_PACK_SIZE, capacity),
      maxSize: capacity,
      // Never built on: a pack whose storage ends within the renewal window (lapsed-storage.ts).
      isStored: (id) => index.hasChunk(id, horizon),
      store: async (pack) => {
        await storePack(storeContext, pack);
        packs++;
      },
    });
    // Once every file is read, what is left is the last packs' upload: say so, and how far.
    const storeContext = {
      ...ctx,
      onStore: (p: StoreProgress) => {
        ctx.onStore?.(p);
        if (!finishing) return;
        progress.setPhase(
          p.phase === 'certifying' || p.phase === 'done' ? 'certifying' : 'uploading',
        );
        progress.setStep({ bytesDone: p.bytesSent, bytesTotal: p.bytesTotal });
        report();
      },
    };
    let finishing = false;
    const roots: SnapshotRoot[] = [];
    const fileUpdates: FileRow[] = [];
    const removals: { folderId: number; paths: Uint8Array[] }[] = [];
    const built = new BuiltTrees(index);
    let files = 0;
    const holdShare = (ctx.holdDeletionsPercent ?? DEFAULT_SETTINGS.holdDeletionsPercent) / 100;

    const parentRoots = index.latestSnapshot()?.record.roots ?? [];
    for (const folder of model.list()) {
      // A folder not looked at this run keeps its last tree: paused means "do not look
      // now", a missing root or held deletions are never recorded as everything deleted.
      const keep = (outcome: FolderOutcome['outcome'], message: string | null = null) => {
        const kept = parentRoots.find((r) => r.path === folder.path);
        if (kept) roots.push(kept);
        outcomes.push({ path: folder.path, outcome, message });
      };
      if (folder.paused) {
        keep('paused');
        continue;
      }
      if (folder.state === 'not-restored') {
        keep('not-restored');
        continue;
      }
      const seenAtScan = model.scanning(folder.id);
      progress.setPhase('scanning');
      report();
      const previous = new Map<string, FileRow>();
      for (const row of index.files(folder.id)) previous.set(pathKey(row.relPath), row);
      const known = new Map<string, KnownEntry>();
      for (const [k, row] of previous) if (row.state === 'indexed') known.set(k, row);
      let scan: ScanResult;
      try {
        scan = await scanFolder(folder.path, {
          known,
          rules: IgnoreRules.of(ctx.excludes ?? BUILTIN_EXCLUDES),
        });
      } catch (error) {
        if (!(error instanceof FolderUnavailableError)) throw error;
        model.missing(folder.id, error.message);
        issues.push({
          folder: folder.path,
          relPath: new Uint8Array(),
          code: 'folder-missing',
          message: error.message,
        });
        keep('missing', error.message);
        continue;
      }
      keepUnreadable(scan, previous);
      issues.push(...scan.issues.map((i) => ({ ...i, folder: folder.path })));
      const hold = deletionHold(scan, known, previous, holdShare);
      if (hold && !folder.deletionsConfirmed) {
        model.held(folder.id, { deleted: hold.deleted, total: hold.total }, hold.reason);
        keep('held', hold.reason);
        continue;
      }
      running.push({
        id: folder.id,
        seenAtScan,
        foundChanges: scan.changed.length > 0 || scan.deleted.length > 0,
      });
      const changed = new Set(scan.changed.map((e) => pathKey(e.relPath)));
      const changedFiles = scan.changed.filter((e) => e.kind === 'file');
      progress.addTotals(
        changedFiles.length,
        changedFiles.reduce((n, e) => n + e.size, 0),
      );
      progress.setPhase('reading');
      model.uploading(folder.id);
      report();

      const chunkLists = new Map<string, string[]>();
      const skipped = new Set<string>();
      const toRead: { entry: ScannedEntry; abs: Buffer }[] = [];
      for (const entry of scan.entries) {
        if (entry.kind !== 'file') continue;
        const key = pathKey(entry.relPath);
        const prior = previous.get(key);
        if (!changed.has(key) && prior?.chunkIds) {
          chunkLists.set(key, splitIds(prior.chunkIds));
          continue;
        }
        const abs = Buffer.concat([Buffer.from(folder.path + '/'), entry.relPath]);
        toRead.push({ entry, abs });
      }
      const ahead = new ReadAhead(
        toRead.map(({ abs, entry: e }) => ({
          path: abs,
          size: e.size,
          mtimeNs: e.mtimeNs,
          ctimeNs: e.ctimeNs,
        })),
        { ...READ_AHEAD, maxFileBytes: chunker.oneChunkLimit },
      );
      try {
        for (const [i, { entry, abs }] of toRead.entries()) {
          const key = pathKey(entry.relPath);
          const prior = previous.get(key);
          const small = await ahead.take(i);
          const read = small
            ? await packSmallFile(small, entry, keys, packer)
            : await readFileChunks(abs, entry, keys, chunker, packer);
          if ('error' in read) {
            issues.push({
              folder: folder.path,
              relPath: entry.relPath,
              code: 'unreadable',
              message: read.error,
            });
            skipped.add(key);
            if (prior?.chunkIds) chunkLists.set(key, splitIds(prior.chunkIds));
            progress.advance(entry.size, 1);
            continue;
          }
          chunkLists.set(key, read.ids);
          progress.advance(entry.size, 1, Buffer.from(entry.relPath).toString());
          report();
          fileUpdates.push(toRow(folder.id, read.entry, read.ids));
          files++;
        }
      } finally {
        ahead.stop();
      }
      for (const entry of scan.entries) {
        if (entry.kind !== 'file' && changed.has(pathKey(entry.relPath)))
          fileUpdates.push(toRow(folder.id, entry, null));
      }
      const present = scan.entries.filter(
        (e) => !(skipped.has(pathKey(e.relPath)) && !chunkLists.has(pathKey(e.relPath))),
      );
      roots.push({
        path: folder.path,
        tree: await buildTrees(present, chunkLists, keys, packer, built),
      });
      removals.push({ folderId: folder.id, paths: scan.deleted });
      outcomes.push({ path: folder.path, outcome: 'saved', message: null });
    }
    if (running.length === 0) throw new NothingToBackUpError(outcomes);

    finishing = true;
    progress.measuredDone();
    progress.setPhase('uploading');
    report();
    await packer.flush();
    progress.setPhase('saving-snapshot');
    report();
    const indexBlobs = await storeIndexOfUnlistedPacks(ctx);
    const parent = index.latestSnapshot();
    const commitFiles = () => {
      // A folder removed while this run read it has no rows to update any more.
      const still = new Set(index.folders().map((f) => f.id));
      index.upsertFiles(fileUpdates.filter((f) => still.has(f.folderId)));
      for (const r of removals) if (still.has(r.folderId)) index.removeFiles(r.folderId, r.paths);
    };
    const saved = () => {
      for (const r of running) model.saved(r.id, r.seenAtScan);
    };
    const result = {
      files,
      newBytes: packer.newBytes,
      dedupedBytes: packer.dedupedBytes,
      packs,
      issues,
      folders: outcomes,
    };
    if (indexBlobs.length === 0 && parent && sameRoots(parent.record.roots, roots)) {
      // Same trees as the last snapshot: a rescan that found nothing new costs nothing.
      index.transaction(commitFiles);
      saved();
      const parentBlob = index.snapshots().find((s) => s.id === parent.id)?.blobId ?? '';
      return { ...result, snapshot: parent.record, snapshotBlobId: parentBlob, unchanged: true };
    }
    const snapshot: Snapshot = {
      version: 1,
      id: newSnapshotId(),
      time: new Date().toISOString(),
      hostname: hostname(),
      roots,
      parent: parent?.id ?? null,
      tags: [],
      stats: { files, bytes: packer.newBytes },
      indexBlobs: [...(parent?.record.indexBlobs ?? []), ...indexBlobs.map((b) => b.blobId)],
    };
    const stored = await storeJournalled(ctx, sealSnapshot(keys, snapshot), 'snapshot');
    index.transaction(() => {
      for (const blob of indexBlobs) commitIndexBlob(index, blob);
      index.complete(stored.journal);
      commitFiles();
      index.addSnapshot(snapshot, stored.blobId, stored.objectId);
    });
    saved();
    await indexCommittedSnapshot(index, snapshot, built);
    return { ...result, snapshot, snapshotBlobId: stored.blobId, unchanged: false };
  } catch (error) {
    if (!(error instanceof NothingToBackUpError)) {
      // Every folder this run would have saved waits for the next, whether the failure
      // came before its scan (the chain did not answer) or after it.
      const settled = new Set(outcomes.filter((f) => f.outcome !== 'saved').map((f) => f.path));
      const failed = model
        .list()
        .filter((f) => !f.paused && f.state !== 'not-restored' && !settled.has(f.path))
        .map((f) => ({
          id: f.id,
          foundChanges: running.find((r) => r.id === f.id)?.foundChanges ?? false,
        }));
      model.runFailed(failed, (error as Error).message, isNetworkUnavailable(error));
    }
    throw error;
  }
}

/**
 * What the index knew at and below each unreadable path stays as it was: a directory that
 * cannot be listed is not an empty one, and "cannot read" is never recorded as "deleted".
 */
function keepUnreadable(scan: ScanResult, previous: Map<string, FileRow>): void {
  if (!scan.unreadable.length) return;
  const prefixes = scan.unreadable.map((p) => Buffer.from(p));
  const under = (key: string) => {
    const path = Buffer.from(key, 'latin1');
    return prefixes.some(
      (p) =>
        p.length === 0 ||
        path.equals(p) ||
        (path.length > p.length && path[p.length] === 0x2f && path.subarray(0, p.length).equals(p)),
    );
  };
  const present = new Set(scan.entries.map((e) => pathKey(e.relPath)));
  scan.deleted = scan.deleted.filter((p) => !under(pathKey(p)));
  for (const [key, row] of previous) {
    if (present.has(key) || !under(key) || row.state !== 'indexed') continue;
    // Kept with what the index holds of it: the same chunks, the same metadata.
    scan.entries.push(fromRow(row));
  }
  scan.entries.sort((a, b) => Buffer.compare(Buffer.from(a.relPath), Buffer.from(b.relPath)));
}

/**
 * The safety valve against mass deletion: a scan that finds the folder empty, or more
 * than `share` of the files it last held gone, would record the loss of everything a
 * vanished drive or a mistaken `rm -r` took. Null when the scan looks like ordinary work.
 */
function deletionHold(
  scan: ScanResult,
  known: Map<string, KnownEntry>,
  previous: Map<string, FileRow>,
  share: number,
): { deleted: number; total: number; reason: string } | null {
  let total = 0;
  for (const entry of known.values()) if (entry.kind === 'file') total++;
  if (total === 0) return null;
  const deleted = scan.deleted.filter((p) => previous.get(pathKey(p))?.kind === 'file').length;
  const emptied = !scan.entries.some((e) => e.kind === 'file');
  if (!emptied && (total < HOLD_MIN_FILES || deleted <= total * share)) return null;
  const reason = emptied
    ? `the folder is empty now, but its last backup held ${total} file(s): is a drive unplugged? Confirm to record the deletion`
    : `${deleted} of its ${total} files are gone since the last backup (more than ${Math.round(share * 100)} %): confirm to record the deletions`;
  return { deleted, total, reason };
}

function sameRoots(a: SnapshotRoot[], b: SnapshotRoot[]): boolean {
  return a.length === b.length && a.every((r, i) => r.path === b[i]!.path && r.tree === b[i]!.tree);
}

type ReadOutcome = { ids: string[]; entry: ScannedEntry } | { error: string };

/** A file read ahead whole (read-ahead.ts): one chunk, or none if empty. */
async function packSmallFile(
  file: SmallFile,
  entry: ScannedEntry,
  keys: RepoKeys,
  packer: Packer,
): Promise<ReadOutcome> {
  const ids: string[] = [];
  if (file.bytes.length > 0) {
    const id = chunkId(keys.chunkIdKey, file.bytes);
    await packer.add(id, 'data', file.bytes);
    ids.push(chunkIdHex(id));
  }
  return { ids, entry: withStat(entry, file.stat) };
}

function withStat(entry: ScannedEntry, stat: BigIntStats): ScannedEntry {
  return {
    ...entry,
    size: Number(stat.size),
    mtimeNs: stat.mtimeNs.toString(),
    ctimeNs: stat.ctimeNs.toString(),
    inode: stat.ino.toString(),
  };
}

/** Reads and chunks one file; re-reads it if it changed underneath, up to a few times. */
async function readFileChunks(
  path: Buffer,
  entry: ScannedEntry,
  keys: RepoKeys,
  chunker: FileChunker,
  packer: Packer,
): Promise<ReadOutcome> {
  for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
    try {
      const before = await lstat(path, { bigint: true });
      const ids: string[] = [];
      // Each chunk is a view into the chunker's window: the packer copies what it keeps.
      for await (const chunk of chunker.chunks(path)) {
        const id = chunkId(keys.chunkIdKey, chunk);
        await packer.add(id, 'data', chunk);
        ids.push(chunkIdHex(id));
      }
      const after = await lstat(path, { bigint: true });
      if (
        before.size === after.size &&
        before.mtimeNs === after.mtimeNs &&
        before.ctimeNs === after.ctimeNs
      ) {
        return { ids, entry: withStat(entry, after) };
      }
    } catch (error) {
      return { error: `cannot read: ${(error as Error).message}` };
    }
  }
  return {
    error: `kept changing while it was read ${READ_ATTEMPTS} times; it will be retried at the next backup`,
  };
}

/** Builds the trees bottom-up; returns the root tree's chunk id. */
async function buildTrees(
  entries: ScannedEntry[],
  chunkLists: Map<string, string[]>,
  keys: RepoKeys,
  packer: Packer,
  built: BuiltTrees,
): Promise<string> {
  const children = new Map<string, ScannedEntry[]>();
  for (const e of entries) {
    const rel = Buffer.from(e.relPath);
    const slash = rel.lastIndexOf(0x2f);
    const parent = slash < 0 ? '' : rel.subarray(0, slash).toString('latin1');
    const siblings = children.get(parent);
    if (siblings) siblings.push(e);
    else children.set(parent, [e]);
  }
  const links = hardLinkGroups(entries);
  const build = async (dir: string): Promise<string> => {
    const list: TreeEntry[] = [];
    for (const e of children.get(dir) ?? []) {
      const rel = Buffer.from(e.relPath);
      const name = new Uint8Array(rel.subarray(rel.lastIndexOf(0x2f) + 1));
      const base = { name, size: e.size, mtimeNs: e.mtimeNs, mode: e.mode };
      if (e.kind === 'dir')
        list.push({ ...base, type: 'dir', subtree: await build(rel.toString('latin1')) });
      else if (e.kind === 'symlink')
        list.push({ ...base, type: 'symlink', target: e.symlinkTarget ?? new Uint8Array() });
      else {
        const key = pathKey(e.relPath);
        const hardLink = links.get(key);
        list.push({
          ...base,
          type: 'file',
          chunks: chunkLists.get(key) ?? [],
          ...(hardLink ? { hardLink } : {}),
        });
      }
    }
    const bytes = encodeTree(list);
    const id = chunkId(keys.chunkIdKey, bytes);
    await packer.add(id, 'tree', bytes);
    built.add(chunkIdHex(id), bytes);
    return chunkIdHex(id);
  };
  return build('');
}

function splitIds(concatenated: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < concatenated.length; i += 32)
    out.push(Buffer.from(concatenated.subarray(i, i + 32)).toString('hex'));
  return out;
}

function toRow(folderId: number, e: ScannedEntry, ids: string[] | null): FileRow {
  return {
    folderId,
    relPath: e.relPath,
    kind: e.kind,
    size: e.size,
    mtimeNs: e.mtimeNs,
    ctimeNs: e.ctimeNs,
    inode: e.inode,
    mode: e.mode,
    symlinkTarget: e.symlinkTarget,
    chunkIds: ids ? new Uint8Array(Buffer.concat(ids.map((h) => Buffer.from(h, 'hex')))) : null,
    state: 'indexed',
    error: null,
    scannedAt: Date.now(),
  };
}

function fromRow(r: FileRow): ScannedEntry {
  return {
    relPath: r.relPath,
    kind: r.kind,
    size: r.size,
    mtimeNs: r.mtimeNs,
    ctimeNs: r.ctimeNs,
    inode: r.inode,
    mode: r.mode,
    symlinkTarget: r.symlinkTarget,
  };
}

/**
 * The default chunk sizes, unless the network's largest blob is too small to hold a pack
 * of a few maximum-size chunks (tiny localnets): then all three bounds shrink together.
 */
export function chunkerFor(capacity: number): ChunkerParams {
  const limit = Math.floor(capacity / 4);
  if (DEFAULT_CHUNKER.maxSize <= limit) return DEFAULT_CHUNKER;
  // The chunker needs a power-of-two average; keep the default's 1 : 4 : 16 proportions.
  const avgSize = 2 ** Math.floor(Math.log2(limit / 4));
  return { minSize: avgSize / 4, avgSize, maxSize: avgSize * 4 };
}
