import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CorruptSliverError,
  SLIVER_HEADER_BYTES,
  SliverStore,
} from '../../../core/localnet/node/sliver-store.js';

const BLOB = 'blob-id-for-the-store-test';

async function withStore(body: (store: SliverStore, file: string) => Promise<void>) {
  const root = await mkdtemp(join(tmpdir(), 'floe-sliver-store-'));
  try {
    const store = new SliverStore(root);
    await store.init();
    await body(store, join(root, 'blobs', BLOB, '3.primary'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a stored sliver reads back checksummed, and a flipped bit anywhere in it is caught', async () => {
  await withStore(async (store, file) => {
    const sliver = randomBytes(70_000);
    await store.putSliver(BLOB, 3, 'primary', sliver);
    const stored = await store.readSliver(BLOB, 3, 'primary');
    assert.deepEqual(Buffer.from(stored!.bytes), sliver);
    assert.equal(stored!.checksummed, true);
    const onDisk = await readFile(file);
    assert.equal(onDisk.subarray(0, 4).toString(), 'FLS2');
    assert.equal(onDisk.length, SLIVER_HEADER_BYTES.v2 + sliver.length);
    for (const at of [SLIVER_HEADER_BYTES.v2, onDisk.length >> 1, onDisk.length - 1, 5]) {
      const damaged = Buffer.from(onDisk);
      damaged[at]! ^= 0x10;
      await writeFile(file, damaged);
      await assert.rejects(store.readSliver(BLOB, 3, 'primary'), CorruptSliverError, `byte ${at}`);
    }
  });
});

test('files written with a SHA-256 (version 1) still read, and are still checked', async () => {
  await withStore(async (store, file) => {
    const sliver = randomBytes(5000);
    await store.putSliver(BLOB, 3, 'primary', sliver); // makes the blob's folder
    const v1 = Buffer.concat([
      Buffer.from('FLS1'),
      createHash('sha256').update(sliver).digest(),
      sliver,
    ]);
    await writeFile(file, v1);
    const stored = await store.readSliver(BLOB, 3, 'primary');
    assert.deepEqual(Buffer.from(stored!.bytes), sliver);
    assert.equal(stored!.checksummed, true);
    v1[v1.length - 1]! ^= 0x01;
    await writeFile(file, v1);
    await assert.rejects(store.readSliver(BLOB, 3, 'primary'), CorruptSliverError);
    // Older still: no header at all, which only a check against the metadata vouches for.
    await writeFile(file, sliver);
    const bare = await store.readSliver(BLOB, 3, 'primary');
    assert.equal(bare!.checksummed, false);
    assert.deepEqual(Buffer.from(bare!.bytes), sliver);
  });
});
