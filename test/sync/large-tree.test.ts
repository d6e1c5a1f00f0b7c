/**
 * Thousands of files with the awkward cases people's folders really have — empty files,
 * big files, names in any bytes, very long names, symlinks dangling or to folders, empty
 * folders — backed up, edited, renamed and deleted, backed up again, and both versions
 * restored on a "new machine" and compared with what was there, content and metadata.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { startTestAccount } from '../support/account.js';
import { manifest } from '../support/manifest.js';

const FILES = 3000;

async function populate(src: string): Promise<void> {
  for (let i = 0; i < FILES; i++) {
    const dir = join(src, `d${i % 40}`, `e${i % 7}`);
    await mkdir(dir, { recursive: true });
    const size = i % 500 === 0 ? 1_500_000 : i % 10 === 0 ? 0 : (i * 37) % 4096;
    await writeFile(join(dir, `file-${i}.dat`), randomBytes(size));
  }
  const odd = join(src, 'odd');
  await mkdir(odd);
  for (const name of [
    'with space',
    'ünïcödé ✓',
    'new\nline',
    '-leading-dash',
    'x'.repeat(255),
    '.hidden',
  ])
    await writeFile(join(odd, name), name);
  await writeFile(
    Buffer.concat([Buffer.from(odd + '/'), Buffer.from([0xff, 0xfe, 0x41])]),
    'not utf-8',
  );
  await symlink('with space', join(odd, 'link-to-file'));
  await symlink('../d1', join(odd, 'link-to-dir'));
  await symlink('nowhere', join(odd, 'dangling'));
  await mkdir(join(src, 'empty-dir'));
  await chmod(join(odd, '.hidden'), 0o600);
  await chmod(join(odd, 'with space'), 0o755);
  await utimes(join(odd, 'with space'), 1_000_000, 1_000_000);
}

test(`${FILES} files with odd names, edited and backed up again, restore byte for byte on a new machine with a node down`, async () => {
  const a = await startTestAccount();
  const { t, dir, keys, client, src, index } = a;
  try {
    await populate(src);
    const first = await runBackup({ index, keys, client, epochs: 5 });
    assert.equal(first.issues.length, 0, JSON.stringify(first.issues));
    const before = await manifest(Buffer.from(src));

    await writeFile(join(src, 'd3', 'e3', 'file-3.dat'), 'edited');
    await rename(join(src, 'd4', 'e4', 'file-4.dat'), join(src, 'd4', 'renamed.dat'));
    await unlink(join(src, 'd5', 'e5', 'file-5.dat'));
    await rm(join(src, 'd6'), { recursive: true });
    await writeFile(join(src, 'odd', 'added later'), 'new');
    const second = await runBackup({ index, keys, client, epochs: 5 });
    assert.ok(second.files <= 3, `only changed files are read again (read ${second.files})`);
    const after = await manifest(Buffer.from(src));

    // A new machine: the phrase's keys and the chain, nothing else — with f shards' node down.
    await t.net.stopNode(0);
    const fresh = new WalrusClient({
      chain: new LocalChain(t.net.url, keys.account),
      pool: t.pool,
    });
    const [newest, oldest] = await findSnapshots(fresh, keys);
    for (const [found, expected, name] of [
      [newest!, after, 'newest'],
      [oldest!, before, 'oldest'],
    ] as const) {
      const out = join(dir, name);
      const result = await restoreSnapshot(fresh, keys, found.snapshot, { target: out });
      assert.deepEqual(result.skipped, []);
      const got = await manifest(Buffer.from(out));
      assert.equal(got.size, expected.size, `${name}: entry count`);
      for (const [path, what] of expected) assert.equal(got.get(path), what, `${name}: ${path}`);
    }
  } finally {
    await a.close();
  }
});
