/**
 * The versions of one file or folder (`floe versions`, `GET /api/versions`): the path is
 * looked up in every indexed snapshot of its folder — one indexed lookup per name and
 * distinct tree, no tree read — and snapshots holding the same content (a file's chunk
 * list, a folder's tree) are one version. The answer also lays the versions out over time:
 * which version each snapshot holds (or none: not there yet, or deleted), and the
 * snapshots where the path changed, which is a folder's "Browse history".
 */
import type { Index } from '../index/index.js';
import type { SearchEntryType, StoredEntry } from '../index/search-tables.js';
import { nameToText, textToPath } from '../repo/names.js';
import { versionKey, type SnapshotRef } from './find.js';
import { IndexedHistory } from './indexed-history.js';

export interface PathVersion {
  type: SearchEntryType;
  size: number;
  /** Modification time in the newest snapshot holding it; null for a folder's own root. */
  mtime: string | null;
  /** A folder: how many entries it holds directly. */
  entries?: number;
  /** The snapshots holding this version, oldest first. */
  snapshots: SnapshotRef[];
  firstSeen: string;
  lastSeen: string;
  /** The folder's newest snapshot holds this version: it is what is backed up now. */
  inLatest: boolean;
  /** What `POST /api/restores` takes to bring this version back (add a `target`). */
  restore: { snapshot: string; folder: string; path: string };
}

export interface PathChange extends SnapshotRef {
  /** 'recreated': back after snapshots that did not hold it. */
  kind: 'created' | 'changed' | 'deleted' | 'recreated';
  /** The version from this snapshot on (an index into `versions`); null once deleted. */
  version: number | null;
  /** A folder: how its direct entries differ from the version before (all added when created). */
  entries?: { added: number; removed: number; modified: number };
}

export interface PathVersions {
  folder: string;
  /** The path inside the folder, text form ('' for the folder itself). */
  path: string;
  name: string;
  /** Newest first: by the newest snapshot holding each. */
  versions: PathVersion[];
  /** Every snapshot of the folder, oldest first, with the version it holds (null: none). */
  history: (SnapshotRef & { version: number | null })[];
  /** The snapshots where the path appeared, changed or went, newest first. */
  changes: PathChange[];
}

/** No indexed snapshot of the folder ever held the path. */
export class PathNotInHistoryError extends Error {
  constructor(folder: string, path: string) {
    super(`${path} is in no snapshot of ${folder}`);
    this.name = 'PathNotInHistoryError';
  }
}

type Found = Pick<StoredEntry, 'type' | 'size' | 'mtimeMs' | 'content' | 'subtree'> & {
  isRoot: boolean;
};

/** `folder` may be left out when the snapshots hold one folder only. */
export function pathVersions(
  index: Index,
  folder: string | undefined,
  pathText: string,
): PathVersions {
  const history = new IndexedHistory(index);
  const root = history.resolveFolder(folder);
  const names = textToPath(pathText).map(nameToText);
  const path = names.join('/');
  const tables = index.search;

  // Resolved once per (tree, depth): snapshots that share a folder's tree share the answer.
  const memo = new Map<string, StoredEntry | null>();
  const lookup = (tree: number, depth: number): StoredEntry | null => {
    const key = `${tree}:${depth}`;
    if (memo.has(key)) return memo.get(key)!;
    const e = tables.entry(tree, names[depth]!);
    const found =
      !e || depth === names.length - 1
        ? e
        : e.type === 'dir'
          ? lookup(e.subtree!, depth + 1)
          : null;
    memo.set(key, found);
    return found;
  };

  const versions: (PathVersion & { key: string; found: Found })[] = [];
  const byKey = new Map<string, number>();
  const timeline: { ref: SnapshotRef; at: number | null }[] = [];
  for (const r of history.rootsOf(root)) {
    const ref = { snapshot: r.snapshot, time: r.time };
    const entry = names.length ? lookup(r.tree, 0) : null;
    const found: Found | null = !names.length
      ? { type: 'dir', size: 0, mtimeMs: 0, content: '', subtree: r.tree, isRoot: true }
      : entry && { ...entry, isRoot: false };
    if (!found) {
      timeline.push({ ref, at: null });
      continue;
    }
    const key = versionKey(found);
    let at = byKey.get(key);
    if (at === undefined) {
      at = versions.length;
      byKey.set(key, at);
      versions.push({
        key,
        found,
        type: found.type,
        size: found.size,
        mtime: null,
        snapshots: [],
        firstSeen: r.time,
        lastSeen: r.time,
        inLatest: false,
        restore: { snapshot: r.snapshot, folder: root, path },
      });
    }
    // The newest snapshot holding a version describes it, and is the one to restore from.
    const v = versions[at]!;
    v.snapshots.push(ref);
    v.lastSeen = r.time;
    v.size = found.size;
    v.mtime = found.isRoot ? null : new Date(found.mtimeMs).toISOString();
    v.restore.snapshot = r.snapshot;
    v.found = found;
    timeline.push({ ref, at });
  }
  if (versions.length === 0) throw new PathNotInHistoryError(root, path || root);

  const last = timeline[timeline.length - 1];
  if (last?.at !== null && last?.at !== undefined) versions[last.at]!.inLatest = true;
  // Newest first, by the last snapshot holding each: what is backed up now comes first.
  const order = versions
    .map((v, at) => ({ v, at }))
    .sort((a, b) => b.v.lastSeen.localeCompare(a.v.lastSeen) || b.at - a.at);
  const position = new Map(order.map(({ at }, i) => [at, i]));
  const renumber = (at: number | null) => (at === null ? null : position.get(at)!);

  const changes: PathChange[] = [];
  let previous: number | null = null;
  let seen = false;
  for (const { ref, at } of timeline) {
    if (at === previous) continue;
    const kind: PathChange['kind'] =
      at === null ? 'deleted' : previous !== null ? 'changed' : seen ? 'recreated' : 'created';
    const change: PathChange = { ...ref, kind, version: renumber(at) };
    const now = at === null ? null : versions[at]!.found;
    if (now?.type === 'dir') {
      const before = previous === null ? null : versions[previous]!.found;
      change.entries =
        before?.type === 'dir'
          ? tables.diff(before.subtree!, now.subtree!)
          : { added: tables.entryCount(now.subtree!), removed: 0, modified: 0 };
    }
    changes.push(change);
    previous = at;
    seen ||= at !== null;
  }

  return {
    folder: root,
    path,
    name: names.length ? names[names.length - 1]! : root,
    versions: order.map(({ v: { key: _key, found, ...v } }) =>
      found.type === 'dir' ? { ...v, entries: tables.entryCount(found.subtree!) } : v,
    ),
    history: timeline.map(({ ref, at }) => ({ ...ref, version: renumber(at) })),
    changes: changes.reverse(),
  };
}
