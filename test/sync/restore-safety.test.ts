/**
 * A restore never destroys and never escapes: what is already in the target decides what
 * happens at each path — a link there is never followed, a newer local entry of any type
 * is kept unless asked, a type change is skipped with a reason or replaced on request —
 * and hard links and sparse files come back as they were. Real files, a real localnet.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import type { Snapshot } from '../../core/repo/snapshot.js';
import { runBackup } from '../../core/sync/backup.js';
import { restoreSnapshot, type RestoreOptions } from '../../core/sync/restore.js';
import { startTestAccount, type TestAccount } from '../support/account.js';

let a: TestAccount;
before(async () => {
  a = await startTestAccount();
});
after(() => a.close());

let trees = 0;
/** A folder built by `build`, backed up under its own index; its snapshot. */
async function backedUp(build: (src: string) => Promise<void>): Promise<Snapshot> {
  const id = ++trees;
  const src = join(a.dir, `src-${id}`);
  await mkdir(src);
  await build(src);
  const index = Index.open(join(a.dir, `index-${id}.db`));
  index.addFolder(src);
  try {
    return (await runBackup({ index, keys: a.keys, client: a.client, epochs: 5 })).snapshot;
  } finally {
    index.close();
  }
}

async function targetDir(name: string): Promise<string> {
  const target = join(a.dir, name);
  await mkdir(target);
  return target;
}

const restore = (snapshot: Snapshot, target: string, o: Partial<RestoreOptions> = {}) =>
  restoreSnapshot(a.client, a.keys, snapshot, { target, ...o });

/** Every name below a directory, '/'-joined, without following links. */
async function everything(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    out.push(prefix + name);
    if ((await lstat(join(dir, name))).isDirectory())
      out.push(...(await everything(join(dir, name), `${prefix}${name}/`)));
  }
  return out;
}

const PAST = new Date('2020-01-01T00:00:00Z');

test('a symlink inside the target is never followed, with or without --overwrite', async () => {
  const snapshot = await backedUp(async (src) => {
    await mkdir(join(src, 'd'));
    await writeFile(join(src, 'd', 'x'), 'inside');
    await mkdir(join(src, 'a', 'b'), { recursive: true });
    await writeFile(join(src, 'a', 'b', 'y'), 'deeper');
    await writeFile(join(src, 'f'), 'file');
  });
  const target = await targetDir('target-links');
  const elsewhere = await targetDir('elsewhere');
  const elsewhere2 = await targetDir('elsewhere-2');
  await symlink(elsewhere, join(target, 'd'));
  await mkdir(join(target, 'a'));
  await symlink(elsewhere2, join(target, 'a', 'b'));
  await writeFile(join(elsewhere, 'secret'), 'not to be touched');
  await symlink(join(elsewhere, 'secret'), join(target, 'f'));
  await utimes(join(elsewhere, 'secret'), PAST, PAST);
  await lutimes(join(target, 'f'), PAST, PAST);

  const kept = await restore(snapshot, target);
  assert.deepEqual(await readdir(elsewhere), ['secret'], 'nothing written through d');
  assert.deepEqual(await readdir(elsewhere2), [], 'nothing written through a/b');
  assert.equal(await readFile(join(elsewhere, 'secret'), 'utf8'), 'not to be touched');
  assert.deepEqual(kept.skipped.map((s) => s.path).sort(), [
    join(target, 'a', 'b'),
    join(target, 'd'),
    join(target, 'f'),
  ]);
  for (const s of kept.skipped) assert.match(s.reason, /symlink/);
  assert.ok((await lstat(join(target, 'd'))).isSymbolicLink());

  const replaced = await restore(snapshot, target, { conflict: 'replace' });
  assert.deepEqual(replaced.skipped, []);
  assert.equal(await readFile(join(target, 'd', 'x'), 'utf8'), 'inside');
  assert.equal(await readFile(join(target, 'a', 'b', 'y'), 'utf8'), 'deeper');
  assert.ok((await lstat(join(target, 'f'))).isFile());
  assert.equal(await readFile(join(target, 'f'), 'utf8'), 'file');
  assert.deepEqual(await readdir(elsewhere), ['secret']);
  assert.equal(await readFile(join(elsewhere, 'secret'), 'utf8'), 'not to be touched');
  assert.deepEqual(await readdir(elsewhere2), []);
});

test('a file where the backup has a folder, and a folder where it has a file: skipped with a reason, or replaced with --overwrite', async () => {
  const snapshot = await backedUp(async (src) => {
    await mkdir(join(src, 'docs'));
    await writeFile(join(src, 'docs', 'a.txt'), 'a');
    await writeFile(join(src, 'note.txt'), 'note');
  });
  const target = await targetDir('target-types');
  await writeFile(join(target, 'docs'), 'a local file');
  await mkdir(join(target, 'note.txt'));
  await writeFile(join(target, 'note.txt', 'inner'), 'a local folder');

  const kept = await restore(snapshot, target);
  assert.deepEqual(
    kept.skipped.map((s) => [s.path, s.reason]),
    [
      [join(target, 'docs'), 'a file is here where the backup has a folder'],
      [join(target, 'note.txt'), 'a folder is here where the backup has a file'],
    ],
  );
  assert.equal(await readFile(join(target, 'docs'), 'utf8'), 'a local file');
  assert.equal(await readFile(join(target, 'note.txt', 'inner'), 'utf8'), 'a local folder');
  assert.deepEqual(await everything(target), ['docs', 'note.txt', 'note.txt/inner']);

  const replaced = await restore(snapshot, target, { conflict: 'replace' });
  assert.deepEqual(replaced.skipped, []);
  assert.equal(await readFile(join(target, 'docs', 'a.txt'), 'utf8'), 'a');
  assert.equal(await readFile(join(target, 'note.txt'), 'utf8'), 'note');
  assert.deepEqual(await everything(target), ['docs', 'docs/a.txt', 'note.txt']);
});

test('newer local entries of any type are kept unless --overwrite; older ones are replaced', async () => {
  const snapshot = await backedUp(async (src) => {
    await writeFile(join(src, 'file'), 'backup');
    await symlink('backup-target', join(src, 'link'));
    await symlink('backup-target', join(src, 'link-2'));
    await writeFile(join(src, 'file-2'), 'backup');
    await writeFile(join(src, 'old'), 'backup');
    for (const name of ['file', 'file-2', 'old']) await utimes(join(src, name), PAST, PAST);
    for (const name of ['link', 'link-2']) await lutimes(join(src, name), PAST, PAST);
  });
  const target = await targetDir('target-newer');
  // Written now, so newer than the backup's 2020.
  await writeFile(join(target, 'file'), 'local, newer');
  await writeFile(join(target, 'link'), 'a newer local file where the backup has a symlink');
  await symlink('local-target', join(target, 'link-2'));
  await symlink('local-target', join(target, 'file-2'));
  await writeFile(join(target, 'old'), 'local, older');
  await utimes(join(target, 'old'), new Date('2010-01-01'), new Date('2010-01-01'));

  const kept = await restore(snapshot, target);
  assert.deepEqual(kept.skipped.map((s) => s.path).sort(), [
    join(target, 'file'),
    join(target, 'file-2'),
    join(target, 'link'),
    join(target, 'link-2'),
  ]);
  assert.equal(await readFile(join(target, 'file'), 'utf8'), 'local, newer');
  assert.ok((await lstat(join(target, 'link'))).isFile(), 'the newer file is not replaced');
  assert.equal(await readlink(join(target, 'link-2')), 'local-target');
  assert.equal(await readlink(join(target, 'file-2')), 'local-target');
  assert.equal(await readFile(join(target, 'old'), 'utf8'), 'backup', 'older: replaced');

  const replaced = await restore(snapshot, target, { conflict: 'replace' });
  assert.deepEqual(replaced.skipped, []);
  assert.equal(await readFile(join(target, 'file'), 'utf8'), 'backup');
  assert.equal(await readlink(join(target, 'link')), 'backup-target');
  assert.equal(await readlink(join(target, 'link-2')), 'backup-target');
  assert.equal(await readFile(join(target, 'file-2'), 'utf8'), 'backup');
  assert.deepEqual(
    (await everything(target)).filter((n) => n.startsWith('.floe-')),
    [],
  );
});

test('hard links come back as hard links when their paths are restored together', async () => {
  const snapshot = await backedUp(async (src) => {
    await writeFile(join(src, 'a'), 'shared content');
    await link(join(src, 'a'), join(src, 'b'));
    await mkdir(join(src, 'sub'));
    await link(join(src, 'a'), join(src, 'sub', 'c'));
    await writeFile(join(src, 'lonely'), 'alone');
  });
  const target = await targetDir('target-hardlinks');
  await restore(snapshot, target);
  const [sa, sb, sc, lonely] = await Promise.all(
    ['a', 'b', 'sub/c', 'lonely'].map((p) => stat(join(target, p))),
  );
  assert.equal(sa!.nlink, 3);
  assert.equal(sb!.ino, sa!.ino);
  assert.equal(sc!.ino, sa!.ino);
  assert.equal(lonely!.nlink, 1);
  assert.equal(await readFile(join(target, 'sub', 'c'), 'utf8'), 'shared content');
  assert.equal((await restore(snapshot, target)).alreadyRestored, 4, 'run again: all in place');

  const part = await targetDir('target-hardlinks-part');
  await restore(snapshot, part, { subPath: [Buffer.from('sub')] });
  assert.equal((await stat(join(part, 'sub', 'c'))).nlink, 1);
  assert.equal(await readFile(join(part, 'sub', 'c'), 'utf8'), 'shared content');
});

test('a sparse file is restored sparse: its holes take no disk space', async () => {
  const MiB = 1024 * 1024;
  const head = randomBytes(MiB);
  const middle = randomBytes(MiB);
  let sourceBytes = 0;
  const snapshot = await backedUp(async (src) => {
    const handle = await open(join(src, 'disk.img'), 'w');
    await handle.write(head, 0, head.length, 0);
    await handle.write(middle, 0, middle.length, 20 * MiB);
    await handle.truncate(40 * MiB);
    await handle.close();
    sourceBytes = (await stat(join(src, 'disk.img'))).blocks * 512;
  });
  const target = await targetDir('target-sparse');
  await restore(snapshot, target);
  const restored = join(target, 'disk.img');
  const st = await stat(restored);
  assert.equal(st.size, 40 * MiB);
  const onDisk = st.blocks * 512;
  assert.ok(onDisk <= sourceBytes + 256 * 1024, `${onDisk} bytes on disk, source ${sourceBytes}`);
  const bytes = await readFile(restored);
  assert.deepEqual(bytes.subarray(0, MiB), head);
  assert.deepEqual(bytes.subarray(20 * MiB, 21 * MiB), middle);
  assert.ok(bytes.subarray(MiB, 20 * MiB).every((b) => b === 0));
  assert.ok(bytes.subarray(21 * MiB).every((b) => b === 0));
});

test('files that end in zeros, or are nothing but zeros, come back at their full size', async () => {
  const files: Record<string, Buffer> = {
    'tail-partial-block': Buffer.concat([randomBytes(4096), Buffer.alloc(904)]),
    'tail-blocks': Buffer.concat([randomBytes(100), Buffer.alloc(3 * 4096)]),
    'all-zeros': Buffer.alloc(10_000),
    'one-zero': Buffer.alloc(1),
    empty: Buffer.alloc(0),
    'no-zeros': randomBytes(7000),
  };
  const snapshot = await backedUp(async (src) => {
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(src, name), bytes);
  });
  const target = await targetDir('target-zero-tails');
  await restore(snapshot, target);
  for (const [name, bytes] of Object.entries(files)) {
    const restored = await readFile(join(target, name));
    assert.equal(restored.length, bytes.length, name);
    assert.ok(restored.equals(bytes), name);
  }
});
