/**
 * One backup run over every folder: scan → chunk → dedup → pack → seal → store (each
 * pack a Walrus blob) → trees → index blob → snapshot blob → local index. Packs are
 * recorded in the index only once certified, and a journal entry brackets each store, so
 * after a crash a pack is either certified and referenced or redone from the files.
 */
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { FileRow, Index } from '../index/index.js';
import { chunkId, chunkIdHex } from '../repo/chunk-id.js';
import { chunkStream, DEFAULT_CHUNKER, gearTable, type ChunkerParams } from '../repo/chunker.js';
import type { RepoKeys } from '../repo/keys.js';
import { newSnapshotId, sealSnapshot, type Snapshot, type SnapshotRoot } from '../repo/snapshot.js';
import { encodeTree, type TreeEntry } from '../repo/tree.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { EncodingConfig } from '../walrus/encoding/config.js';
import type { StoreProgress } from '../walrus/client/store.js';
import { recoverInterruptedStores } from './recovery.js';
import {
  commitIndexBlob,
  storeIndexOfUnlistedPacks,
  storeJournalled,
  storePack,
} from './journalled-store.js';
import { BUILTIN_EXCLUDES, IgnoreRules } from './ignore.js';
import { Packer } from './packer.js';
import { ProgressTracker, type ProgressSnapshot } from './progress.js';
import {
  pathKey,
  scanFolder,
  type KnownEntry,
  type ScanIssue,
  type ScannedEntry,
} from './scanner.js';

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
  /** Called whenever a folder's state in the index changes. */
  onFolderState?: () => void;
  /** Each blob store's own progress: encoding, uploading N of M bytes, certifying. */
  onStore?: (p: StoreProgress) => void;
}

export interface BackupResult {
  snapshot: Snapshot;
  snapshotBlobId: string;
  files: number;
  newBytes: number;
  dedupedBytes: number;
  packs: number;
  issues: (ScanIssue & { folder: string })[];
  /** Nothing changed since the last snapshot, which stands: no new blob was paid for. */
  unchanged: boolean;
}

/** Packs of 32 MiB: at 1000 shards a blob pays ~1 s of fixed encoding cost (bench:codec). */
export const DEFAULT_PACK_SIZE = 32 * 1024 * 1024;
/** A file still changing after this many reads is skipped this run and retried next. */
const READ_ATTEMPTS = 3;

export async function runBackup(
  ctx: BackupContext,
  onProgress?: (p: ProgressSnapshot) => void,
): Promise<BackupResult> {
  const { index, keys, client } = ctx;
  await recoverInterruptedStores(index, client);
  const gear = gearTable(keys.chunkIdKey);
  const progress = new ProgressTracker('scanning');
  let packs = 0;
  const issues: BackupResult['issues'] = [];
  // Packs never exceed what the network can encode (small localnets hold small blobs).
  const capacity = new EncodingConfig((await client.chain.systemState()).nShards).maxBlobSize;
  const chunker = ctx.chunker ?? chunkerFor(capacity);
  const packer = new Packer(keys, {
    targetSize: Math.min(ctx.packTargetSize ?? DEFAULT_PACK_SIZE, capacity),
    maxSize: capacity,
    isStored: (id) => index.hasChunk(id),
    store: async (pack) => {
      await storePack(ctx, pack);
      packs++;
    },
  });
  const roots: SnapshotRoot[] = [];
  const fileUpdates: FileRow[] = [];
  const removals: { folderId: number; paths: Uint8Array[] }[] = [];
  let files = 0;

  const parentRoots = index.latestSnapshot()?.record.roots ?? [];
  const scanned: number[] = [];
  for (const folder of index.folders()) {
    if (folder.paused) {
      // Paused means "do not look now", not "drop it from the backups": it stays as it was.
      const kept = parentRoots.find((r) => r.path === folder.path);
      if (kept) roots.push(kept);
      continue;
    }
    index.setFolderState(folder.id, 'scanning');
    ctx.onFolderState?.();
    const previous = new Map<string, FileRow>();
    for (const row of index.files(folder.id)) previous.set(pathKey(row.relPath), row);
    const known = new Map<string, KnownEntry>();
    for (const [k, row] of previous) if (row.state === 'indexed') known.set(k, row);
    const scan = await scanFolder(folder.path, {
      known,
      rules: IgnoreRules.of(ctx.excludes ?? BUILTIN_EXCLUDES),
    });
    issues.push(...scan.issues.map((i) => ({ ...i, folder: folder.path })));
    const changed = new Set(scan.changed.map((e) => pathKey(e.relPath)));
    progress.addTotals(
      scan.changed.length,
      scan.changed.reduce((n, e) => n + e.size, 0),
    );
    progress.setPhase('uploading');
    index.setFolderState(folder.id, 'uploading');
    ctx.onFolderState?.();

    const chunkLists = new Map<string, string[]>();
    const skipped = new Set<string>();
    for (const entry of scan.entries) {
      if (entry.kind !== 'file') continue;
      const key = pathKey(entry.relPath);
      const prior = previous.get(key);
      if (!changed.has(key) && prior?.chunkIds) {
        chunkLists.set(key, splitIds(prior.chunkIds));
        continue;
      }
      const abs = Buffer.concat([Buffer.from(folder.path + '/'), entry.relPath]);
      const read = await readFileChunks(abs, entry, keys, gear, chunker, packer);
      if ('error' in read) {
        issues.push({
          folder: folder.path,
          relPath: entry.relPath,
          code: 'unreadable',
          message: read.error,
        });
        skipped.add(key);
        if (prior?.chunkIds) chunkLists.set(key, splitIds(prior.chunkIds));
        continue;
      }
      chunkLists.set(key, read.ids);
      progress.advance(entry.size, 1, Buffer.from(entry.relPath).toString());
      onProgress?.(progress.snapshot());
      fileUpdates.push(toRow(folder.id, read.entry, read.ids));
      files++;
    }
    for (const entry of scan.entries) {
      if (entry.kind !== 'file' && changed.has(pathKey(entry.relPath)))
        fileUpdates.push(toRow(folder.id, entry, null));
    }
    const present = scan.entries.filter(
      (e) => !(skipped.has(pathKey(e.relPath)) && !chunkLists.has(pathKey(e.relPath))),
    );
    roots.push({ path: folder.path, tree: await buildTrees(present, chunkLists, keys, packer) });
    removals.push({ folderId: folder.id, paths: scan.deleted });
    scanned.push(folder.id);
  }

  progress.setPhase('finishing');
  await packer.flush();
  const indexBlobs = await storeIndexOfUnlistedPacks(ctx);
  const parent = index.latestSnapshot();
  const commitFiles = () => {
    // A folder removed while this run read it has no rows to update any more.
    const still = new Set(index.folders().map((f) => f.id));
    index.upsertFiles(fileUpdates.filter((f) => still.has(f.folderId)));
    for (const r of removals) if (still.has(r.folderId)) index.removeFiles(r.folderId, r.paths);
    for (const id of scanned) if (still.has(id)) index.markScanned(id);
    for (const f of index.folders()) if (!f.paused) index.setFolderState(f.id, 'idle');
  };
  if (indexBlobs.length === 0 && parent && sameRoots(parent.record.roots, roots)) {
    // Same trees as the last snapshot: a rescan that found nothing new costs nothing.
    index.transaction(commitFiles);
    ctx.onFolderState?.();
    const parentBlob = index.snapshots().find((s) => s.id === parent.id)?.blobId ?? '';
    return {
      snapshot: parent.record,
      snapshotBlobId: parentBlob,
      files,
      newBytes: packer.newBytes,
      dedupedBytes: packer.dedupedBytes,
      packs,
      issues,
      unchanged: true,
    };
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
  ctx.onFolderState?.();
  return {
    snapshot,
    snapshotBlobId: stored.blobId,
    files,
    newBytes: packer.newBytes,
    dedupedBytes: packer.dedupedBytes,
    packs,
    issues,
    unchanged: false,
  };
}

function sameRoots(a: SnapshotRoot[], b: SnapshotRoot[]): boolean {
  return a.length === b.length && a.every((r, i) => r.path === b[i]!.path && r.tree === b[i]!.tree);
}

type ReadOutcome = { ids: string[]; entry: ScannedEntry } | { error: string };

/** Reads and chunks one file; re-reads it if it changed underneath, up to a few times. */
async function readFileChunks(
  path: Buffer,
  entry: ScannedEntry,
  keys: RepoKeys,
  gear: Uint32Array,
  params: ChunkerParams,
  packer: Packer,
): Promise<ReadOutcome> {
  for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
    try {
      const before = await lstat(path, { bigint: true });
      const ids: string[] = [];
      for await (const chunk of chunkStream(
        createReadStream(path, { highWaterMark: 1 << 20 }),
        gear,
        params,
      )) {
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
        return {
          ids,
          entry: {
            ...entry,
            size: Number(after.size),
            mtimeNs: after.mtimeNs.toString(),
            ctimeNs: after.ctimeNs.toString(),
            inode: after.ino.toString(),
          },
        };
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
): Promise<string> {
  const children = new Map<string, ScannedEntry[]>();
  for (const e of entries) {
    const rel = Buffer.from(e.relPath);
    const slash = rel.lastIndexOf(0x2f);
    const parent = slash < 0 ? '' : rel.subarray(0, slash).toString('latin1');
    children.set(parent, [...(children.get(parent) ?? []), e]);
  }
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
      else list.push({ ...base, type: 'file', chunks: chunkLists.get(pathKey(e.relPath)) ?? [] });
    }
    const bytes = encodeTree(list);
    const id = chunkId(keys.chunkIdKey, bytes);
    await packer.add(id, 'tree', bytes);
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
