import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../core/cli/errors.js';
import { Index } from '../../core/index/index.js';
import type { FindResult } from '../../core/sync/find.js';
import type { PathVersions } from '../../core/sync/versions.js';
import { scratchUser } from '../support/scratch-user.js';

test('floe find and floe versions: odd names, three versions of a file, a deleted and re-created file, dates, and a search index caught up from the network', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-find-'));
  const user = scratchUser(dir);
  try {
    const { home, lines, run, json } = user;
    const src = join(dir, 'Documents');
    await mkdir(join(src, 'a b'), { recursive: true });
    const backup = async () => {
      await json('backup');
      return (await json<{ id: string; time: string }[]>('snapshots'))[0]!;
    };

    await json('init');
    assert.equal(await run('add', src), EXIT.ok);
    await writeFile(join(src, 'Report.txt'), 'one');
    await writeFile(join(src, '100% done.txt'), 'percent');
    await writeFile(join(src, 'a b', 'c.TXT'), 'spaces');
    await writeFile(Buffer.from([...Buffer.from(`${src}/f`), 0xff]), 'not UTF-8');
    await backup();
    await writeFile(join(src, 'Report.txt'), 'two, longer');
    await backup();
    await rm(join(src, 'Report.txt'));
    const third = await backup();
    await writeFile(join(src, 'Report.txt'), 'three');
    const fourth = await backup();

    const report = await json<FindResult>('find', 'REPORT');
    assert.equal(report.total, 1);
    assert.equal(report.results[0]!.path, 'Report.txt');
    assert.equal(report.results[0]!.versions, 3);
    assert.equal(report.results[0]!.snapshots, 3);
    assert.deepEqual(
      (await json<FindResult>('find', '*.txt')).results.map((r) => r.path),
      ['100%25 done.txt', 'Report.txt', 'a b/c.TXT'],
    );
    assert.deepEqual(
      (await json<FindResult>('find', 'f%FF')).results.map((r) => r.path),
      ['f%FF'],
    );
    assert.deepEqual(
      (await json<FindResult>('find', 'c', '--under', 'a b', '--type', 'file')).results.map(
        (r) => r.path,
      ),
      ['a b/c.TXT'],
    );
    const since = await json<FindResult>('find', 'report', '--since', third.time);
    assert.equal(since.results[0]!.versions, 1, 'only the re-created one');
    assert.equal(since.snapshotsSearched, 2);

    const versions = await json<PathVersions>('versions', join(src, 'Report.txt'));
    assert.equal(versions.folder, src);
    assert.equal(versions.versions.length, 3);
    assert.deepEqual(
      versions.history.map((h) => h.version),
      [2, 1, null, 0],
    );
    assert.deepEqual(
      versions.changes.map((c) => c.kind),
      ['recreated', 'deleted', 'changed', 'created'],
    );
    assert.equal(versions.versions[0]!.restore.snapshot, fourth.id);

    // The words a person reads.
    assert.equal(await run('find', 'report'), EXIT.ok);
    assert.match(lines.at(-2)!, /^3 versions .* \S+\/Report\.txt$/);
    assert.equal(lines.at(-1), '1 path in 4 snapshots');
    assert.equal(await run('versions', 'Report.txt'), EXIT.ok);
    assert.ok(lines.some((l) => l.endsWith('Report.txt: 3 versions in 4 snapshots')));
    assert.ok(lines.some((l) => /re-created {2}version 1/.test(l)));

    // An index from before the search index (or rebuilt): the first search reads the trees.
    const index = Index.open(join(home, 'index.db'));
    index.transaction(() => index.search.clear());
    index.close();
    const caughtUp = await json<FindResult>('find', 'report');
    assert.equal(caughtUp.results[0]!.versions, 3);

    for (const bad of [
      [],
      ['docs/report'],
      ['report', '--since', 'last tuesday'],
      ['report', '--type', 'pipe'],
      ['report', '--limit', '0'],
    ])
      assert.equal(await run('find', ...bad), EXIT.usage, bad.join(' '));
    assert.equal(await run('versions', '/elsewhere/x'), EXIT.usage);
    assert.equal(await run('versions', 'nothing.txt'), EXIT.failure);
  } finally {
    await user.end();
    await rm(dir, { recursive: true, force: true });
  }
});
