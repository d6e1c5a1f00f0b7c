import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Index, IndexSchemaTooNewError, type FileRow } from '../../core/index/index.js';

async function withIndex(fn: (index: Index, path: string) => Promise<void> | void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-index-'));
  const path = join(dir, 'index.db');
  const index = Index.open(path);
  try {
    await fn(index, path);
  } finally {
    try {
      index.close();
    } catch {
      // already closed by the test
    }
    await rm(dir, { recursive: true, force: true });
  }
}

function fileRow(folderId: number, name: Uint8Array, extra: Partial<FileRow> = {}): FileRow {
  return {
    folderId,
    relPath: name,
    kind: 'file',
    size: 10,
    mtimeNs: '1700000000000000000',
    ctimeNs: '1700000000000000000',
    inode: '42',
    mode: 0o100644,
    symlinkTarget: null,
    chunkIds: null,
    state: 'pending',
    error: null,
    scannedAt: 1,
    ...extra,
  };
}

test('folders, files with raw-byte names, and settings survive a reopen', async () => {
  await withIndex((index, path) => {
    const folder = index.addFolder('/home/ann/Documents');
    index.setSetting('retention', { daily: 7 });
    const odd = Uint8Array.of(0x61, 0xff, 0x2f, 0x62);
    index.upsertFiles([
      fileRow(folder.id, odd, { chunkIds: new Uint8Array(64).fill(7), state: 'indexed' }),
    ]);
    index.close();
    const again = Index.open(path);
    assert.deepEqual(
      again.folders().map((f) => f.path),
      ['/home/ann/Documents'],
    );
    assert.deepEqual(again.getSetting('retention', null), { daily: 7 });
    const row = again.file(folder.id, odd)!;
    assert.deepEqual(row.relPath, odd);
    assert.equal(row.chunkIds!.length, 64);
    again.close();
  });
});

test('a scan-sized batch of files is one transaction', async () => {
  await withIndex((index) => {
    const folder = index.addFolder('/data');
    const rows = Array.from({ length: 100_000 }, (_, i) =>
      fileRow(folder.id, new TextEncoder().encode(`dir${i % 100}/file${i}`)),
    );
    index.upsertFiles(rows);
    let n = 0;
    for (const _ of index.files(folder.id)) n++;
    assert.equal(n, 100_000);
    index.removeFiles(
      folder.id,
      rows.slice(0, 10).map((r) => r.relPath),
    );
    assert.equal(index.file(folder.id, rows[0]!.relPath), null);
  });
});

test('removing a folder removes its files', async () => {
  await withIndex((index) => {
    const folder = index.addFolder('/x');
    index.upsertFiles([fileRow(folder.id, new Uint8Array([1]))]);
    index.removeFolder(folder.id);
    assert.equal(index.file(folder.id, new Uint8Array([1])), null);
  });
});

test('a pack and its chunks are recorded together and move only through legal states', async () => {
  await withIndex((index) => {
    const packId = new Uint8Array(randomBytes(32));
    const chunk = new Uint8Array(randomBytes(32));
    index.addPack(
      {
        id: packId,
        blobId: null,
        objectId: null,
        plainSize: 1000,
        encodedSize: null,
        endEpoch: null,
        totalBytes: 900,
        deletable: true,
        createdAt: 1,
        certifiedEpoch: null,
      },
      [{ id: chunk, offset: 100, length: 900, kind: 'data' }],
    );
    assert.ok(index.hasChunk(chunk));
    assert.equal(index.chunkLocation(chunk)!.offset, 100);
    assert.throws(
      () => index.setPackState(packId, 'certified'),
      /cannot go from sealed to certified/,
    );
    index.setPackState(packId, 'stored', { blobId: 'b', objectId: '0x1' });
    index.setPackState(packId, 'certified', { endEpoch: 9, certifiedEpoch: 3 });
    const p = index.pack(packId)!;
    assert.deepEqual([p.state, p.blobId, p.endEpoch, p.liveBytes], ['certified', 'b', 9, 900]);
    assert.equal(index.chunkLocation(chunk)!.blobId, 'b');
  });
});

test('journal entries stay pending until completed, across a reopen', async () => {
  await withIndex((index, path) => {
    const a = index.begin('store-pack', { packId: 'aa' });
    const b = index.begin('store-pack', { packId: 'bb' });
    index.complete(a);
    index.close();
    const again = Index.open(path);
    assert.deepEqual(
      again.pending('store-pack').map((e) => [e.id, e.payload]),
      [[b, { packId: 'bb' }]],
    );
    again.close();
  });
});

test('renewal decisions are logged newest first', async () => {
  await withIndex((index) => {
    index.logRenewal({
      time: 1,
      epoch: 5,
      objectId: '0x1',
      blobId: 'b',
      action: 'extend',
      epochs: 4,
      costFrost: '100',
      reason: 'ends in 1 epoch',
    });
    index.logRenewal({
      time: 2,
      epoch: 6,
      objectId: null,
      blobId: null,
      action: 'error',
      epochs: null,
      costFrost: null,
      reason: 'balance too low',
    });
    assert.deepEqual(
      index.renewals().map((r) => r.action),
      ['error', 'extend'],
    );
  });
});

test('an index written by a newer Floe is refused, not misread', async () => {
  await withIndex((index, path) => {
    index.close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => Index.open(path), IndexSchemaTooNewError);
  });
});

test('the index file and its WAL and shared-memory files are readable by their owner only', async () => {
  await withIndex(async (index, path) => {
    index.addFolder('/home/someone/Documents'); // a write: the WAL now exists
    for (const file of [path, `${path}-wal`, `${path}-shm`])
      assert.equal((await stat(file)).mode & 0o777, 0o600, file);
  });
});
