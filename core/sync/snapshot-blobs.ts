/**
 * Which Walrus blobs hold a snapshot — what must survive for it to be restored: its own
 * snapshot blob, every pack holding one of its trees or file chunks (trees live inside
 * packs too), and the index blobs that list those packs. Found as a new machine would, by
 * walking the snapshot's trees through the account's index blobs.
 */
import type { RepoReader } from './repo-reader.js';

export interface SnapshotBlobs {
  /** The snapshot blob itself (null when the index never learnt it). */
  snapshotBlobId: string | null;
  /** Pack blob id → how many of the snapshot's trees and file chunks it holds. */
  packs: Map<string, { trees: number; chunks: number }>;
  indexBlobIds: string[];
  /** Chunks no index blob lists: the snapshot cannot be fully restored. */
  unlocated: number;
}

export async function snapshotBlobs(
  reader: RepoReader,
  snapshot: { blobId: string | null; roots: { tree: string }[] },
): Promise<SnapshotBlobs> {
  const packs = new Map<string, { trees: number; chunks: number }>();
  const seen = new Set<string>();
  let unlocated = 0;
  const count = (id: string, what: 'trees' | 'chunks') => {
    if (seen.has(id)) return;
    seen.add(id);
    const blob = reader.locate(id);
    if (!blob) return void unlocated++;
    const entry = packs.get(blob) ?? { trees: 0, chunks: 0 };
    entry[what]++;
    packs.set(blob, entry);
  };
  const visit = async (tree: string): Promise<void> => {
    if (seen.has(tree)) return;
    count(tree, 'trees');
    for (const e of await reader.tree(tree)) {
      if (e.type === 'dir') await visit(e.subtree!);
      else for (const c of e.chunks ?? []) count(c, 'chunks');
    }
  };
  for (const root of snapshot.roots) await visit(root.tree);
  const indexBlobIds = new Set(
    reader.packs.filter((p) => packs.has(p.blobId)).map((p) => p.indexBlobId),
  );
  return { snapshotBlobId: snapshot.blobId, packs, indexBlobIds: [...indexBlobIds], unlocated };
}
