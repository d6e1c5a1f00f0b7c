/**
 * Floe's local index (better-sqlite3, WAL): folders, files as last seen, chunks and the
 * packs that hold them, snapshots, a journal of work in flight, and the renewal log. It
 * is a cache of what is on the network — `floe index rebuild` recreates it from the chain
 * and the blobs — except for the user's settings and folder list.
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import type { ChunkKind } from '../repo/pack.js';
import Database from 'better-sqlite3';
import { sqliteOptions } from './sqlite-binding.js';
import type { Snapshot } from '../repo/snapshot.js';
import { MIGRATIONS } from './migrations.js';
import { SearchTables } from './search-tables.js';
import { statementCache, type Prepare } from './statement-cache.js';
import type { Problem, ProblemKind } from '../sync/problems.js';

/** A folder's state: see core/sync/folder-model.ts, its only writer, for what each means. */
export type FolderState =
  | 'idle'
  | 'scanning'
  | 'uploading'
  | 'retrying'
  | 'failed'
  | 'paused'
  | 'missing'
  | 'offline'
  | 'held'
  | 'not-restored';

/** The facts some states carry. */
export interface FolderStateDetail {
  /** retrying / offline / failed: the attempt that failed and when the next one runs. */
  retry?: { attempt: number; nextAt: number };
  /** held: how many of the last snapshot's files the scan found gone. */
  held?: { deleted: number; total: number };
}
export type PackState = 'open' | 'sealed' | 'stored' | 'certified' | 'dead' | 'deleted';

export interface FolderRow {
  id: number;
  path: string;
  addedAt: number;
  paused: boolean;
  state: FolderState;
  /** When the folder entered its state (null for rows older than the folder model). */
  stateSince: number | null;
  detail: FolderStateDetail;
  lastScanAt: number | null;
  /** Why the folder is failed, missing, offline, retrying or held. */
  lastError: string | null;
  /** Changes seen that no snapshot holds yet. */
  dirty: boolean;
  changesSeen: number;
  changesSaved: number;
  /** The user agreed to record the held deletions at the next backup. */
  deletionsConfirmed: boolean;
}

/** What the folder model writes of a folder's state; fields left out stay as they are. */
export interface FolderStateUpdate {
  state?: FolderState;
  stateSince?: number;
  detail?: FolderStateDetail;
  lastError?: string | null;
  paused?: boolean;
  changesSeen?: number;
  changesSaved?: number;
  deletionsConfirmed?: boolean;
  lastScanAt?: number;
}

const FOLDER_COLUMNS: Record<keyof FolderStateUpdate, string> = {
  state: 'state',
  stateSince: 'state_since',
  detail: 'state_detail',
  lastError: 'last_error',
  paused: 'paused',
  changesSeen: 'changes_seen',
  changesSaved: 'changes_saved',
  deletionsConfirmed: 'deletions_confirmed',
  lastScanAt: 'last_scan_at',
};

export interface FileRow {
  folderId: number;
  relPath: Uint8Array;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  inode: string;
  mode: number;
  symlinkTarget: Uint8Array | null;
  /** Concatenated 32-byte chunk ids, in file order. */
  chunkIds: Uint8Array | null;
  state: 'indexed' | 'pending' | 'error';
  error: string | null;
  scannedAt: number;
}

export interface PackRow {
  id: Uint8Array;
  blobId: string | null;
  objectId: string | null;
  plainSize: number;
  encodedSize: number | null;
  endEpoch: number | null;
  liveBytes: number;
  totalBytes: number;
  state: PackState;
  deletable: boolean;
  createdAt: number;
  certifiedEpoch: number | null;
  /** The committed index blob that lists this pack for other machines (null: none yet). */
  indexBlobId: string | null;
}

export interface JournalEntry {
  id: number;
  kind: string;
  payload: unknown;
  state: 'pending' | 'done';
  attempts: number;
}

export interface RenewalRecord {
  time: number;
  epoch: number;
  objectId: string | null;
  blobId: string | null;
  /** 'forget': automatic retention forgot a snapshot (the reason names it). */
  action: 'extend' | 'delete' | 'expire' | 'compact' | 'forget' | 'error';
  epochs: number | null;
  costFrost: string | null;
  reason: string;
}

/** The certificate a store on this machine certified a blob with, as Floe saw it. */
export interface CertificationSeen {
  blobId: string;
  objectId: string;
  epoch: number;
  signerNodeIds: string[];
  txDigest: string;
}

export class IndexSchemaTooNewError extends Error {
  constructor(path: string, found: number, known: number) {
    super(
      `the index at ${path} has schema ${found}, newer than this Floe knows (${known}): update Floe, or rebuild the index`,
    );
    this.name = 'IndexSchemaTooNewError';
  }
}

/** Pack state changes that make sense; anything else is a bug that would corrupt the index. */
const PACK_TRANSITIONS: Record<PackState, PackState[]> = {
  open: ['sealed'],
  sealed: ['stored', 'dead'],
  stored: ['certified', 'dead'],
  certified: ['dead'],
  dead: ['deleted', 'certified'],
  deleted: [],
};

export class Index {
  /** The search index's tables (core/sync/search-index.ts writes them, find.ts reads). */
  readonly search: SearchTables;

  /** The statement for an SQL text, prepared once (statement-cache.ts). */
  private readonly sql: Prepare;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.search = new SearchTables(db);
    this.sql = statementCache(db);
  }

  static open(path: string): Index {
    // File names are private: the index (and the -wal and -shm files SQLite gives the
    // database's mode) is the owner's alone, also where an older Floe made it 0644.
    closeSync(openSync(path, 'a', 0o600));
    for (const file of [path, `${path}-wal`, `${path}-shm`])
      if (existsSync(file)) chmodSync(file, 0o600);
    const db = new Database(path, sqliteOptions());
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts; the
    // journal makes lost work redo itself, and the network holds the truth.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      db.close();
      throw new IndexSchemaTooNewError(path, version, MIGRATIONS.length);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
    return new Index(db, path);
  }

  /** SQLite's own consistency check of the file: 'ok' or what is wrong. */
  quickCheck(): string {
    const rows = this.db.pragma('quick_check') as { quick_check: string }[];
    return rows.map((r) => r.quick_check).join('; ');
  }

  /** Idempotent: a command that swaps the index file closes it before its session does. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      // A full disk cannot take the checkpoint (the file grows before the log shrinks);
      // what was committed is safe in the write-ahead log and checkpointed at the next open.
      if ((error as { code?: unknown }).code !== 'SQLITE_FULL') throw error;
    }
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- settings ----

  getSetting<T>(key: string, fallback: T): T {
    const row = this.sql('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : fallback;
  }

  setSetting(key: string, value: unknown): void {
    this.sql(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
    ).run(key, JSON.stringify(value));
  }

  // ---- folders ----

  addFolder(path: string, now = Date.now(), state: FolderState = 'idle'): FolderRow {
    this.sql(
      'INSERT INTO folders (path, added_at, state, state_since) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(path, now, state, now);
    return this.folderByPath(path)!;
  }

  removeFolder(id: number): void {
    this.sql('DELETE FROM folders WHERE id = ?').run(id);
  }

  folders(): FolderRow[] {
    return (this.sql('SELECT * FROM folders ORDER BY id').all() as Record<string, unknown>[]).map(
      toFolder,
    );
  }

  folderByPath(path: string): FolderRow | null {
    const row = this.sql('SELECT * FROM folders WHERE path = ?').get(path) as
      Record<string, unknown> | undefined;
    return row ? toFolder(row) : null;
  }

  folder(id: number): FolderRow | null {
    const row = this.sql('SELECT * FROM folders WHERE id = ?').get(id) as
      Record<string, unknown> | undefined;
    return row ? toFolder(row) : null;
  }

  /** For the folder model alone (core/sync/folder-model.ts): nothing else writes a folder's state. */
  updateFolder(id: number, update: FolderStateUpdate): void {
    const names = (Object.keys(update) as (keyof FolderStateUpdate)[]).filter(
      (k) => update[k] !== undefined,
    );
    if (!names.length) return;
    const values = names.map((k) => {
      const v = update[k];
      return k === 'detail' ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
    this.sql(
      `UPDATE folders SET ${names.map((k) => `${FOLDER_COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`,
    ).run(...values, id);
  }

  // ---- files ----

  *files(folderId: number): Generator<FileRow> {
    // Its own statement: an iteration holds it busy, and two may overlap.
    for (const row of this.db
      .prepare('SELECT * FROM files WHERE folder_id = ? ORDER BY rel_path')
      .iterate(folderId)) {
      yield toFile(row as Record<string, unknown>);
    }
  }

  file(folderId: number, relPath: Uint8Array): FileRow | null {
    const row = this.sql('SELECT * FROM files WHERE folder_id = ? AND rel_path = ?').get(
      folderId,
      Buffer.from(relPath),
    );
    return row ? toFile(row as Record<string, unknown>) : null;
  }

  /** One transaction for the whole batch: a scan of 100k files is one commit, not 100k. */
  upsertFiles(rows: FileRow[]): void {
    const stmt = this.sql(
      `INSERT INTO files (folder_id, rel_path, kind, size, mtime_ns, ctime_ns, inode, mode, symlink_target, chunk_ids, state, error, scanned_at)
       VALUES (@folderId, @relPath, @kind, @size, @mtimeNs, @ctimeNs, @inode, @mode, @symlinkTarget, @chunkIds, @state, @error, @scannedAt)
       ON CONFLICT (folder_id, rel_path) DO UPDATE SET kind = excluded.kind, size = excluded.size, mtime_ns = excluded.mtime_ns,
         ctime_ns = excluded.ctime_ns, inode = excluded.inode, mode = excluded.mode, symlink_target = excluded.symlink_target,
         chunk_ids = excluded.chunk_ids, state = excluded.state, error = excluded.error, scanned_at = excluded.scanned_at`,
    );
    this.transaction(() => {
      for (const r of rows) {
        stmt.run({
          ...r,
          relPath: Buffer.from(r.relPath),
          symlinkTarget: r.symlinkTarget ? Buffer.from(r.symlinkTarget) : null,
          chunkIds: r.chunkIds ? Buffer.from(r.chunkIds) : null,
        });
      }
    });
  }

  removeFiles(folderId: number, relPaths: Uint8Array[]): void {
    const stmt = this.sql('DELETE FROM files WHERE folder_id = ? AND rel_path = ?');
    this.transaction(() => relPaths.forEach((p) => stmt.run(folderId, Buffer.from(p))));
  }

  // ---- chunks and packs ----

  /** Whether a stored pack holds the chunk — one whose storage ends after `endsAfter`, if given. */
  hasChunk(id: Uint8Array, endsAfter?: number): boolean {
    if (endsAfter === undefined)
      return this.sql('SELECT 1 FROM chunks WHERE id = ?').get(Buffer.from(id)) !== undefined;
    return (
      this.sql(
        'SELECT 1 FROM chunks c JOIN packs p ON p.id = c.pack_id WHERE c.id = ? AND p.end_epoch > ?',
      ).get(Buffer.from(id), endsAfter) !== undefined
    );
  }

  chunkLocation(id: Uint8Array): {
    packId: Uint8Array;
    offset: number;
    length: number;
    kind: string;
    blobId: string | null;
  } | null {
    const row = this.sql(
      'SELECT c.pack_id, c.offset, c.length, c.kind, p.blob_id FROM chunks c JOIN packs p ON p.id = c.pack_id WHERE c.id = ?',
    ).get(Buffer.from(id)) as
      | { pack_id: Buffer; offset: number; length: number; kind: string; blob_id: string | null }
      | undefined;
    return row
      ? {
          packId: new Uint8Array(row.pack_id),
          offset: row.offset,
          length: row.length,
          kind: row.kind,
          blobId: row.blob_id,
        }
      : null;
  }

  /** Records a sealed pack and its chunks together: the chunks are findable only if the pack is. */
  addPack(
    pack: Omit<PackRow, 'state' | 'liveBytes' | 'indexBlobId'>,
    chunks: { id: Uint8Array; offset: number; length: number; kind: string }[],
  ): void {
    this.transaction(() => {
      this.sql(
        `INSERT INTO packs (id, blob_id, object_id, plain_size, encoded_size, end_epoch, live_bytes, total_bytes, state, deletable, created_at, certified_epoch)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sealed', ?, ?, ?)`,
      ).run(
        Buffer.from(pack.id),
        pack.blobId,
        pack.objectId,
        pack.plainSize,
        pack.encodedSize,
        pack.endEpoch,
        pack.totalBytes,
        pack.totalBytes,
        pack.deletable ? 1 : 0,
        pack.createdAt,
        pack.certifiedEpoch,
      );
      const stmt = this.sql(
        // Replace: a chunk stored again (compaction) is found in its newest pack.
        'INSERT OR REPLACE INTO chunks (id, pack_id, offset, length, kind) VALUES (?, ?, ?, ?, ?)',
      );
      for (const c of chunks)
        stmt.run(Buffer.from(c.id), Buffer.from(pack.id), c.offset, c.length, c.kind);
    });
  }

  pack(id: Uint8Array): PackRow | null {
    const row = this.sql('SELECT * FROM packs WHERE id = ?').get(Buffer.from(id));
    return row ? toPack(row as Record<string, unknown>) : null;
  }

  packs(state?: PackState): PackRow[] {
    const rows = state
      ? this.sql('SELECT * FROM packs WHERE state = ? ORDER BY created_at').all(state)
      : this.sql('SELECT * FROM packs ORDER BY created_at').all();
    return (rows as Record<string, unknown>[]).map(toPack);
  }

  setPackState(
    id: Uint8Array,
    state: PackState,
    fields: Partial<
      Pick<PackRow, 'blobId' | 'objectId' | 'encodedSize' | 'endEpoch' | 'certifiedEpoch'>
    > = {},
  ): void {
    const current = this.pack(id);
    if (!current) throw new Error(`no pack ${Buffer.from(id).toString('hex')} in the index`);
    if (current.state !== state && !PACK_TRANSITIONS[current.state].includes(state)) {
      throw new Error(
        `pack ${Buffer.from(id).toString('hex')} cannot go from ${current.state} to ${state}`,
      );
    }
    this.sql(
      `UPDATE packs SET state = ?, blob_id = COALESCE(?, blob_id), object_id = COALESCE(?, object_id),
           encoded_size = COALESCE(?, encoded_size), end_epoch = COALESCE(?, end_epoch), certified_epoch = COALESCE(?, certified_epoch)
         WHERE id = ?`,
    ).run(
      state,
      fields.blobId ?? null,
      fields.objectId ?? null,
      fields.encodedSize ?? null,
      fields.endEpoch ?? null,
      fields.certifiedEpoch ?? null,
      Buffer.from(id),
    );
  }

  /** The chunks the index locates in this pack. */
  packChunks(
    packId: Uint8Array,
  ): { id: Uint8Array; offset: number; length: number; kind: ChunkKind }[] {
    return (
      this.sql('SELECT id, offset, length, kind FROM chunks WHERE pack_id = ? ORDER BY offset').all(
        Buffer.from(packId),
      ) as {
        id: Buffer;
        offset: number;
        length: number;
        kind: ChunkKind;
      }[]
    ).map((r) => ({ id: new Uint8Array(r.id), offset: r.offset, length: r.length, kind: r.kind }));
  }

  /** Certified packs that no committed index blob lists yet. */
  unlistedPacks(): PackRow[] {
    return (
      this.sql(
        "SELECT * FROM packs WHERE state = 'certified' AND index_blob_id IS NULL ORDER BY created_at",
      ).all() as Record<string, unknown>[]
    ).map(toPack);
  }

  /** The index blob's storage ended: its packs are listed by none, until the next backup lists them. */
  unlistPacks(indexBlobId: string): void {
    this.sql('UPDATE packs SET index_blob_id = NULL WHERE index_blob_id = ?').run(indexBlobId);
  }

  markListed(packIds: Uint8Array[], indexBlobId: string): void {
    const stmt = this.sql('UPDATE packs SET index_blob_id = ? WHERE id = ?');
    this.transaction(() => {
      for (const id of packIds) stmt.run(indexBlobId, Buffer.from(id));
    });
  }

  /** Forgets where these chunks are, so a backup that meets them again stores them anew. */
  dropChunks(ids: Uint8Array[]): void {
    const stmt = this.sql('DELETE FROM chunks WHERE id = ?');
    this.transaction(() => {
      for (const id of ids) stmt.run(Buffer.from(id));
    });
  }

  setPackLiveBytes(id: Uint8Array, liveBytes: number): void {
    this.sql('UPDATE packs SET live_bytes = ? WHERE id = ?').run(liveBytes, Buffer.from(id));
  }

  // ---- snapshots ----

  addSnapshot(snapshot: Snapshot, blobId: string | null, objectId: string | null): void {
    this.sql(
      'INSERT OR REPLACE INTO snapshots (id, time, blob_id, object_id, parent_id, retained, record) VALUES (?, ?, ?, ?, ?, 1, ?)',
    ).run(snapshot.id, snapshot.time, blobId, objectId, snapshot.parent, JSON.stringify(snapshot));
  }

  snapshots(): {
    id: string;
    blobId: string | null;
    objectId: string | null;
    retained: boolean;
    record: Snapshot;
  }[] {
    return (
      this.sql('SELECT * FROM snapshots ORDER BY time DESC, id DESC').all() as {
        id: string;
        blob_id: string | null;
        object_id: string | null;
        retained: number;
        record: string;
      }[]
    ).map((r) => ({
      id: r.id,
      blobId: r.blob_id,
      objectId: r.object_id,
      retained: r.retained === 1,
      record: JSON.parse(r.record) as Snapshot,
    }));
  }

  /** Forgotten snapshots stay listed but no longer keep their blobs alive. */
  setSnapshotRetained(id: string, retained: boolean): void {
    this.sql('UPDATE snapshots SET retained = ? WHERE id = ?').run(retained ? 1 : 0, id);
  }

  latestSnapshot(): { id: string; record: Snapshot } | null {
    return this.snapshots().find((s) => s.retained) ?? null;
  }

  // ---- journal ----

  /** Records an intent before an irreversible step; `complete` clears it after the index commit. */
  begin(kind: string, payload: unknown, now = Date.now()): number {
    return Number(
      this.sql(
        "INSERT INTO journal (kind, payload, state, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)",
      ).run(kind, JSON.stringify(payload), now, now).lastInsertRowid,
    );
  }

  /** Replaces an entry's payload, e.g. with an id learnt halfway through the step. */
  updateJournal(id: number, payload: unknown, now = Date.now()): void {
    this.sql('UPDATE journal SET payload = ?, updated_at = ? WHERE id = ?').run(
      JSON.stringify(payload),
      now,
      id,
    );
  }

  complete(id: number, now = Date.now()): void {
    this.sql("UPDATE journal SET state = 'done', updated_at = ? WHERE id = ?").run(now, id);
  }

  retry(id: number, now = Date.now()): void {
    this.sql('UPDATE journal SET attempts = attempts + 1, updated_at = ? WHERE id = ?').run(
      now,
      id,
    );
  }

  pending(kind?: string): JournalEntry[] {
    const rows = (
      kind
        ? this.sql("SELECT * FROM journal WHERE state = 'pending' AND kind = ? ORDER BY id").all(
            kind,
          )
        : this.sql("SELECT * FROM journal WHERE state = 'pending' ORDER BY id").all()
    ) as {
      id: number;
      kind: string;
      payload: string;
      state: 'pending';
      attempts: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      payload: JSON.parse(r.payload) as unknown,
      state: r.state,
      attempts: r.attempts,
    }));
  }

  // ---- problems (core/sync/problems.ts) ----

  /** A condition happened: a new entry, or one more of an unresolved one (a resolved one starts over). */
  upsertProblem(p: {
    key: string;
    kind: string;
    folder: string | null;
    message: string;
    at: number;
  }): void {
    this.sql(
      `INSERT INTO problems (key, kind, folder, message, count, first_at, last_at, resolved_at)
         VALUES (@key, @kind, @folder, @message, 1, @at, @at, NULL)
         ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, folder = excluded.folder,
           message = excluded.message, last_at = excluded.last_at,
           count = CASE WHEN resolved_at IS NULL THEN count + 1 ELSE 1 END,
           first_at = CASE WHEN resolved_at IS NULL THEN first_at ELSE excluded.first_at END,
           resolved_at = NULL`,
    ).run(p);
  }

  problem(key: string): Problem | null {
    const row = this.sql('SELECT * FROM problems WHERE key = ?').get(key) as
      Record<string, unknown> | undefined;
    return row ? toProblem(row) : null;
  }

  /** Marks unresolved problems whose key is `prefix` or starts with `prefix:` as resolved. */
  resolveProblems(prefix: string, at: number): Problem[] {
    const rows = this.sql(
      `UPDATE problems SET resolved_at = ? WHERE resolved_at IS NULL AND (key = ? OR substr(key, 1, ?) = ?) RETURNING *`,
    ).all(at, prefix, prefix.length + 1, `${prefix}:`) as Record<string, unknown>[];
    return rows.map(toProblem);
  }

  dropResolvedProblems(before: number): void {
    this.sql('DELETE FROM problems WHERE resolved_at IS NOT NULL AND resolved_at < ?').run(before);
  }

  problems(): Problem[] {
    return (
      this.sql(
        'SELECT * FROM problems ORDER BY resolved_at IS NOT NULL, last_at DESC, rowid DESC LIMIT 200',
      ).all() as Record<string, unknown>[]
    ).map(toProblem);
  }

  // ---- proof of storage (core/sync/proof.ts, core/sync/spot-check.ts) ----

  /** What this machine's store of a blob certified it with. */
  recordCertification(c: CertificationSeen, now = Date.now()): void {
    this.sql(
      'INSERT OR REPLACE INTO certifications (blob_id, object_id, epoch, signers, tx_digest, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(c.blobId, c.objectId, c.epoch, JSON.stringify(c.signerNodeIds), c.txDigest, now);
  }

  certificationSeen(blobId: string): CertificationSeen | null {
    const r = this.sql('SELECT * FROM certifications WHERE blob_id = ?').get(blobId) as
      Record<string, unknown> | undefined;
    return r
      ? {
          blobId: r.blob_id as string,
          objectId: r.object_id as string,
          epoch: r.epoch as number,
          signerNodeIds: JSON.parse(r.signers as string) as string[],
          txDigest: r.tx_digest as string,
        }
      : null;
  }

  logSpotCheck(time: number, trigger: string, report: unknown): void {
    this.sql('INSERT INTO spot_checks (time, trigger, report) VALUES (?, ?, ?)').run(
      time,
      trigger,
      JSON.stringify(report),
    );
  }

  /** The spot-checks, newest first. */
  spotChecks<T>(limit = 50): { time: number; trigger: string; report: T }[] {
    return (
      this.sql('SELECT * FROM spot_checks ORDER BY id DESC LIMIT ?').all(limit) as {
        time: number;
        trigger: string;
        report: string;
      }[]
    ).map((r) => ({ time: r.time, trigger: r.trigger, report: JSON.parse(r.report) as T }));
  }

  // ---- renewals ----

  logRenewal(r: RenewalRecord): void {
    this.sql(
      'INSERT INTO renewals (time, epoch, object_id, blob_id, action, epochs, cost_frost, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(r.time, r.epoch, r.objectId, r.blobId, r.action, r.epochs, r.costFrost, r.reason);
  }

  renewals(limit = 100): RenewalRecord[] {
    return (
      this.sql('SELECT * FROM renewals ORDER BY id DESC LIMIT ?').all(limit) as Record<
        string,
        unknown
      >[]
    ).map((r) => ({
      time: r.time as number,
      epoch: r.epoch as number,
      objectId: r.object_id as string | null,
      blobId: r.blob_id as string | null,
      action: r.action as RenewalRecord['action'],
      epochs: r.epochs as number | null,
      costFrost: r.cost_frost as string | null,
      reason: r.reason as string,
    }));
  }
}

function toProblem(r: Record<string, unknown>): Problem {
  return {
    key: r.key as string,
    kind: r.kind as ProblemKind,
    folder: r.folder as string | null,
    message: r.message as string,
    count: r.count as number,
    firstAt: r.first_at as number,
    lastAt: r.last_at as number,
    resolvedAt: r.resolved_at as number | null,
  };
}

function toFolder(r: Record<string, unknown>): FolderRow {
  const seen = r.changes_seen as number;
  const saved = r.changes_saved as number;
  return {
    id: r.id as number,
    path: r.path as string,
    addedAt: r.added_at as number,
    paused: r.paused === 1,
    state: r.state as FolderState,
    stateSince: r.state_since as number | null,
    detail: r.state_detail ? (JSON.parse(r.state_detail as string) as FolderStateDetail) : {},
    lastScanAt: r.last_scan_at as number | null,
    lastError: r.last_error as string | null,
    dirty: seen > saved,
    changesSeen: seen,
    changesSaved: saved,
    deletionsConfirmed: r.deletions_confirmed === 1,
  };
}

function bytes(v: unknown): Uint8Array | null {
  return v ? new Uint8Array(v as Buffer) : null;
}

function toFile(r: Record<string, unknown>): FileRow {
  return {
    folderId: r.folder_id as number,
    relPath: new Uint8Array(r.rel_path as Buffer),
    kind: r.kind as FileRow['kind'],
    size: r.size as number,
    mtimeNs: r.mtime_ns as string,
    ctimeNs: r.ctime_ns as string,
    inode: r.inode as string,
    mode: r.mode as number,
    symlinkTarget: bytes(r.symlink_target),
    chunkIds: bytes(r.chunk_ids),
    state: r.state as FileRow['state'],
    error: r.error as string | null,
    scannedAt: r.scanned_at as number,
  };
}

function toPack(r: Record<string, unknown>): PackRow {
  return {
    id: new Uint8Array(r.id as Buffer),
    blobId: r.blob_id as string | null,
    objectId: r.object_id as string | null,
    plainSize: r.plain_size as number,
    encodedSize: r.encoded_size as number | null,
    endEpoch: r.end_epoch as number | null,
    liveBytes: r.live_bytes as number,
    totalBytes: r.total_bytes as number,
    state: r.state as PackState,
    deletable: r.deletable === 1,
    createdAt: r.created_at as number,
    certifiedEpoch: r.certified_epoch as number | null,
    indexBlobId: r.index_blob_id as string | null,
  };
}
