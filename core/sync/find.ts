/**
 * Finding a name across every snapshot (`floe find`, `GET /api/search`), answered from the
 * search index: the entries whose folded name matches are found in SQL, then each one's
 * tree is followed up to the snapshot roots that reach it — once per tree, however many
 * snapshots share it — and the hits are grouped by path: one result per file or folder,
 * with how many distinct versions of it the snapshots hold.
 */
import type { Index } from '../index/index.js';
import type { SearchEntryType, StoredEntry } from '../index/search-tables.js';
import { pathToText, textToPath } from '../repo/names.js';
import type { DateRange } from './date-range.js';
import { IndexedHistory } from './indexed-history.js';
import { parseNamePattern, type MatchMode } from './name-pattern.js';
import { SnapshotSet } from './snapshot-set.js';

export interface FindQuery {
  pattern: string;
  /** Default 'auto': a glob when the pattern has `*`, `?` or `[`, else a substring. */
  mode?: MatchMode | 'auto';
  /** Only this folder (its path when backed up). */
  folder?: string;
  /** Only below this path inside the folder(s), in the text form. */
  under?: string;
  /** Only what snapshots taken in this range held. */
  range?: DateRange;
  type?: SearchEntryType;
  /** Results returned at most (default 100); `total` counts them all. */
  limit?: number;
}

export interface SnapshotRef {
  snapshot: string;
  time: string;
}

export interface FoundPath {
  folder: string;
  /** Inside the folder, in the text form (core/repo/names.ts). */
  path: string;
  name: string;
  /** What the path is in the newest snapshot (in range) holding it. */
  type: SearchEntryType;
  /** Distinct contents (chunk lists, folder trees) among the snapshots holding it. */
  versions: number;
  /** How many snapshots (in range) hold it. */
  snapshots: number;
  first: SnapshotRef;
  /** The newest snapshot (in range) holding it, and the entry there. */
  last: SnapshotRef & { size: number; mtime: string };
  /** The folder's newest snapshot still holds it (false: deleted since, or moved). */
  inLatest: boolean;
}

export interface FindResult {
  mode: MatchMode;
  results: FoundPath[];
  /** Paths matched; more than `results.length` when the limit cut the list. */
  total: number;
  truncated: boolean;
  /** Snapshots the query looked at (in range and holding the folder asked for). */
  snapshotsSearched: number;
}

export const DEFAULT_FIND_LIMIT = 100;

/** Where a tree sits: a folder, a directory path in it, and the snapshots that have it there. */
interface Placement {
  folder: string;
  dir: string;
  snapshots: SnapshotSet;
}

interface Group {
  folder: string;
  path: string;
  name: string;
  snapshots: SnapshotSet;
  /** In range or not: for `inLatest`. */
  anywhere: SnapshotSet;
  contents: Set<string>;
  newest: StoredEntry;
  newestAt: number;
}

export function findPaths(index: Index, q: FindQuery): FindResult {
  const pattern = parseNamePattern(q.pattern, q.mode);
  const history = new IndexedHistory(index);
  const tables = index.search;
  const n = history.snapshots.length;
  const selected = history.select(q.range ?? { fromMs: null, untilMs: null }, q.folder);
  const under = q.under ? pathToText(textToPath(q.under)) : '';

  const placed = new Map<number, Placement[]>();
  const placementsOf = (tree: number): Placement[] => {
    const known = placed.get(tree);
    if (known) return known;
    const found = new Map<string, Placement>();
    const add = (folder: string, dir: string, snapshots: SnapshotSet) => {
      const key = `${folder}\0${dir}`;
      const p = found.get(key);
      if (p) p.snapshots.addAll(snapshots);
      else found.set(key, { folder, dir, snapshots: SnapshotSet.of(n, snapshots.positions()) });
    };
    for (const root of tables.rootsAt(tree)) {
      const at = history.position.get(root.snapshot);
      if (at === undefined || (q.folder !== undefined && root.folder !== q.folder)) continue;
      add(root.folder, '', SnapshotSet.of(n, [at]));
    }
    for (const parent of tables.parents(tree))
      for (const p of placementsOf(parent.tree))
        add(p.folder, p.dir ? `${p.dir}/${parent.name}` : parent.name, p.snapshots);
    const list = [...found.values()];
    placed.set(tree, list);
    return list;
  };

  const groups = new Map<string, Group>();
  for (const entry of tables.matching(pattern.mode, pattern.folded, q.type ?? null)) {
    for (const p of placementsOf(entry.tree)) {
      const hits = p.snapshots.intersect(selected);
      if (hits.isEmpty()) continue;
      const path = p.dir ? `${p.dir}/${entry.name}` : entry.name;
      if (under && !path.startsWith(`${under}/`)) continue;
      const key = `${p.folder}\0${path}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          folder: p.folder,
          path,
          name: entry.name,
          snapshots: SnapshotSet.empty(n),
          anywhere: SnapshotSet.empty(n),
          contents: new Set(),
          newest: entry,
          newestAt: -1,
        };
        groups.set(key, g);
      }
      g.snapshots.addAll(hits);
      g.anywhere.addAll(p.snapshots);
      g.contents.add(versionKey(entry));
      const newest = hits.last();
      if (newest > g.newestAt) [g.newest, g.newestAt] = [entry, newest];
    }
  }

  // Byte order of the UTF-8 text, as paths sort everywhere else in Floe.
  const sorted = [...groups.values()]
    .map((g) => ({ g, key: Buffer.from(`${g.folder}\0${g.path}`) }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map((s) => s.g);
  const limit = q.limit ?? DEFAULT_FIND_LIMIT;
  const ref = (at: number): SnapshotRef => ({
    snapshot: history.snapshots[at]!.id,
    time: history.snapshots[at]!.time,
  });
  return {
    mode: pattern.mode,
    results: sorted.slice(0, limit).map((g) => ({
      folder: g.folder,
      path: g.path,
      name: g.name,
      type: g.newest.type,
      versions: g.contents.size,
      snapshots: g.snapshots.size(),
      first: ref(g.snapshots.first()),
      last: {
        ...ref(g.newestAt),
        size: g.newest.size,
        mtime: new Date(g.newest.mtimeMs).toISOString(),
      },
      inLatest: g.anywhere.has(history.latestOf(g.folder)),
    })),
    total: sorted.length,
    truncated: sorted.length > limit,
    snapshotsSearched: selected.size(),
  };
}

/** Two entries are one version when this is equal: a folder's tree, a file's chunk list. */
export function versionKey(e: Pick<StoredEntry, 'type' | 'content' | 'subtree'>): string {
  return e.type === 'dir' ? `d${e.subtree}` : `${e.type[0]}${e.content}`;
}
