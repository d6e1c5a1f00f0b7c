/**
 * On a network whose largest blob is small (4 shards: 393 KB), the index of ten thousand
 * files does not fit one blob: the backup writes several index blobs, and a new machine
 * restores every file from the phrase through all of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveKeys } from '../../core/repo/keys.js';
import { runBackup } from '../../core/sync/backup.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { EncodingConfig } from '../../core/walrus/encoding/config.js';
import { startTestAccount } from '../support/account.js';

const FILES = 10_000;

test(`an index too big for one blob is split, and ${FILES} files restore through the parts`, async () => {
  const a = await startTestAccount({ nShards: 4 });
  const target = await mkdtemp(join(tmpdir(), 'floe-split-restore-'));
  try {
    const { src, index, keys, client, t } = a;
    for (let d = 0; d < 10; d++) {
      await mkdir(join(src, `d${d}`));
      for (let i = 0; i < FILES / 10; i++)
        await writeFile(join(src, `d${d}`, `${i}.txt`), `file ${d}/${i}`);
    }
    const first = await runBackup({ index, keys, client, epochs: 3 });
    const max = new EncodingConfig(4).maxBlobSize;
    assert.ok(
      first.snapshot.indexBlobs.length >= 2,
      `${first.snapshot.indexBlobs.length} index blobs`,
    );
    for (const b of await client.listOwned()) assert.ok(b.size <= max, `${b.blobId}: ${b.size}`);
    assert.equal((await runBackup({ index, keys, client, epochs: 3 })).unchanged, true);

    // A new machine: the phrase and the chain only.
    const fresh = new WalrusClient({
      chain: new LocalChain(t.net.url, deriveKeys(a.phrase).account),
      pool: t.pool,
    });
    const [latest] = await findSnapshots(fresh, keys);
    const restored = await restoreSnapshot(fresh, keys, latest!.snapshot, { target });
    assert.equal(restored.files, FILES);
    for (const [d, i] of [
      [0, 0],
      [4, 517],
      [9, 999],
    ] as const)
      assert.equal(await readFile(join(target, `d${d}`, `${i}.txt`), 'utf8'), `file ${d}/${i}`);
  } finally {
    await rm(target, { recursive: true, force: true });
    await a.close();
  }
});
