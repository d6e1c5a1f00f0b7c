/**
 * The search index's tables (migration 4): trees by content address, their entries with
 * folded names, and the roots of each indexed snapshot. SQL only; what is indexed when,
 * and how a query walks the trees, is core/sync/search-index.ts and core/sync/find.ts.
 */
import type Database from 'better-sqlite3';

export type SearchEntryType = 'file' | 'dir' | 'symlink';

/** One directory entry as the search index keeps it. */
export interface SearchEntryRow {
  /** The name's text form (core/repo/names.ts): it maps back to the raw bytes exactly. */
  name: string;
  /** The text form case-folded, which patterns are matched against. */
  folded: string;
  type: SearchEntryType;
  size: number;
  mtimeMs: number;
  /** What makes two versions the same: a digest of a file's chunk list, a folder's tree id. */
  content: Uint8Array;
  /** A folder's tree (its search_trees id). */
  subtree: number | null;
}

/** An entry read back: `content` as hex, for comparing versions. */
export interface StoredEntry {
  tree: number;
  name: string;
  type: SearchEntryType;
  size: number;
  mtimeMs: number;
  content: string;
  subtree: number | null;
}

/** A folder root of an indexed snapshot. */
export interface SearchRoot {
  snapshot: string;
  time: string;
  folder: string;
  tree: number;
}

const ENTRY_COLUMNS =
  'tree, name, type, size, mtime_ms AS mtimeMs, hex(content) AS content, subtree';

export class SearchTables {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      treeId: p('SELECT id FROM search_trees WHERE hash = ?').pluck(),
      insertTree: p('INSERT OR IGNORE INTO search_trees (hash) VALUES (?)'),
      insertEntry: p(
        `INSERT INTO search_entries (tree, name, folded, type, size, mtime_ms, content, subtree)
         VALUES (@tree, @name, @folded, @type, @size, @mtimeMs, @content, @subtree)`,
      ),
      snapshotIndexed: p('SELECT 1 FROM search_snapshots WHERE id = ?').pluck(),
      indexedSnapshots: p('SELECT id, time FROM search_snapshots ORDER BY time, id'),
      insertSnapshot: p('INSERT OR IGNORE INTO search_snapshots (id, time) VALUES (?, ?)'),
      insertRoot: p('INSERT OR IGNORE INTO search_roots (snapshot, folder, tree) VALUES (?, ?, ?)'),
      dropSnapshot: p('DELETE FROM search_snapshots WHERE id = ?'),
      collectGarbage: p(
        `WITH RECURSIVE live(id) AS (
           SELECT tree FROM search_roots
           UNION
           SELECT e.subtree FROM search_entries e JOIN live ON e.tree = live.id
           WHERE e.subtree IS NOT NULL)
         DELETE FROM search_trees WHERE id NOT IN (SELECT id FROM live)`,
      ),
      parents: p('SELECT tree, name FROM search_entries WHERE subtree = ?'),
      rootsAt: p('SELECT snapshot, folder FROM search_roots WHERE tree = ?'),
      roots: p(
        `SELECT r.snapshot, s.time, r.folder, r.tree FROM search_roots r
         JOIN search_snapshots s ON s.id = r.snapshot ORDER BY s.time, s.id, r.folder`,
      ),
      entry: p(`SELECT ${ENTRY_COLUMNS} FROM search_entries WHERE tree = ? AND name = ?`),
      entryCount: p('SELECT count(*) FROM search_entries WHERE tree = ?').pluck(),
      diff: p(
        `SELECT
           (SELECT count(*) FROM search_entries n WHERE n.tree = @after AND NOT EXISTS
              (SELECT 1 FROM search_entries o WHERE o.tree = @before AND o.name = n.name)) AS added,
           (SELECT count(*) FROM search_entries o WHERE o.tree = @before AND NOT EXISTS
              (SELECT 1 FROM search_entries n WHERE n.tree = @after AND n.name = o.name)) AS removed,
           (SELECT count(*) FROM search_entries n JOIN search_entries o
              ON o.tree = @before AND o.name = n.name
            WHERE n.tree = @after AND (o.content != n.content OR o.type != n.type)) AS modified`,
      ),
      counts: p(
        `SELECT (SELECT count(*) FROM search_trees) AS trees,
                (SELECT count(*) FROM search_entries) AS entries,
                (SELECT count(*) FROM search_snapshots) AS snapshots`,
      ),
    };
  }

  treeId(hash: Uint8Array): number | null {
    return (this.q.treeId.get(Buffer.from(hash)) as number | undefined) ?? null;
  }

  /**
   * Records a tree and its entries (whose subtrees must be recorded already); a tree
   * already there (another process indexed it meanwhile) is left as it is.
   */
  insertTree(hash: Uint8Array, entries: SearchEntryRow[]): number {
    const key = Buffer.from(hash);
    const { changes, lastInsertRowid } = this.q.insertTree.run(key);
    if (changes === 0) return this.treeId(key)!;
    const tree = Number(lastInsertRowid);
    for (const e of entries)
      this.q.insertEntry.run({ ...e, tree, content: Buffer.from(e.content) });
    return tree;
  }

  snapshotIndexed(id: string): boolean {
    return this.q.snapshotIndexed.get(id) !== undefined;
  }

  indexedSnapshots(): { id: string; time: string }[] {
    return this.q.indexedSnapshots.all() as { id: string; time: string }[];
  }

  addSnapshot(id: string, time: string, roots: { folder: string; tree: number }[]): void {
    this.q.insertSnapshot.run(id, time);
    for (const r of roots) this.q.insertRoot.run(id, r.folder, r.tree);
  }

  dropSnapshots(ids: string[]): void {
    for (const id of ids) this.q.dropSnapshot.run(id);
  }

  /** Deletes the trees no indexed snapshot reaches any more; returns how many. */
  collectGarbage(): number {
    return this.q.collectGarbage.run().changes;
  }

  /** Empties every search table (for a rebuild). */
  clear(): void {
    this.db.exec(
      'DELETE FROM search_roots; DELETE FROM search_snapshots; DELETE FROM search_entries; DELETE FROM search_trees;',
    );
  }

  counts(): { trees: number; entries: number; snapshots: number } {
    return this.q.counts.get() as { trees: number; entries: number; snapshots: number };
  }

  /**
   * Every entry whose folded name contains `folded` ('substring') or matches it as an
   * SQLite GLOB ('glob'), in any indexed tree; `type` narrows to one kind.
   */
  *matching(
    how: 'substring' | 'glob',
    folded: string,
    type: SearchEntryType | null,
  ): Generator<StoredEntry> {
    const test = how === 'glob' ? 'folded GLOB @pattern' : 'instr(folded, @pattern) > 0';
    const sql = `SELECT ${ENTRY_COLUMNS} FROM search_entries WHERE ${test}${type ? ' AND type = @type' : ''}`;
    yield* this.db.prepare(sql).iterate({ pattern: folded, type }) as Iterable<StoredEntry>;
  }

  /** The entries (tree and name) that name this tree as their folder. */
  parents(tree: number): { tree: number; name: string }[] {
    return this.q.parents.all(tree) as { tree: number; name: string }[];
  }

  /** The snapshot folders whose root this tree is. */
  rootsAt(tree: number): { snapshot: string; folder: string }[] {
    return this.q.rootsAt.all(tree) as { snapshot: string; folder: string }[];
  }

  /** Every indexed snapshot's folder roots, oldest snapshot first. */
  roots(): SearchRoot[] {
    return this.q.roots.all() as SearchRoot[];
  }

  entry(tree: number, name: string): StoredEntry | null {
    return (this.q.entry.get(tree, name) as StoredEntry | undefined) ?? null;
  }

  /** How many entries a folder's tree lists directly. */
  entryCount(tree: number): number {
    return this.q.entryCount.get(tree) as number;
  }

  /** How the direct entries of folder tree `after` differ from those of `before`. */
  diff(before: number, after: number): { added: number; removed: number; modified: number } {
    return this.q.diff.get({ before, after }) as {
      added: number;
      removed: number;
      modified: number;
    };
  }
}
