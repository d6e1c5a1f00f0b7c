import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../core/cli/errors.js';
import type { RestoreResult } from '../../core/sync/restore.js';
import { scratchUser } from '../support/scratch-user.js';

test('floe restore: a path goes back to where it was, and --conflict skip|replace|keep-both decides what happens to a local copy in the way', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-restore-'));
  const user = scratchUser(dir);
  try {
    const { lines, run, json } = user;
    const src = join(dir, 'Documents');
    const report = join(src, 'work', 'report.txt');
    await mkdir(join(src, 'work'), { recursive: true });
    await writeFile(report, 'as backed up');
    await writeFile(join(src, 'top.txt'), 'top');
    await json('init');
    assert.equal(await run('add', src), EXIT.ok);
    await json('backup');

    // Lost: restored to where it was, not into the folder's top (found: it landed there).
    await rm(report);
    const back = await json<RestoreResult>('restore', '--path', 'work/report.txt');
    assert.equal(await readFile(report, 'utf8'), 'as backed up');
    assert.deepEqual((await readdir(src)).sort(), ['top.txt', 'work']);
    assert.equal(back.files, 1);

    // Edited since: a newer local copy is in the way.
    await writeFile(report, 'edited since');
    const later = new Date(Date.now() + 60_000);
    await utimes(report, later, later);
    const skipped = await json<RestoreResult>('restore', '--path', 'work/report.txt');
    assert.equal(skipped.files, 0);
    assert.deepEqual(
      skipped.skipped.map((s) => [s.path, s.kind]),
      [[report, 'newer']],
    );
    assert.equal(await readFile(report, 'utf8'), 'edited since');
    assert.equal(await run('restore', '--path', 'work/report.txt'), EXIT.ok);
    assert.match(
      lines.join('\n'),
      /^0 files restored \(0 B\) .*; 1 kept because your copy is newer$/m,
    );
    assert.match(lines.join('\n'), /--conflict replace/);

    const both = await json<RestoreResult>(
      'restore',
      '--path',
      'work/report.txt',
      '--conflict',
      'keep-both',
    );
    assert.equal(both.files, 1);
    assert.equal(both.renamed.length, 1);
    assert.equal(both.renamed[0]!.path, report);
    assert.match(both.renamed[0]!.to, /\/work\/report \(restored \d{4}-\d{2}-\d{2}\)\.txt$/);
    assert.equal(await readFile(both.renamed[0]!.to, 'utf8'), 'as backed up');
    assert.equal(await readFile(report, 'utf8'), 'edited since');

    const replaced = await json<RestoreResult>('restore', '--path', 'work', '--overwrite');
    assert.deepEqual(
      replaced.replaced.map((r) => [r.path, r.kind]),
      [[report, 'newer']],
    );
    assert.equal(await readFile(report, 'utf8'), 'as backed up');

    assert.equal(await run('restore', '--conflict', 'merge'), EXIT.usage);
    assert.equal(await run('restore', '--conflict', 'skip', '--overwrite'), EXIT.usage);
  } finally {
    await user.end();
    await rm(dir, { recursive: true, force: true });
  }
});
