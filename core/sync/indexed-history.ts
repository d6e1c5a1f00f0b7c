/**
 * The snapshots the search index holds, in time order, with each one's folder roots: the
 * frame both searches (find.ts) and version lists (versions.ts) are read against.
 */
import type { Index } from '../index/index.js';
import type { SearchRoot } from '../index/search-tables.js';
import { inRange, type DateRange } from './date-range.js';
import { SnapshotSet } from './snapshot-set.js';

/** A folder that no indexed snapshot holds. */
export class UnknownFolderError extends Error {
  constructor(
    readonly folder: string | null,
    known: string[],
  ) {
    super(
      known.length === 0
        ? 'there are no snapshots yet: back up first'
        : `no snapshot holds the folder ${folder}; the snapshots hold ${known.join(', ')}`,
    );
    this.name = 'UnknownFolderError';
  }
}

/** A path was given without its folder, and the snapshots hold more than one. */
export class FolderRequiredError extends Error {
  constructor(readonly known: string[]) {
    super(`say which folder the path is in: the snapshots hold ${known.join(', ')}`);
    this.name = 'FolderRequiredError';
  }
}

export class IndexedHistory {
  /** Oldest first; a snapshot's position here is its bit in a `SnapshotSet`. */
  readonly snapshots: { id: string; time: string }[];
  readonly position = new Map<string, number>();
  /** Every folder root, oldest snapshot first. */
  readonly roots: SearchRoot[];

  constructor(index: Index) {
    this.snapshots = index.search.indexedSnapshots();
    this.snapshots.forEach((s, i) => this.position.set(s.id, i));
    this.roots = index.search.roots();
  }

  folders(): string[] {
    return [...new Set(this.roots.map((r) => r.folder))].sort();
  }

  rootsOf(folder: string): SearchRoot[] {
    return this.roots.filter((r) => r.folder === folder);
  }

  /** The position of the newest snapshot holding `folder` (-1 if none does). */
  latestOf(folder: string): number {
    const roots = this.rootsOf(folder);
    return roots.length ? this.position.get(roots[roots.length - 1]!.snapshot)! : -1;
  }

  /** The snapshots taken within `range` (holding `folder`, if given). */
  select(range: DateRange, folder?: string): SnapshotSet {
    const set = SnapshotSet.empty(this.snapshots.length);
    for (const r of this.roots)
      if ((folder === undefined || r.folder === folder) && inRange(range, r.time))
        set.add(this.position.get(r.snapshot)!);
    return set;
  }

  /** `folder` itself if some snapshot holds it; the only folder when none is named. */
  resolveFolder(folder: string | undefined): string {
    const known = this.folders();
    if (folder === undefined) {
      if (known.length === 1) return known[0]!;
      if (known.length === 0) throw new UnknownFolderError(null, known);
      throw new FolderRequiredError(known);
    }
    if (!known.includes(folder)) throw new UnknownFolderError(folder, known);
    return folder;
  }
}
