/**
 * `floe forget`: apply a retention policy to the snapshots, then find what the retained
 * ones still reference and let the rest go (DESIGN §6). Liveness comes from walking the
 * retained snapshots' trees; a pack with no live chunk becomes dead (renewal deletes it),
 * and a pack whose live fraction is below `compactBelow` has its live chunks rewritten
 * into new packs — paying once to store the live bytes again is cheaper than renewing
 * the dead bytes beside them for every epoch to come. The newest snapshot is always
 * kept: the index's file rows, which the next backup trusts, describe it.
 */
import type { Index, PackRow } from '../index/index.js';
import { chunkIdHex } from '../repo/chunk-id.js';
import type { RepoKeys } from '../repo/keys.js';
import { applyRetention, type RetentionPolicy } from '../repo/retention.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { EncodingConfig } from '../walrus/encoding/config.js';
import { DEFAULT_PACK_SIZE } from './backup.js';
import { commitIndexBlob, storeIndexOfUnlistedPacks, storePack } from './journalled-store.js';
import { Packer } from './packer.js';
import { recoverInterruptedStores } from './recovery.js';
import { LIVE_INDEX_BLOBS } from './renewals.js';
import { RepoReader } from './repo-reader.js';
import { SearchIndex } from './search-index.js';

export interface PruneContext {
  index: Index;
  keys: RepoKeys;
  client: WalrusClient;
  /** Epochs rewritten packs are paid for. */
  epochs: number;
}

export interface PruneOptions {
  policy: RetentionPolicy;
  /** Rewrite packs whose live fraction is below this (0 disables compaction). */
  compactBelow?: number;
  /** Decide and report, change nothing. */
  dryRun?: boolean;
}

export interface PruneReport {
  kept: { id: string; time: string; reasons: string[] }[];
  forgotten: { id: string; time: string }[];
  livePacks: number;
  deadPacks: number;
  compactedPacks: number;
  /** Live bytes stored again by compaction. */
  rewrittenBytes: number;
  /** Bytes in packs that no retained snapshot needs any more. */
  reclaimableBytes: number;
}

export const DEFAULT_COMPACT_BELOW = 0.5;

export async function forgetAndPrune(ctx: PruneContext, o: PruneOptions): Promise<PruneReport> {
  const { index, keys, client } = ctx;
  if (!o.dryRun) await recoverInterruptedStores(index, client);
  // Forgotten is for good (its packs may already be deleted): the policy picks among the
  // snapshots still retained, and a forgotten one is never "forgotten" again.
  const all = index
    .snapshots()
    .filter((s) => s.retained)
    .map((s) => ({ ...s, time: s.record.time }));
  const decision = applyRetention(all, o.policy);
  const newest = all.slice().sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
  const keep = new Map(decision.keep.map((k) => [k.snapshot.id, k.reasons]));
  if (newest && !keep.has(newest.id)) keep.set(newest.id, ['newest']);
  const report: PruneReport = {
    kept: all
      .filter((s) => keep.has(s.id))
      .map((s) => ({ id: s.id, time: s.time, reasons: keep.get(s.id)! })),
    forgotten: all.filter((s) => !keep.has(s.id)).map((s) => ({ id: s.id, time: s.time })),
    livePacks: 0,
    deadPacks: 0,
    compactedPacks: 0,
    rewrittenBytes: 0,
    reclaimableBytes: 0,
  };

  const reader = await RepoReader.open(client, keys);
  const live = await liveChunks(
    reader,
    all.filter((s) => keep.has(s.id)).flatMap((s) => s.record.roots.map((r) => r.tree)),
  );
  const certified = index.packs('certified');
  const sparse: PackRow[] = [];
  const dead: PackRow[] = [];
  for (const pack of certified) {
    const chunks = index.packChunks(pack.id);
    const liveBytes = chunks.reduce((n, c) => n + (live.has(chunkIdHex(c.id)) ? c.length : 0), 0);
    report.reclaimableBytes += pack.totalBytes - liveBytes;
    if (!o.dryRun) index.setPackLiveBytes(pack.id, liveBytes);
    if (liveBytes === 0) dead.push(pack);
    else if (liveBytes < pack.totalBytes * (o.compactBelow ?? DEFAULT_COMPACT_BELOW))
      sparse.push(pack);
    else report.livePacks++;
  }
  report.deadPacks = dead.length;
  report.compactedPacks = sparse.length;
  if (o.dryRun) {
    report.livePacks += sparse.length;
    report.rewrittenBytes = sparse.reduce((n, p) => n + p.liveBytes, 0);
    return report;
  }

  index.transaction(() => {
    for (const s of all) index.setSnapshotRetained(s.id, keep.has(s.id));
    for (const pack of dead) retirePack(index, pack);
    // Searches and version lists stop showing what was forgotten, in the same commit.
    new SearchIndex(index).forget(report.forgotten.map((f) => f.id));
  });
  const compaction = await compact(ctx, reader, sparse, live);
  report.rewrittenBytes = compaction.bytes;
  const certifiedAfter = index.packs('certified');
  report.livePacks = certifiedAfter.length;

  // Index blobs stay live while they list a live pack; compaction's new one is among them.
  const livePackBlobs = new Set(certifiedAfter.map((p) => p.blobId));
  const liveIndex = new Set(
    reader.packs.filter((p) => livePackBlobs.has(p.blobId)).map((p) => p.indexBlobId),
  );
  for (const id of compaction.indexBlobIds) liveIndex.add(id);
  index.setSetting(LIVE_INDEX_BLOBS, [...liveIndex]);
  return report;
}

/** Every chunk (tree or data) the given root trees reach; each tree is read once. */
async function liveChunks(reader: RepoReader, roots: string[]): Promise<Set<string>> {
  const live = new Set<string>();
  const visitTree = async (id: string): Promise<void> => {
    if (live.has(id)) return;
    live.add(id);
    for (const e of await reader.tree(id)) {
      if (e.type === 'dir') await visitTree(e.subtree!);
      else for (const c of e.chunks ?? []) live.add(c);
    }
  };
  for (const root of roots) await visitTree(root);
  return live;
}

/** A pack nothing needs: dead in the index, its chunks no longer offered for dedup. */
function retirePack(index: Index, pack: PackRow): void {
  index.dropChunks(index.packChunks(pack.id).map((c) => c.id));
  index.setPackLiveBytes(pack.id, 0);
  index.setPackState(pack.id, 'dead');
}

/** Rewrites the live chunks of sparse packs into new packs, then retires the old ones. */
async function compact(
  ctx: PruneContext,
  reader: RepoReader,
  sparse: PackRow[],
  live: Set<string>,
): Promise<{ bytes: number; indexBlobIds: string[] }> {
  if (sparse.length === 0) return { bytes: 0, indexBlobIds: [] };
  const { index, keys } = ctx;
  const capacity = new EncodingConfig((await ctx.client.chain.systemState()).nShards).maxBlobSize;
  const packer = new Packer(keys, {
    targetSize: Math.min(DEFAULT_PACK_SIZE, capacity),
    maxSize: capacity,
    // Everything offered here is already in the index (in its old pack): store it anyway.
    isStored: () => false,
    store: async (pack) => {
      await storePack(ctx, pack);
    },
  });
  for (const pack of sparse) {
    const opened = await reader.pack(pack.blobId!);
    for (const entry of opened.entries) {
      if (live.has(chunkIdHex(entry.id)))
        await packer.add(entry.id, entry.kind, opened.chunk(entry.id));
    }
  }
  await packer.flush();
  // Restores find the moved chunks through this index blob (RepoReader reads them all).
  const indexBlobs = await storeIndexOfUnlistedPacks(ctx);
  index.transaction(() => {
    for (const blob of indexBlobs) commitIndexBlob(index, blob);
    // The live chunks now point at the new packs; what is left in the old ones is dead.
    for (const pack of sparse) retirePack(index, pack);
  });
  return { bytes: packer.newBytes, indexBlobIds: indexBlobs.map((b) => b.blobId) };
}
