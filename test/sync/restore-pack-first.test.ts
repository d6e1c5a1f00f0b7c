/**
 * A restore reads each pack once, whatever order the files need them in. Files whose
 * chunks were deduplicated against earlier packs point into those packs in any order (a
 * copy of a file made long after it); going file by file, a small cache of packs reads
 * them again and again, and a big enough cache holds them all in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { RepoReader } from '../../core/sync/repo-reader.js';
import { restoreSnapshot } from '../../core/sync/restore.js';
import type { TreeEntry } from '../../core/repo/tree.js';
import { startTestAccount } from '../support/account.js';
import { manifest } from '../support/manifest.js';

test('a restore reads each pack once, even when files need the packs out of order, and no more at a time than its read-ahead allows', async () => {
  const a = await startTestAccount();
  const { dir, keys, client, src, index } = a;
  try {
    const FILES = 30;
    await mkdir(join(src, 'a'));
    for (let i = 0; i < FILES; i++)
      await writeFile(join(src, 'a', `${String(i).padStart(2, '0')}.bin`), randomBytes(10_000));
    // Small packs: about three of these files each.
    const options = { index, keys, client, epochs: 5, packTargetSize: 32 * 1024 };
    await runBackup(options);
    // Copies in a scrambled order: deduplicated, so b/ reads a/'s packs, jumping about.
    await mkdir(join(src, 'b'));
    for (let i = 0; i < FILES; i++)
      await copyFile(
        join(src, 'a', `${String((i * 7) % FILES).padStart(2, '0')}.bin`),
        join(src, 'b', `${String(i).padStart(2, '0')}.bin`),
      );
    const { snapshot } = await runBackup(options);

    const reader = await RepoReader.open(client, keys);
    const dataPacks = new Set<string>();
    await reader.walk(snapshot.roots[0]!.tree, (e: TreeEntry) => {
      for (const id of e.chunks ?? []) dataPacks.add(reader.locate(id)!);
    });
    assert.ok(dataPacks.size >= 8, `${dataPacks.size} packs`);
    // The trees are read (and cached) above: what the restore reads from here on is data.
    const before = reader.packsRead;
    // With a read-ahead smaller than one pack, one pack at a time: memory is the budget's.
    let reading = 0;
    let most = 0;
    const readPack = reader.readPack.bind(reader);
    reader.readPack = async (blobId) => {
      most = Math.max(most, ++reading);
      try {
        return await readPack(blobId);
      } finally {
        reading--;
      }
    };
    const target = join(dir, 'restored');
    await restoreSnapshot(client, keys, snapshot, { target, readAheadBytes: 1 }, reader);
    assert.equal(reader.packsRead - before, dataPacks.size, 'each pack read once');
    assert.equal(most, 1, 'never more than one pack read at once');
    assert.deepEqual(await manifest(target), await manifest(src));

    // With room for them, packs are read ahead while others are written.
    most = 0;
    await restoreSnapshot(client, keys, snapshot, { target: join(dir, 'again') }, reader);
    assert.ok(most > 1, `${most} packs read at once`);
  } finally {
    await a.close();
  }
});
