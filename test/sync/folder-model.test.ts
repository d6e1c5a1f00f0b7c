import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, type FolderRow } from '../../core/index/index.js';
import { runBackup } from '../../core/sync/backup.js';
import { FolderModel, FolderStateError } from '../../core/sync/folder-model.js';
import type { ProgressSnapshot } from '../../core/sync/progress.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { startTestAccount } from '../support/account.js';

async function withIndex(fn: (index: Index, path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-folders-'));
  const path = join(dir, 'index.db');
  const index = Index.open(path);
  try {
    await fn(index, path);
  } finally {
    index.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('every state a folder can be in survives a restart of the process', async () => {
  await withIndex(async (index, path) => {
    const model = new FolderModel(index);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => model.add(`/data/${n}`).id);
    const [held, missing, failed, offline, paused, notRestored, running] = ids as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    model.held(held, { deleted: 9, total: 10 }, '9 of its 10 files are gone');
    model.missing(missing, 'the folder /data/b cannot be read');
    model.runFailed([{ id: failed, foundChanges: true }], 'disk full', false);
    model.runFailed([{ id: offline, foundChanges: false }], 'the chain cannot be reached', true);
    model.scheduleRetry({ attempt: 6, nextAt: 1_000 }, true);
    model.setPaused(paused, true);
    index.removeFolder(notRestored);
    const nr = model.add('/data/f', { notRestored: true });
    model.scanning(running);
    const before = new Map(model.list().map((f) => [f.path, f]));
    index.close();

    const reopened = Index.open(path);
    try {
      const after = new FolderModel(reopened);
      after.recoverAfterRestart();
      const byPath = new Map(after.list().map((f) => [f.path, f]));
      const state = (p: string) => byPath.get(p)!.state;
      assert.equal(state('/data/a'), 'held');
      assert.deepEqual(byPath.get('/data/a')!.detail.held, { deleted: 9, total: 10 });
      assert.equal(state('/data/b'), 'missing');
      assert.equal(byPath.get('/data/b')!.lastError, 'the folder /data/b cannot be read');
      assert.equal(state('/data/c'), 'failed');
      assert.deepEqual(byPath.get('/data/c')!.detail.retry, { attempt: 6, nextAt: 1_000 });
      assert.equal(state('/data/d'), 'offline');
      assert.equal(state('/data/e'), 'paused');
      assert.equal(state('/data/f'), 'not-restored');
      assert.equal(byPath.get('/data/f')!.id, nr.id);
      // A run cut off by the restart is not running any more, and what it saw is unsaved.
      assert.equal(before.get('/data/g')!.state, 'scanning');
      assert.equal(state('/data/g'), 'idle');
      assert.equal(byPath.get('/data/g')!.dirty, true);
      for (const p of ['/data/a', '/data/c']) assert.equal(byPath.get(p)!.dirty, true, p);
    } finally {
      reopened.close();
    }
  });
});

test('the model announces each change with the folder itself, and refuses what a state does not allow', async () => {
  await withIndex(async (index) => {
    const model = new FolderModel(index);
    const heard: [string, string, boolean][] = [];
    model.on('folder-state', ({ folder, removed }) =>
      heard.push([folder.path, folder.state, removed]),
    );
    const f = model.add('/data/x');
    model.scanning(f.id);
    model.uploading(f.id);
    model.saved(f.id, 1);
    model.remove(f.id);
    assert.deepEqual(heard, [
      ['/data/x', 'idle', false],
      ['/data/x', 'scanning', false],
      ['/data/x', 'uploading', false],
      ['/data/x', 'idle', false],
      ['/data/x', 'idle', true],
    ]);
    const g = model.add('/data/y');
    assert.throws(() => model.startFresh(g.id), FolderStateError);
    const nr = model.add('/data/z', { notRestored: true });
    assert.equal(nr.dirty, false, 'a folder not restored has no changes of its own');
    assert.throws(() => model.confirmDeletions(nr.id), FolderStateError);
  });
});

test('a change seen during a run keeps the folder dirty after that run saves', async () => {
  await withIndex(async (index) => {
    const model = new FolderModel(index);
    const f = model.add('/data/x');
    const seen = model.scanning(f.id);
    model.changed('/data/x'); // an edit while the run uploads
    model.saved(f.id, seen);
    const after: FolderRow = model.get(f.id);
    assert.equal(after.state, 'idle');
    assert.equal(after.dirty, true, 'the edit made during the run is not in its snapshot');
  });
});

test('"start fresh" backs up a not-restored folder as it is here; until then it is carried unchanged', async () => {
  const a = await startTestAccount();
  const { dir, keys, client, src, index } = a;
  try {
    await writeFile(join(src, 'kept.txt'), 'from the old machine');
    assert.equal((await runBackup({ index, keys, client, epochs: 3 })).files, 1);
    // As a new machine's index after "restore from phrase": the folder is not restored.
    const model = new FolderModel(index);
    const other = join(dir, 'other');
    await mkdir(other);
    await writeFile(join(other, 'o.txt'), 'other folder');
    model.add(other);
    index.removeFolder(model.byPath(src)!.id);
    const nr = model.add(src, { notRestored: true });
    await rm(join(src, 'kept.txt'));
    const second = await runBackup({ index, keys, client, epochs: 3, folders: model });
    assert.deepEqual(
      second.folders.map((f) => [f.path, f.outcome]),
      [
        [other, 'saved'],
        [src, 'not-restored'],
      ],
    );
    const restored = join(dir, 'restored');
    const [newest] = await findSnapshots(client, keys);
    await restoreSnapshot(client, keys, newest!.snapshot, { target: restored, root: src });
    assert.equal(
      await readFile(join(restored, 'kept.txt'), 'utf8'),
      'from the old machine',
      'the folder not restored is carried forward, not recorded as empty',
    );

    model.startFresh(nr.id);
    await writeFile(join(src, 'here.txt'), 'from this machine');
    const third = await runBackup({ index, keys, client, epochs: 3, folders: model });
    assert.equal(third.folders.find((f) => f.path === src)!.outcome, 'saved');
    const [latest] = await findSnapshots(client, keys);
    const fresh = join(dir, 'fresh');
    await restoreSnapshot(client, keys, latest!.snapshot, { target: fresh, root: src });
    assert.equal(await readFile(join(fresh, 'here.txt'), 'utf8'), 'from this machine');
    await assert.rejects(readFile(join(fresh, 'kept.txt')));
  } finally {
    await a.close();
  }
});

test('progress counts files, not directories, and names each phase as it changes', async () => {
  const a = await startTestAccount();
  const { keys, client, src, index } = a;
  try {
    for (let d = 0; d < 10; d++) {
      await mkdir(join(src, `dir${d}`));
      for (let f = 0; f < 3; f++) await writeFile(join(src, `dir${d}`, `f${f}.txt`), `${d}/${f}`);
    }
    const seen: ProgressSnapshot[] = [];
    await runBackup({ index, keys, client, epochs: 3 }, (p) => seen.push(p));
    const last = seen.at(-1)!;
    assert.equal(last.filesTotal, 30, 'ten directories are not files');
    assert.equal(last.filesDone, 30);
    const phases = seen.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    assert.deepEqual(phases, ['scanning', 'reading', 'uploading', 'certifying', 'saving-snapshot']);
  } finally {
    await a.close();
  }
});

test('a path named by raw bytes restores exactly that file, not its lookalike', async () => {
  const a = await startTestAccount();
  const { dir, keys, client, src, index } = a;
  try {
    // f\xff and f\xfe: both "f\ufffd" once decoded as UTF-8.
    const ff = Buffer.concat([Buffer.from(`${src}/f`), Buffer.from([0xff])]);
    const fe = Buffer.concat([Buffer.from(`${src}/f`), Buffer.from([0xfe])]);
    await writeFile(fe, 'the fe file');
    await writeFile(ff, 'the ff file');
    await runBackup({ index, keys, client, epochs: 3 });
    const [found] = await findSnapshots(client, keys);
    const target = join(dir, 'one');
    await restoreSnapshot(client, keys, found!.snapshot, {
      target,
      subPath: [Buffer.from([0x66, 0xff])],
    });
    const got = Buffer.concat([Buffer.from(`${target}/f`), Buffer.from([0xff])]);
    assert.equal(await readFile(got, 'utf8'), 'the ff file');
    const lookalike = Buffer.concat([Buffer.from(`${target}/f`), Buffer.from([0xfe])]);
    await assert.rejects(readFile(lookalike), /ENOENT/);
  } finally {
    await a.close();
  }
});
