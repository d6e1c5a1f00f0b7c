/**
 * `floe check`: is everything the snapshots reference really there? Structure first —
 * every snapshot opens, every tree is readable, every chunk is listed by an index blob in
 * a pack whose blob is certified and not expired, and every pack the local index counts
 * as live is certified on chain. With `readData`, every referenced pack is also read
 * back from the storage nodes (slivers verified, pack decrypted) and each referenced
 * chunk re-hashed — the only proof that the bytes themselves survive.
 */
import type { Index } from '../index/index.js';
import type { RepoKeys } from '../repo/keys.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { ProgressTracker, type ProgressSnapshot } from './progress.js';
import { RepoReader } from './repo-reader.js';
import { readSettings } from '../index/settings.js';
import { hasLapsed, renewalHorizon } from './lapsed-storage.js';
import { DEFAULT_RENEWAL } from './renewals.js';
import { StorageEndedError } from './repo-reader.js';
import { findSnapshots } from './restore.js';

export interface CheckReport {
  snapshots: number;
  trees: number;
  chunks: number;
  packsReferenced: number;
  packsRead: number;
  problems: string[];
  /** Not broken yet: storage the snapshots need that ends within the renewal window. */
  warnings: string[];
}

/** What a user can still do about data whose storage ended. */
const AFTER_LAPSE =
  'run "floe backup" to store the files still on this machine anew, and "floe forget" the snapshots that need it';

export async function checkRepository(
  client: WalrusClient,
  keys: RepoKeys,
  index: Index | null,
  o: { readData?: boolean; onProgress?: (p: ProgressSnapshot) => void } = {},
): Promise<CheckReport> {
  const owned = await client.listOwned();
  const state = await client.chain.systemState();
  const { epoch } = state;
  const certified = new Set(
    owned.filter((b) => b.state === 'certified' && b.endEpoch > epoch).map((b) => b.blobId),
  );
  const byId = new Map(owned.map((b) => [b.blobId, b]));
  const reader = await RepoReader.open(client, keys, owned);
  const report: CheckReport = {
    snapshots: 0,
    trees: 0,
    chunks: 0,
    packsReferenced: 0,
    packsRead: 0,
    problems: [],
    warnings: [],
  };
  let snapshots: Awaited<ReturnType<typeof findSnapshots>> = [];
  try {
    snapshots = await findSnapshots(client, keys);
  } catch (error) {
    if (!(error instanceof StorageEndedError)) throw error;
    report.problems.push(
      `${error.what}: storage ended at epoch ${error.endEpoch} before it was renewed; ${AFTER_LAPSE}`,
    );
  }
  report.snapshots = snapshots.length;
  // Data whose storage ended is reported once per blob, not once per chunk that needs it.
  const lapseReported = new Set<string>();
  const lapse = (key: string, text: string) => {
    if (lapseReported.has(key)) return;
    lapseReported.add(key);
    report.problems.push(text);
  };
  // Chunk → pack, for every chunk some snapshot references.
  const referenced = new Map<string, string>();
  const seenTrees = new Set<string>();
  const reference = (id: string, what: string) => {
    if (referenced.has(id)) return;
    const pack = reader.locate(id);
    const ended = pack ? byId.get(pack) : undefined;
    if (!pack) {
      const missing = reader.missing(id);
      if (missing instanceof StorageEndedError)
        lapse(
          'index',
          `${what}: chunk ${id} (and any others missing) was listed by an index blob whose storage ended at epoch ${missing.endEpoch}; ${AFTER_LAPSE}`,
        );
      else report.problems.push(`${what}: chunk ${id} is in no index blob`);
    } else if (ended && hasLapsed(ended, epoch))
      lapse(
        pack,
        `${what}: needs pack ${pack}, whose storage ended at epoch ${ended.endEpoch} before it was renewed; ${AFTER_LAPSE}`,
      );
    else if (!certified.has(pack))
      report.problems.push(`${what}: chunk ${id} is in pack ${pack}, which is not certified`);
    else referenced.set(id, pack);
  };
  const visit = async (treeId: string, where: string): Promise<void> => {
    if (seenTrees.has(treeId)) return;
    seenTrees.add(treeId);
    reference(treeId, where);
    let entries;
    try {
      entries = await reader.tree(treeId);
    } catch (error) {
      report.problems.push(`${where}: tree ${treeId} cannot be read: ${(error as Error).message}`);
      return;
    }
    for (const e of entries) {
      const path = `${where}/${Buffer.from(e.name).toString()}`;
      if (e.type === 'dir') await visit(e.subtree!, path);
      else for (const c of e.chunks ?? []) reference(c, path);
    }
  };
  for (const { snapshot } of snapshots)
    for (const root of snapshot.roots)
      await visit(root.tree, `${snapshot.id.slice(0, 8)}:${root.path}`);
  report.trees = seenTrees.size;
  report.chunks = referenced.size;

  if (index) {
    for (const pack of index.packs('certified')) {
      if (pack.liveBytes === 0 || !pack.blobId || certified.has(pack.blobId)) continue;
      const blob = byId.get(pack.blobId);
      if (blob && hasLapsed(blob, epoch))
        lapse(
          pack.blobId,
          `pack ${pack.blobId} is live in the local index but its storage ended at epoch ${blob.endEpoch}; ${AFTER_LAPSE}`,
        );
      else
        report.problems.push(
          `pack ${pack.blobId} is live in the local index but not certified on chain`,
        );
    }
  }

  const byPack = new Map<string, string[]>();
  for (const [chunk, pack] of referenced) byPack.set(pack, [...(byPack.get(pack) ?? []), chunk]);
  report.packsReferenced = byPack.size;

  // What the snapshots need and renewal must extend soon: the snapshot blobs, the packs,
  // and the index blobs that let a new machine find those packs.
  const horizon = renewalHorizon(state, index ? readSettings(index).renewal : DEFAULT_RENEWAL);
  const needed = new Set([...snapshots.map((f) => f.blob.blobId), ...byPack.keys()]);
  for (const p of reader.packs) if (byPack.has(p.blobId)) needed.add(p.indexBlobId);
  for (const id of needed) {
    const blob = byId.get(id);
    if (blob && blob.endEpoch <= horizon)
      report.warnings.push(
        `${blob.attributes.kind ?? 'blob'} ${id}: storage ends at epoch ${blob.endEpoch} (now ${epoch}), within the renewal window: ` +
          'run "floe renew" (or "floe backup", which renews) before then, or keep "floe watch" running',
      );
  }
  if (o.readData) {
    const progress = new ProgressTracker('reading packs');
    const sizes = new Map(owned.map((b) => [b.blobId, b.size]));
    progress.setTotals({
      files: byPack.size,
      bytes: [...byPack.keys()].reduce((n, id) => n + (sizes.get(id) ?? 0), 0),
    });
    for (const [packBlob, chunks] of byPack) {
      try {
        const pack = await reader.pack(packBlob);
        for (const id of chunks) pack.chunk(new Uint8Array(Buffer.from(id, 'hex')));
        report.packsRead++;
      } catch (error) {
        report.problems.push(`pack ${packBlob}: ${(error as Error).message}`);
      }
      progress.advance(sizes.get(packBlob) ?? 0, 1, packBlob);
      o.onProgress?.(progress.snapshot());
    }
  }
  return report;
}
