/**
 * The ledger's SQLite file. Every ledger transaction runs inside one SQLite transaction,
 * so a refused or crashed transaction leaves no trace and a restart loses nothing.
 */
import Database from 'better-sqlite3';
import { sqliteOptions } from '../../index/sqlite-binding.js';
import { statementCache } from '../../index/statement-cache.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE accounts (
     address TEXT PRIMARY KEY, sui TEXT NOT NULL DEFAULT '0', wal TEXT NOT NULL DEFAULT '0',
     nonce INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE nodes (
     idx INTEGER PRIMARY KEY, node_id TEXT UNIQUE NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL,
     bls_public_key BLOB NOT NULL, operator TEXT NOT NULL, stake TEXT NOT NULL,
     rewards TEXT NOT NULL DEFAULT '0', slashed TEXT NOT NULL DEFAULT '0');
   CREATE TABLE shards (shard INTEGER PRIMARY KEY, node_idx INTEGER NOT NULL REFERENCES nodes(idx));
   CREATE TABLE stakes (
     stake_id TEXT PRIMARY KEY, owner TEXT NOT NULL, node_idx INTEGER NOT NULL, amount TEXT NOT NULL,
     activation_epoch INTEGER NOT NULL, withdrawn INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE storage (
     storage_id TEXT PRIMARY KEY, owner TEXT NOT NULL, start_epoch INTEGER NOT NULL,
     end_epoch INTEGER NOT NULL, size INTEGER NOT NULL);
   CREATE TABLE blobs (
     object_id TEXT PRIMARY KEY, blob_id TEXT NOT NULL, root_hash BLOB NOT NULL, size INTEGER NOT NULL,
     encoding_type INTEGER NOT NULL, registered_epoch INTEGER NOT NULL, certified_epoch INTEGER,
     start_epoch INTEGER NOT NULL, end_epoch INTEGER NOT NULL, storage_size INTEGER NOT NULL,
     deletable INTEGER NOT NULL, owner TEXT NOT NULL, state TEXT NOT NULL);
   CREATE INDEX blobs_by_owner ON blobs(owner, object_id);
   CREATE INDEX blobs_by_blob_id ON blobs(blob_id);
   CREATE INDEX blobs_by_end ON blobs(state, end_epoch);
   CREATE TABLE attributes (
     object_id TEXT NOT NULL REFERENCES blobs(object_id), key TEXT NOT NULL, value TEXT NOT NULL,
     PRIMARY KEY (object_id, key));
   CREATE TABLE future_fees (epoch INTEGER PRIMARY KEY, amount TEXT NOT NULL);
   CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, epoch INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL);`,
  `CREATE TABLE challenges (
     challenge_id TEXT PRIMARY KEY, epoch INTEGER NOT NULL, node_idx INTEGER NOT NULL,
     object_id TEXT NOT NULL, blob_id TEXT NOT NULL, pair_index INTEGER NOT NULL,
     symbol_index INTEGER NOT NULL, state TEXT NOT NULL);
   CREATE INDEX challenges_by_epoch ON challenges(epoch, state);`,
  // What Sui's transaction lookup tells an upload relay: when, the first (auth) input,
  // and the net balance changes.
  `CREATE TABLE transactions (
     digest TEXT PRIMARY KEY, sender TEXT NOT NULL, timestamp_ms INTEGER NOT NULL,
     auth_payload BLOB, balance_changes TEXT NOT NULL);`,
  // The contract's economics (storage_accounting.move, staking_pool.move): each epoch's
  // account holds its rewards and the capacity reserved for it; nodes vote prices and
  // capacity; a blob keeps the storage resource it was registered with, id and all.
  // Votes left NULL and capacities unknown are filled in from the genesis on open.
  `CREATE TABLE epoch_accounts (
     epoch INTEGER PRIMARY KEY, rewards TEXT NOT NULL DEFAULT '0',
     used_capacity TEXT NOT NULL DEFAULT '0');
   INSERT INTO epoch_accounts (epoch, rewards) SELECT epoch, amount FROM future_fees;
   DROP TABLE future_fees;
   ALTER TABLE nodes ADD COLUMN storage_price_vote TEXT;
   ALTER TABLE nodes ADD COLUMN write_price_vote TEXT;
   ALTER TABLE nodes ADD COLUMN capacity_vote TEXT;
   ALTER TABLE blobs ADD COLUMN storage_id TEXT;`,
  // The epoch change in phases (staking_inner.move's EpochState): the committee chosen for
  // the next epoch at voting end, the previous one kept while shards move, and the nodes
  // that have reported their shards received.
  `CREATE TABLE next_shards (shard INTEGER PRIMARY KEY, node_idx INTEGER NOT NULL);
   CREATE TABLE previous_shards (shard INTEGER PRIMARY KEY, node_idx INTEGER NOT NULL);
   INSERT INTO previous_shards SELECT shard, node_idx FROM shards;
   CREATE TABLE sync_done (
     epoch INTEGER NOT NULL, node_idx INTEGER NOT NULL, PRIMARY KEY (epoch, node_idx));`,
  // What Sui keeps that a proof of storage reads back: each transaction's call (its
  // inputs: a certify's signers, signature and message), its epoch and the object it is
  // about, and each epoch's committee (the System object at that epoch's versions).
  `ALTER TABLE transactions ADD COLUMN epoch INTEGER;
   ALTER TABLE transactions ADD COLUMN call TEXT;
   ALTER TABLE transactions ADD COLUMN object_id TEXT;
   CREATE INDEX transactions_by_object ON transactions(object_id);
   CREATE TABLE committees (epoch INTEGER PRIMARY KEY, members TEXT NOT NULL);`,
];

export type LedgerDb = Database.Database;

export function openLedgerDb(path: string): LedgerDb {
  const db = new Database(path, sqliteOptions());
  db.pragma('journal_mode = WAL');
  // FULL: a ledger transaction that was acknowledged must survive a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new Error(
      `ledger database ${path} has schema ${version}, newer than this Floe knows (${MIGRATIONS.length})`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  // The ledger's modules all prepare through the handle they are given, and none iterates
  // a statement: remembered here, each of their statements is compiled once.
  db.prepare = statementCache(db) as typeof db.prepare;
  return db;
}
