import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';
import { runBackup } from '../../core/sync/backup.js';
import { findSnapshots, NoBackupsFoundError, restoreSnapshot } from '../../core/sync/restore.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { startTestNetwork } from '../support/localnet.js';

const SMALL_CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };

test('a folder backed up on one machine is restored on another from the phrase alone', async () => {
  const t = await startTestNetwork();
  const dir = await mkdtemp(join(tmpdir(), 'floe-e2e-'));
  try {
    const phrase = generateRecoveryPhrase();
    const keys = deriveKeys(phrase);
    const chain = new LocalChain(t.net.url, keys.account);
    await chain.faucet(chain.address);
    const client = new WalrusClient({ chain, pool: t.pool });

    // The folder: nested files, an empty file, a big file, a name that is not UTF-8, a symlink.
    const src = join(dir, 'src');
    await mkdir(join(src, 'docs', 'deep'), { recursive: true });
    const big = randomBytes(700_000);
    await writeFile(join(src, 'big.bin'), big);
    await writeFile(join(src, 'docs', 'a.txt'), 'alpha');
    await writeFile(join(src, 'docs', 'deep', 'copy.bin'), big); // deduplicated
    await writeFile(join(src, 'empty'), '');
    await writeFile(
      Buffer.concat([Buffer.from(src + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]),
      'latin-1 café',
    );
    await symlink('docs/a.txt', join(src, 'link'));

    const index = Index.open(join(dir, 'index.db'));
    index.addFolder(src);
    const first = await runBackup({
      index,
      keys,
      client,
      epochs: 5,
      packTargetSize: 256 * 1024,
      chunker: SMALL_CHUNKS,
    });
    assert.equal(first.files, 5);
    assert.ok(first.dedupedBytes >= big.length, 'the copy of big.bin was not stored twice');
    assert.ok(first.packs >= 2);

    // A second run with one edit stores little.
    await writeFile(join(src, 'docs', 'a.txt'), 'alpha, edited');
    const second = await runBackup({
      index,
      keys,
      client,
      epochs: 5,
      packTargetSize: 256 * 1024,
      chunker: SMALL_CHUNKS,
    });
    assert.equal(second.files, 1);
    assert.ok(second.newBytes < 10_000, `${second.newBytes} new bytes`);
    index.close();

    // A new machine: nothing but the phrase.
    const keys2 = deriveKeys(phrase);
    const client2 = new WalrusClient({
      chain: new LocalChain(t.net.url, keys2.account),
      pool: t.pool,
    });
    const snapshots = await findSnapshots(client2, keys2);
    assert.equal(snapshots.length, 2);
    assert.equal(snapshots[0]!.snapshot.parent, snapshots[1]!.snapshot.id);

    const out = join(dir, 'restored');
    const r = await restoreSnapshot(client2, keys2, snapshots[0]!.snapshot, { target: out });
    assert.equal(r.files, 5);
    assert.deepEqual(await readFile(join(out, 'big.bin')), big);
    assert.deepEqual(await readFile(join(out, 'docs', 'deep', 'copy.bin')), big);
    assert.equal(await readFile(join(out, 'docs', 'a.txt'), 'utf8'), 'alpha, edited');
    assert.equal((await readFile(join(out, 'empty'))).length, 0);
    assert.equal(
      await readFile(
        Buffer.concat([Buffer.from(out + '/'), Buffer.from([0x63, 0x61, 0x66, 0xe9])]),
        'utf8',
      ),
      'latin-1 café',
    );
    assert.equal(await readlink(join(out, 'link')), 'docs/a.txt');
    const [a, b] = [await lstat(join(src, 'big.bin')), await lstat(join(out, 'big.bin'))];
    assert.equal(a.mode, b.mode);
    assert.equal(Math.floor(a.mtimeMs), Math.floor(b.mtimeMs));

    // The older version of one file.
    const old = join(dir, 'old');
    await restoreSnapshot(client2, keys2, snapshots[1]!.snapshot, {
      target: old,
      subPath: [Buffer.from('docs'), Buffer.from('a.txt')],
    });
    assert.equal(await readFile(join(old, 'a.txt'), 'utf8'), 'alpha');

    // A different phrase finds nothing.
    const stranger = deriveKeys(generateRecoveryPhrase());
    const none = await findSnapshots(
      new WalrusClient({ chain: new LocalChain(t.net.url, stranger.account), pool: t.pool }),
      stranger,
    );
    assert.deepEqual(none, []);
    void NoBackupsFoundError;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  }
});
