/**
 * The local index's schema, one numbered step at a time. A database newer than this code
 * is refused rather than misread; each step runs in its own transaction.
 */
export const MIGRATIONS: string[] = [
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE folders (
     id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, added_at INTEGER NOT NULL,
     paused INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'idle',
     last_scan_at INTEGER, last_error TEXT);
   CREATE TABLE files (
     folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
     rel_path BLOB NOT NULL, kind TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns TEXT NOT NULL,
     ctime_ns TEXT NOT NULL, inode TEXT NOT NULL, mode INTEGER NOT NULL, symlink_target BLOB,
     chunk_ids BLOB, state TEXT NOT NULL DEFAULT 'pending', error TEXT, scanned_at INTEGER NOT NULL,
     PRIMARY KEY (folder_id, rel_path)) WITHOUT ROWID;
   CREATE INDEX files_by_state ON files(state);
   CREATE TABLE packs (
     id BLOB PRIMARY KEY, blob_id TEXT, object_id TEXT, plain_size INTEGER NOT NULL,
     encoded_size INTEGER, end_epoch INTEGER, live_bytes INTEGER NOT NULL DEFAULT 0,
     total_bytes INTEGER NOT NULL, state TEXT NOT NULL, deletable INTEGER NOT NULL,
     created_at INTEGER NOT NULL, certified_epoch INTEGER);
   CREATE INDEX packs_by_state ON packs(state, end_epoch);
   CREATE TABLE chunks (
     id BLOB PRIMARY KEY, pack_id BLOB NOT NULL REFERENCES packs(id), offset INTEGER NOT NULL,
     length INTEGER NOT NULL, kind TEXT NOT NULL) WITHOUT ROWID;
   CREATE INDEX chunks_by_pack ON chunks(pack_id);
   CREATE TABLE snapshots (
     id TEXT PRIMARY KEY, time TEXT NOT NULL, blob_id TEXT, object_id TEXT,
     parent_id TEXT, retained INTEGER NOT NULL DEFAULT 1, record TEXT NOT NULL);
   CREATE TABLE journal (
     id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE renewals (
     id INTEGER PRIMARY KEY, time INTEGER NOT NULL, epoch INTEGER NOT NULL, object_id TEXT,
     blob_id TEXT, action TEXT NOT NULL, epochs INTEGER, cost_frost TEXT, reason TEXT NOT NULL);`,
  // Which index blob lists each pack: a pack certified but listed by none (its run was
  // killed before its index blob was committed) is listed by the next one.
  `ALTER TABLE packs ADD COLUMN index_blob_id TEXT;
   CREATE INDEX packs_unlisted ON packs(state) WHERE index_blob_id IS NULL;`,
  // The folder model's persisted state (core/sync/folder-model.ts): when the state began,
  // its facts (retry schedule, held deletions), changes seen and changes saved in a
  // snapshot (dirty while seen > saved), and a one-shot consent to record held deletions.
  // Problems: one row per condition (core/sync/problems.ts), counted, not repeated.
  `ALTER TABLE folders ADD COLUMN state_since INTEGER;
   ALTER TABLE folders ADD COLUMN state_detail TEXT;
   ALTER TABLE folders ADD COLUMN changes_seen INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE folders ADD COLUMN changes_saved INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE folders ADD COLUMN deletions_confirmed INTEGER NOT NULL DEFAULT 0;
   UPDATE folders SET state = 'idle' WHERE state = 'error';
   CREATE TABLE problems (
     key TEXT PRIMARY KEY, kind TEXT NOT NULL, folder TEXT, message TEXT NOT NULL,
     count INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL,
     resolved_at INTEGER);`,
  // The search index (core/sync/search-index.ts): each directory tree of the retained
  // snapshots once, by its content address (a tree indexed for one snapshot costs nothing
  // for the next), its entries with the case-folded text form of their names to match on,
  // and each indexed snapshot's folder roots. Queries walk from matching entries up to the
  // roots (search_entries_by_subtree), never through every tree.
  `CREATE TABLE search_trees (id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE);
   CREATE TABLE search_entries (
     tree INTEGER NOT NULL REFERENCES search_trees(id) ON DELETE CASCADE,
     name TEXT NOT NULL, folded TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL,
     mtime_ms INTEGER NOT NULL, content BLOB NOT NULL, subtree INTEGER,
     PRIMARY KEY (tree, name)) WITHOUT ROWID;
   CREATE INDEX search_entries_by_subtree ON search_entries(subtree) WHERE subtree IS NOT NULL;
   CREATE TABLE search_snapshots (id TEXT PRIMARY KEY, time TEXT NOT NULL);
   CREATE TABLE search_roots (
     snapshot TEXT NOT NULL REFERENCES search_snapshots(id) ON DELETE CASCADE,
     folder TEXT NOT NULL, tree INTEGER NOT NULL REFERENCES search_trees(id),
     PRIMARY KEY (snapshot, folder));
   CREATE INDEX search_roots_by_tree ON search_roots(tree);`,
  // Proof of storage (core/sync/proof.ts, spot-check.ts): the certificate each store of
  // this machine certified with (what Floe saw, beside what the chain records), and every
  // spot-check's outcome, node by node, kept to show health over time.
  `CREATE TABLE certifications (
     blob_id TEXT PRIMARY KEY, object_id TEXT NOT NULL, epoch INTEGER NOT NULL,
     signers TEXT NOT NULL, tx_digest TEXT NOT NULL, recorded_at INTEGER NOT NULL);
   CREATE TABLE spot_checks (
     id INTEGER PRIMARY KEY, time INTEGER NOT NULL, trigger TEXT NOT NULL, report TEXT NOT NULL);`,
];
