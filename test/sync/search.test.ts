import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { textToPath } from '../../core/repo/names.js';
import type { Snapshot } from '../../core/repo/snapshot.js';
import { runBackup } from '../../core/sync/backup.js';
import { parseDateRange } from '../../core/sync/date-range.js';
import { findPaths, type FindQuery } from '../../core/sync/find.js';
import { InvalidPatternError } from '../../core/sync/name-pattern.js';
import { forgetAndPrune } from '../../core/sync/prune.js';
import { RepoReader } from '../../core/sync/repo-reader.js';
import { SearchIndex, type TreeSource } from '../../core/sync/search-index.js';
import { PathNotInHistoryError, pathVersions } from '../../core/sync/versions.js';
import { startTestAccount, type TestAccount } from '../support/account.js';

/** A real RepoReader, counting the trees asked of it. */
async function countingReader(a: TestAccount): Promise<TreeSource & { reads: number }> {
  const reader = await RepoReader.open(a.client, a.keys);
  const source = {
    reads: 0,
    tree(id: string) {
      source.reads++;
      return reader.tree(id);
    },
  };
  return source;
}

describe('the search index, on a real localnet and a real SQLite index', () => {
  let a: TestAccount;
  const snapshots: Snapshot[] = [];
  const REPORT = 'Docs/Report Q1.TXT';
  const odd = (name: number[]) => new Uint8Array(name);

  const backup = async () => {
    const result = await runBackup({ index: a.index, keys: a.keys, client: a.client, epochs: 5 });
    assert.equal(result.unchanged, false);
    snapshots.push(result.snapshot);
  };
  const find = (pattern: string, q: Omit<FindQuery, 'pattern'> = {}) =>
    findPaths(a.index, { pattern, ...q });
  const src = (rel: string) => join(a.src, rel);

  before(async () => {
    a = await startTestAccount();
    for (const d of ['Docs', 'photos', 'old', 'a/b/c/d', 'odd'])
      await mkdir(src(d), { recursive: true });
    for (const i of [1, 2, 3, 4, 5]) {
      await mkdir(src(`x${i}`));
      await writeFile(src(`x${i}/file${i}.txt`), `x${i}`);
    }
    await writeFile(src(REPORT), 'version A');
    await writeFile(src('Docs/100% done.txt'), 'percent');
    await writeFile(src('photos/IMG_0001.jpg'), 'jpeg 1');
    await writeFile(src('photos/IMG_0002.JPG'), 'jpeg 2');
    await writeFile(src('photos/notes.md'), 'notes');
    await writeFile(src('old/gone.tmp'), 'soon gone');
    await writeFile(src('a/b/c/d/leaf.txt'), 'leaf 1');
    // Two names that differ only in a byte that is not UTF-8.
    await writeFile(Buffer.from([...Buffer.from(src('odd/')), 0x66, 0xff]), 'f-ff');
    await writeFile(Buffer.from([...Buffer.from(src('odd/')), 0x66, 0xfe]), 'f-fe');
    await backup(); // 1: A
    await writeFile(src(REPORT), 'version B, longer');
    await rm(src('old/gone.tmp'));
    await backup(); // 2: B
    await rm(src(REPORT));
    await backup(); // 3: deleted
    await writeFile(src(REPORT), 'version C');
    await backup(); // 4: C, re-created
    await writeFile(src(REPORT), 'version A');
    await backup(); // 5: A again
  });
  after(() => a.close());

  test('each backup indexes its snapshot as it commits, without reading a tree back', () => {
    assert.equal(new SearchIndex(a.index).isCurrent(), true);
    assert.equal(a.index.search.counts().snapshots, 5);
  });

  test('a substring matches names case-insensitively across every snapshot, one result per path with its versions', () => {
    const found = find('report q1');
    assert.equal(found.mode, 'substring');
    assert.equal(found.total, 1);
    const [r] = found.results;
    assert.equal(r!.folder, a.src);
    assert.equal(r!.path, REPORT);
    assert.equal(r!.name, 'Report Q1.TXT');
    assert.equal(r!.type, 'file');
    assert.equal(r!.versions, 3, 'A, B and C; A twice is one version');
    assert.equal(r!.snapshots, 4, 'every snapshot but the one taken while it was deleted');
    assert.equal(r!.first.snapshot, snapshots[0]!.id);
    assert.equal(r!.last.snapshot, snapshots[4]!.id);
    assert.equal(r!.last.size, 'version A'.length);
    assert.equal(r!.inLatest, true);
    assert.equal(found.snapshotsSearched, 5);
  });

  test('a glob matches whole names, case-insensitively; a word without glob characters matches inside names', () => {
    const glob = find('*.jpg');
    assert.equal(glob.mode, 'glob');
    assert.deepEqual(
      glob.results.map((r) => r.path),
      ['photos/IMG_0001.jpg', 'photos/IMG_0002.JPG'],
    );
    assert.deepEqual(
      find('img').results.map((r) => r.path),
      ['photos/IMG_0001.jpg', 'photos/IMG_0002.JPG'],
    );
    assert.equal(find('img', { mode: 'glob' }).total, 0, 'as a glob, "img" is the whole name');
    assert.deepEqual(
      find('IMG_000?.*').results.map((r) => r.name),
      ['IMG_0001.jpg', 'IMG_0002.JPG'],
    );
    assert.deepEqual(
      find('[n]otes*').results.map((r) => r.path),
      ['photos/notes.md'],
    );
    assert.throws(() => find('docs/report'), InvalidPatternError);
    assert.throws(() => find('[abc'), InvalidPatternError);
  });

  test('names that are not UTF-8, or hold % or spaces, are found and come back in a text form that names their exact bytes', () => {
    const ff = find('f%FF');
    assert.deepEqual(
      ff.results.map((r) => r.path),
      ['odd/f%FF'],
    );
    assert.deepEqual(textToPath(ff.results[0]!.path), [odd([0x6f, 0x64, 0x64]), odd([0x66, 0xff])]);
    assert.deepEqual(
      find('f%').results.map((r) => r.path),
      [],
      'a "%" on its own is a percent sign, which neither name has',
    );
    const percent = find('100% DONE');
    assert.deepEqual(
      percent.results.map((r) => r.path),
      ['Docs/100%25 done.txt'],
    );
    assert.deepEqual(
      textToPath(percent.results[0]!.path)[1],
      odd([...Buffer.from('100% done.txt')]),
    );
    assert.deepEqual(
      find('f%fe').results.map((r) => r.path),
      ['odd/f%FE'],
      'the %XX of a pattern is case-blind like the rest',
    );
  });

  test("a file's versions: equal content is one version; a deleted and re-created file shows the gap", () => {
    const v = pathVersions(a.index, a.src, REPORT);
    assert.equal(v.path, REPORT);
    assert.equal(v.name, 'Report Q1.TXT');
    assert.deepEqual(
      v.versions.map((x) => x.size),
      ['version A'.length, 'version C'.length, 'version B, longer'.length],
      'newest first, by the newest snapshot holding each',
    );
    assert.deepEqual(
      v.versions[0]!.snapshots.map((s) => s.snapshot),
      [snapshots[0]!.id, snapshots[4]!.id],
    );
    assert.equal(v.versions[0]!.inLatest, true);
    assert.equal(v.versions[1]!.inLatest, false);
    assert.deepEqual(v.versions[0]!.restore, {
      snapshot: snapshots[4]!.id,
      folder: a.src,
      path: REPORT,
    });
    assert.deepEqual(
      v.history.map((h) => h.version),
      [0, 2, null, 1, 0],
    );
    assert.deepEqual(
      v.changes.map((c) => [c.kind, c.snapshot, c.version]),
      [
        ['changed', snapshots[4]!.id, 0],
        ['recreated', snapshots[3]!.id, 1],
        ['deleted', snapshots[2]!.id, null],
        ['changed', snapshots[1]!.id, 2],
        ['created', snapshots[0]!.id, 0],
      ],
    );
    assert.throws(() => pathVersions(a.index, a.src, 'Docs/nothing'), PathNotInHistoryError);
    assert.equal(
      pathVersions(a.index, undefined, REPORT).versions.length,
      3,
      'one folder: it need not be named',
    );
  });

  test("a folder's history is the snapshots where it changed, with what changed directly in it", () => {
    const docs = pathVersions(a.index, a.src, 'Docs');
    assert.deepEqual(
      docs.changes.map((c) => [c.kind, c.entries]),
      [
        ['changed', { added: 0, removed: 0, modified: 1 }],
        ['changed', { added: 1, removed: 0, modified: 0 }],
        ['changed', { added: 0, removed: 1, modified: 0 }],
        ['changed', { added: 0, removed: 0, modified: 1 }],
        ['created', { added: 2, removed: 0, modified: 0 }],
      ],
    );
    assert.equal(docs.versions[0]!.type, 'dir');
    assert.equal(docs.versions[0]!.entries, 2);
    assert.equal(
      docs.versions.length,
      5,
      'the report is the same file again in snapshot 5, but with a new time: a new tree',
    );
    const photos = pathVersions(a.index, a.src, 'photos');
    assert.deepEqual(
      photos.changes.map((c) => c.kind),
      ['created'],
      'a folder nothing touched has one version',
    );
    const whole = pathVersions(a.index, a.src, '');
    assert.equal(whole.changes.length, 5);
    assert.equal(whole.versions[0]!.mtime, null);
  });

  test('a date range keeps to what the snapshots taken in it held', () => {
    const range = (since?: string, until?: string) => ({ range: parseDateRange(since, until) });
    const second = find('report', range(snapshots[1]!.time, snapshots[2]!.time)).results[0]!;
    assert.equal(second.versions, 1);
    assert.equal(second.snapshots, 1);
    assert.equal(second.last.size, 'version B, longer'.length);
    const later = find('report', range(snapshots[2]!.time)).results[0]!;
    assert.equal(later.versions, 2);
    assert.equal(later.first.snapshot, snapshots[3]!.id);
    assert.equal(find('report', range(undefined, snapshots[0]!.time)).results[0]!.versions, 1);
    assert.equal(
      find('gone', range(snapshots[1]!.time)).total,
      0,
      'deleted before the range began',
    );
    assert.equal(find('report', range(snapshots[2]!.time, snapshots[2]!.time)).total, 0);
  });

  test('"under" keeps to one sub-folder, and "type" to one kind', () => {
    assert.deepEqual(
      find('leaf', { under: 'a/b' }).results.map((r) => r.path),
      ['a/b/c/d/leaf.txt'],
    );
    assert.equal(find('leaf', { under: 'photos' }).total, 0);
    assert.deepEqual(
      find('.txt', { under: 'Docs' }).results.map((r) => r.path),
      ['Docs/100%25 done.txt', REPORT],
    );
    assert.deepEqual(
      find('d', { type: 'dir' }).results.map((r) => r.path),
      ['Docs', 'a/b/c/d', 'odd', 'old'],
    );
    const gone = find('gone.tmp').results[0]!;
    assert.equal(gone.inLatest, false, 'deleted since');
    assert.equal(find('x', { limit: 2 }).truncated, true);
  });

  test('catching up reads each missing tree once, and never a tree already indexed', async () => {
    const search = new SearchIndex(a.index);
    const all = a.index.search.counts().trees;
    const reader = await countingReader(a);
    await search.rebuild(reader);
    assert.equal(reader.reads, all, 'every distinct tree of five snapshots, each read once');
    assert.equal(search.isCurrent(), true);

    // Without the newest snapshot, the trees only it reached are dropped: its root and Docs.
    search.forget([snapshots[4]!.id]);
    assert.equal(a.index.search.counts().trees, all - 2);
    const again = await countingReader(a);
    const report = await search.catchUp(again);
    assert.equal(again.reads, 2, 'only the two trees the index lacked');
    assert.deepEqual(report, { added: 1, dropped: 0, treesRead: 2, notIndexed: [] });
    assert.equal(a.index.search.counts().trees, all);
  });

  test('a snapshot whose trees cannot be read is left out, said so, and keeps no other from the index', async () => {
    const lost: Snapshot = {
      ...snapshots[0]!,
      id: 'f'.repeat(32),
      time: '2000-01-01T00:00:00.000Z',
      roots: [{ path: a.src, tree: 'e'.repeat(64) }],
    };
    a.index.addSnapshot(lost, null, null);
    const search = new SearchIndex(a.index);
    search.forget([snapshots[4]!.id]);
    const report = await search.catchUp(await countingReader(a));
    assert.equal(report.added, 1, 'the readable one');
    assert.deepEqual(
      report.notIndexed.map((n) => n.snapshot),
      [lost.id],
    );
    assert.match(report.notIndexed[0]!.reason, /e{64}/, 'the reason names the missing tree');
    assert.equal(find('report').results[0]!.snapshots, 4, 'the others answer as before');
    const down = await search.catchUp(() => Promise.reject(new Error('the chain is unreachable')));
    assert.deepEqual(
      down.notIndexed.map((n) => n.reason),
      ['the chain is unreachable'],
    );
    a.index.setSnapshotRetained(lost.id, false);
    assert.equal(search.isCurrent(), true);
  });

  test('a backup adds only the trees it changed', async () => {
    const before = a.index.search.counts();
    await writeFile(src('a/b/c/d/leaf.txt'), 'leaf 2');
    await backup();
    const now = a.index.search.counts();
    assert.equal(now.trees - before.trees, 5, 'the root, a, a/b, a/b/c and a/b/c/d');
    assert.equal(now.snapshots, 6);
    assert.equal(find('leaf.txt').results[0]!.versions, 2);
  });

  test('forgotten snapshots leave the results, and the trees only they reached leave the index', async () => {
    const treesBefore = a.index.search.counts().trees;
    await forgetAndPrune(
      { index: a.index, keys: a.keys, client: a.client, epochs: 5 },
      { policy: { last: 1 } },
    );
    assert.equal(a.index.search.counts().snapshots, 1);
    assert.ok(a.index.search.counts().trees < treesBefore);
    assert.equal(find('gone').total, 0, 'only forgotten snapshots held it');
    const report = find('report').results[0]!;
    assert.equal(report.versions, 1);
    assert.equal(report.snapshots, 1);
    const v = pathVersions(a.index, a.src, REPORT);
    assert.equal(v.history.length, 1);
    assert.deepEqual(
      v.changes.map((c) => c.kind),
      ['created'],
    );
    assert.equal(new SearchIndex(a.index).isCurrent(), true);
  });
});
