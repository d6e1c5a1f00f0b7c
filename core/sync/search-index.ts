/**
 * The search index: every directory tree of the retained snapshots in SQLite, so finding a
 * name across the whole history, or one path's versions, is a query rather than a walk
 * through every snapshot (restic's `find` reads every tree of every snapshot each time).
 *
 * Trees are content-addressed, so the index keeps each tree once and a snapshot costs only
 * the trees it changed: an unchanged folder has an unchanged tree id, already indexed with
 * everything below it. A tree is recorded only after every tree below it, so "indexed"
 * always means "indexed with its whole subtree", and indexing stops at the first tree it
 * already has. Fed by a backup as it commits (from the trees the run built, no reads), by
 * any `TreeSource` — a `RepoReader` — when it has to catch up (after `index rebuild`, on a
 * new machine, after an upgrade), and told by retention which snapshots are forgotten.
 */
import { createHash } from 'node:crypto';
import type { Index } from '../index/index.js';
import type { SearchEntryRow } from '../index/search-tables.js';
import { nameToText } from '../repo/names.js';
import type { Snapshot } from '../repo/snapshot.js';
import { decodeTree, type TreeEntry } from '../repo/tree.js';
import { isNetworkUnavailable } from '../walrus/client/unavailable.js';
import { foldText } from './name-pattern.js';

/** Where trees are read from when the index lacks them (RepoReader is one). */
export interface TreeSource {
  tree(id: string): Promise<TreeEntry[]>;
}

/** A tree the index needs is neither indexed nor in the source. */
export class TreeNotAvailableError extends Error {
  constructor(id: string) {
    super(`tree ${id} is not at hand; the search index will read it from the network`);
    this.name = 'TreeNotAvailableError';
  }
}

/**
 * The trees a backup run built that the search index does not have yet — all a new
 * snapshot can need, as the run builds every tree of every folder it scans — so indexing
 * the snapshot it commits reads nothing from the network.
 */
export class BuiltTrees implements TreeSource {
  /**
   * Kept encoded, as they go into packs, and decoded when the index takes them in: about
   * a tenth of the memory of the entries themselves, which for a first backup of 100,000
   * files was a good part of its peak.
   */
  private readonly trees = new Map<string, Uint8Array>();

  constructor(private readonly index: Index) {}

  /** Tree `id`, as `encodeTree` wrote it. */
  add(id: string, encoded: Uint8Array): void {
    if (!this.trees.has(id) && this.index.search.treeId(hashOf(id)) === null)
      this.trees.set(id, encoded);
  }

  tree(id: string): Promise<TreeEntry[]> {
    const tree = this.trees.get(id);
    return tree ? Promise.resolve(decodeTree(tree)) : Promise.reject(new TreeNotAvailableError(id));
  }
}

/** What the index lacks: retained snapshots not indexed, indexed ones no longer retained. */
export interface SearchIndexLag {
  missing: Snapshot[];
  stale: string[];
}

/** A retained snapshot the index could not take in, and why (the network, a lost pack). */
export interface NotIndexed {
  snapshot: string;
  time: string;
  reason: string;
}

export interface CatchUpReport {
  added: number;
  dropped: number;
  /** Trees read from the source (those already indexed are never read). */
  treesRead: number;
  /** Left out, for now: searches answer from the rest and say so. */
  notIndexed: NotIndexed[];
}

export class SearchIndex {
  constructor(private readonly index: Index) {}

  /**
   * Indexes one snapshot's folder roots, reading from `source` only the trees the index
   * lacks; returns how many it read. All or nothing: the trees are gathered first and
   * written in one transaction.
   */
  async addSnapshot(snapshot: Snapshot, source: TreeSource): Promise<number> {
    const tables = this.index.search;
    if (tables.snapshotIndexed(snapshot.id)) return 0;
    const fresh = new Map<string, TreeEntry[]>();
    // Children before parents, the order they can be written in.
    const order: string[] = [];
    const visit = async (id: string): Promise<void> => {
      if (fresh.has(id) || tables.treeId(hashOf(id)) !== null) return;
      const entries = await source.tree(id);
      fresh.set(id, entries);
      for (const e of entries) if (e.type === 'dir') await visit(e.subtree!);
      order.push(id);
    };
    for (const root of snapshot.roots) await visit(root.tree);
    this.index.transaction(() => {
      const written = new Map<string, number>();
      const idOf = (hex: string): number => {
        const id = written.get(hex) ?? tables.treeId(hashOf(hex));
        // Only a concurrent clean-up could have dropped a tree seen a moment ago.
        if (id === null) throw new TreeNotAvailableError(hex);
        return id;
      };
      for (const hex of order)
        written.set(
          hex,
          tables.insertTree(
            hashOf(hex),
            fresh.get(hex)!.map((e) => row(e, idOf)),
          ),
        );
      tables.addSnapshot(
        snapshot.id,
        snapshot.time,
        snapshot.roots.map((r) => ({ folder: r.path, tree: idOf(r.tree) })),
      );
    });
    return fresh.size;
  }

  /** Forgotten snapshots leave the index, and with them every tree only they reached. */
  forget(snapshotIds: string[]): void {
    if (snapshotIds.length === 0) return;
    this.index.transaction(() => {
      this.index.search.dropSnapshots(snapshotIds);
      this.index.search.collectGarbage();
    });
  }

  lag(): SearchIndexLag {
    const indexed = new Set(this.index.search.indexedSnapshots().map((s) => s.id));
    const retained = this.index.snapshots().filter((s) => s.retained);
    const keep = new Set(retained.map((s) => s.id));
    return {
      missing: retained
        .filter((s) => !indexed.has(s.id))
        .map((s) => s.record)
        .reverse(),
      stale: [...indexed].filter((id) => !keep.has(id)),
    };
  }

  isCurrent(): boolean {
    const { missing, stale } = this.lag();
    return missing.length === 0 && stale.length === 0;
  }

  /**
   * Brings the index in line with the retained snapshots, oldest first. The source is
   * opened only when a snapshot is missing (a RepoReader reads every index blob to open):
   * dropping forgotten ones needs no network.
   */
  async catchUp(
    source: TreeSource | (() => Promise<TreeSource>),
    o: { skip?: ReadonlySet<string> } = {},
  ): Promise<CatchUpReport> {
    const { missing, stale } = this.lag();
    this.forget(stale);
    const todo = missing.filter((s) => !o.skip?.has(s.id));
    const report: CatchUpReport = { added: 0, dropped: stale.length, treesRead: 0, notIndexed: [] };
    const leftOut = (from: Snapshot[], error: unknown) =>
      report.notIndexed.push(
        ...from.map((s) => ({ snapshot: s.id, time: s.time, reason: (error as Error).message })),
      );
    if (todo.length === 0) return report;
    let from: TreeSource;
    try {
      from = typeof source === 'function' ? await source() : source;
    } catch (error) {
      leftOut(todo, error);
      return report;
    }
    // One unreadable snapshot (its packs gone) must not keep every other one from search.
    for (const [i, snapshot] of todo.entries()) {
      try {
        report.treesRead += await this.addSnapshot(snapshot, from);
        report.added++;
      } catch (error) {
        if (!isNetworkUnavailable(error)) leftOut([snapshot], error);
        else {
          leftOut(todo.slice(i), error);
          break;
        }
      }
    }
    return report;
  }

  /** Drops everything and indexes every retained snapshot again from `source`. */
  async rebuild(source: TreeSource | (() => Promise<TreeSource>)): Promise<CatchUpReport> {
    this.index.transaction(() => this.index.search.clear());
    return this.catchUp(source);
  }
}

/**
 * The backup's hook: indexes the snapshot it just committed from the trees it built. The
 * search index is a cache that the next search brings up to date, so a failure here (a
 * kept folder whose tree the index lacks) leaves the snapshot for then and never turns a
 * stored backup into a failed one.
 */
export async function indexCommittedSnapshot(
  index: Index,
  snapshot: Snapshot,
  built: BuiltTrees,
): Promise<boolean> {
  try {
    await new SearchIndex(index).addSnapshot(snapshot, built);
    return true;
  } catch {
    return false;
  }
}

function hashOf(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Versions are compared by this: the chunk list of a file, the tree of a folder. */
function contentKey(e: TreeEntry): Uint8Array {
  if (e.type === 'dir') return hashOf(e.subtree!).subarray(0, 16);
  const h = createHash('sha256').update(e.type);
  if (e.type === 'symlink') h.update(e.target ?? new Uint8Array());
  else for (const c of e.chunks ?? []) h.update(c);
  return new Uint8Array(h.digest().subarray(0, 16));
}

function row(e: TreeEntry, idOf: (hex: string) => number): SearchEntryRow {
  const name = nameToText(e.name);
  return {
    name,
    folded: foldText(name),
    type: e.type,
    size: e.size,
    mtimeMs: Number(BigInt(e.mtimeNs) / 1_000_000n),
    content: contentKey(e),
    subtree: e.type === 'dir' ? idOf(e.subtree!) : null,
  };
}
