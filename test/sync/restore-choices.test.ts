/**
 * Restore choices: a local entry that a restore would destroy (newer than the backup's, or
 * of another type) is kept and reported, replaced, or kept beside the backup's copy under
 * a new name — as the user chose — and the result says how many of each and why. A path
 * restored without a target goes back to its own place. Real files, a real localnet.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import type { Snapshot } from '../../core/repo/snapshot.js';
import { runBackup } from '../../core/sync/backup.js';
import { restoreSnapshot, type RestoreOptions } from '../../core/sync/restore.js';
import { keptCopyName } from '../../core/sync/restore-plan.js';
import { startTestAccount, type TestAccount } from '../support/account.js';

let a: TestAccount;
before(async () => {
  a = await startTestAccount();
});
after(() => a.close());

const PAST = new Date('2020-01-01T00:00:00Z');
const day = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

let trees = 0;
/** A folder built by `build`, backed up under its own index: its path and snapshot. */
async function backedUp(
  build: (src: string) => Promise<void>,
): Promise<{ src: string; snapshot: Snapshot }> {
  const src = join(a.dir, `src-${++trees}`);
  await mkdir(src);
  await build(src);
  const index = Index.open(join(a.dir, `index-${trees}.db`));
  index.addFolder(src);
  try {
    const { snapshot } = await runBackup({ index, keys: a.keys, client: a.client, epochs: 5 });
    return { src, snapshot };
  } finally {
    index.close();
  }
}

const restore = (snapshot: Snapshot, o: Partial<RestoreOptions> = {}) =>
  restoreSnapshot(a.client, a.keys, snapshot, o);

/** A folder as the user left it after the backup: one file edited, one folder now a file … */
async function changedSince(src: string): Promise<void> {
  await writeFile(join(src, 'edited.txt'), 'edited since');
  await rm(join(src, 'docs'), { recursive: true });
  await writeFile(join(src, 'docs'), 'a file where the folder was');
  await writeFile(join(src, 'older.txt'), 'older than the backup');
  await utimes(join(src, 'older.txt'), new Date('2010-01-01'), new Date('2010-01-01'));
}

async function backedUpFolder() {
  return backedUp(async (src) => {
    await writeFile(join(src, 'edited.txt'), 'as backed up');
    await writeFile(join(src, 'same.txt'), 'never changed');
    await writeFile(join(src, 'older.txt'), 'as backed up');
    await mkdir(join(src, 'docs'));
    await writeFile(join(src, 'docs', 'a.txt'), 'a');
    await writeFile(join(src, 'docs', 'b.txt'), 'b');
    for (const name of ['edited.txt', 'older.txt']) await utimes(join(src, name), PAST, PAST);
  });
}

test('skip: a newer local file and a local entry of another type are kept, and the result says why and how many files each holds back', async () => {
  const { src, snapshot } = await backedUpFolder();
  await changedSince(src);

  const r = await restore(snapshot);
  assert.equal(r.conflict, 'skip');
  assert.deepEqual(
    r.skipped.map((s) => [s.path, s.kind, s.files]),
    [
      [join(src, 'docs'), 'type-differs', 2],
      [join(src, 'edited.txt'), 'newer', 1],
    ],
  );
  assert.equal(r.skipped[0]!.reason, 'a file is here where the backup has a folder');
  assert.equal(r.skipped[1]!.reason, 'the local file is newer than the backup');
  assert.equal(r.files, 1, 'the older local file is replaced: the backup is newer');
  assert.equal(r.alreadyRestored, 1, 'same.txt was there as the backup has it');
  assert.deepEqual(r.replaced, []);
  assert.deepEqual(r.renamed, []);
  assert.equal(await readFile(join(src, 'edited.txt'), 'utf8'), 'edited since');
  assert.equal(await readFile(join(src, 'docs'), 'utf8'), 'a file where the folder was');
  assert.equal(await readFile(join(src, 'older.txt'), 'utf8'), 'as backed up');
});

test('replace: the conflicting local entries are replaced, and listed', async () => {
  const { src, snapshot } = await backedUpFolder();
  await changedSince(src);

  const r = await restore(snapshot, { conflict: 'replace' });
  assert.deepEqual(
    r.replaced.map((s) => [s.path, s.kind, s.files]),
    [
      [join(src, 'docs'), 'type-differs', 2],
      [join(src, 'edited.txt'), 'newer', 1],
    ],
  );
  assert.deepEqual(r.skipped, []);
  assert.equal(r.files, 4);
  assert.equal(await readFile(join(src, 'edited.txt'), 'utf8'), 'as backed up');
  assert.equal(await readFile(join(src, 'docs', 'b.txt'), 'utf8'), 'b');
});

test("keep both: the backup's copy is restored beside the local one, named after the snapshot's day; run again, it is already there", async () => {
  const { src, snapshot } = await backedUpFolder();
  await changedSince(src);
  const label = `restored ${day(snapshot.time)}`;

  const r = await restore(snapshot, { conflict: 'keep-both' });
  assert.deepEqual(
    r.renamed.map((s) => [s.path, s.kind, s.to]),
    [
      [join(src, 'docs'), 'type-differs', join(src, `docs (${label})`)],
      [join(src, 'edited.txt'), 'newer', join(src, `edited (${label}).txt`)],
    ],
  );
  assert.equal(r.files, 4, 'edited, both files of docs, and the older file');
  assert.equal(await readFile(join(src, 'edited.txt'), 'utf8'), 'edited since');
  assert.equal(await readFile(join(src, `edited (${label}).txt`), 'utf8'), 'as backed up');
  assert.equal(await readFile(join(src, 'docs'), 'utf8'), 'a file where the folder was');
  assert.equal(await readFile(join(src, `docs (${label})`, 'a.txt'), 'utf8'), 'a');
  assert.equal(
    Math.floor((await stat(join(src, `edited (${label}).txt`))).mtimeMs),
    PAST.getTime(),
    "the copy has the backup's time",
  );

  const again = await restore(snapshot, { conflict: 'keep-both' });
  assert.equal(again.files, 0);
  assert.equal(again.alreadyRestored, 5, 'the copies, same.txt and older.txt');
  assert.deepEqual(
    again.renamed.map((s) => s.to),
    r.renamed.map((s) => s.to),
  );

  // That name taken by something else: the next free one.
  await writeFile(join(src, `edited (${label}).txt`), 'the user wrote here');
  const third = await restore(snapshot, { conflict: 'keep-both' });
  assert.equal(third.renamed[1]!.to, join(src, `edited (${label} 2).txt`));
  assert.equal(await readFile(join(src, `edited (${label}).txt`), 'utf8'), 'the user wrote here');
  assert.equal(await readFile(join(src, `edited (${label} 2).txt`), 'utf8'), 'as backed up');
});

test('without a target, a path goes back to its own place; folders above it are made when gone and left as they are when there', async () => {
  const { src, snapshot } = await backedUp(async (src) => {
    await mkdir(join(src, 'work', '2024'), { recursive: true });
    await writeFile(join(src, 'work', '2024', 'report.txt'), 'report');
    await writeFile(join(src, 'work', 'other.txt'), 'other');
    await chmod(join(src, 'work'), 0o755);
    await utimes(join(src, 'work'), PAST, PAST);
  });
  const path = (p: string) => p.split('/').map((n) => Buffer.from(n));

  await rm(join(src, 'work'), { recursive: true });
  const r = await restore(snapshot, { subPath: path('work/2024/report.txt') });
  assert.equal(r.files, 1);
  assert.equal(await readFile(join(src, 'work', '2024', 'report.txt'), 'utf8'), 'report');
  assert.deepEqual(await readdir(join(src, 'work')), ['2024'], 'nothing else of work/');
  const made = await stat(join(src, 'work'));
  assert.equal(Math.floor(made.mtimeMs), PAST.getTime(), "made: with the backup's time");
  assert.equal(made.mode & 0o777, 0o755, '… and mode');

  await chmod(join(src, 'work'), 0o700);
  await restore(snapshot, { subPath: path('work/other.txt') });
  assert.equal(await readFile(join(src, 'work', 'other.txt'), 'utf8'), 'other');
  const there = await stat(join(src, 'work'));
  assert.equal(there.mode & 0o777, 0o700, 'a folder that was there keeps its mode');
  assert.notEqual(Math.floor(there.mtimeMs), PAST.getTime(), '… and is not given an old time');

  // A file where a folder above it was: that folder is a conflict like any other.
  await rm(join(src, 'work'), { recursive: true });
  await writeFile(join(src, 'work'), 'a file now');
  const kept = await restore(snapshot, { subPath: path('work/2024') });
  assert.deepEqual(
    kept.skipped.map((s) => [s.path, s.kind, s.files]),
    [[join(src, 'work'), 'type-differs', 1]],
  );
  const both = await restore(snapshot, { subPath: path('work/2024'), conflict: 'keep-both' });
  const copy = both.renamed[0]!.to;
  assert.equal(await readFile(join(copy, '2024', 'report.txt'), 'utf8'), 'report');
  assert.deepEqual(await readdir(copy), ['2024']);
});

test("a kept copy's name: before the extension, a folder's dots kept, a dot-file whole, shortened to fit without splitting a character", () => {
  const name = (n: string, k = 1, folder = false) =>
    Buffer.from(keptCopyName(Buffer.from(n), 'restored 2024-05-03', k, folder)).toString();
  assert.equal(name('report.txt'), 'report (restored 2024-05-03).txt');
  assert.equal(name('report.txt', 3), 'report (restored 2024-05-03 3).txt');
  assert.equal(name('archive.tar.gz'), 'archive.tar (restored 2024-05-03).gz');
  assert.equal(name('.bashrc'), '.bashrc (restored 2024-05-03)');
  assert.equal(name('v1.2', 1, true), 'v1.2 (restored 2024-05-03)');
  assert.equal(
    name('notes.a-very-long-extension'),
    'notes.a-very-long-extension (restored 2024-05-03)',
  );
  const long = keptCopyName(Buffer.from(`${'é'.repeat(120)}.txt`), 'restored 2024-05-03', 1, false);
  assert.ok(long.length <= 255);
  assert.equal(Buffer.from(long).toString(), `${'é'.repeat(114)} (restored 2024-05-03).txt`);
  const odd = keptCopyName(
    new Uint8Array([0x66, 0xff, 0x2e, 0x74]),
    'restored 2024-05-03',
    1,
    false,
  );
  assert.deepEqual([...odd], [0x66, 0xff, ...Buffer.from(' (restored 2024-05-03)'), 0x2e, 0x74]);
});
