import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestNetwork, type TestNetwork } from '../../support/localnet.js';
import { SLIVER_HEADER_BYTES } from '../../../core/localnet/node/sliver-store.js';

/** What a node puts before each sliver it stores (a checksum). */
const SLIVER_FILE_HEADER = SLIVER_HEADER_BYTES.v2;

/**
 * Damages the primary sliver of `pair` where it is stored. The file loses the node's
 * checksum header, as files written before checksums have none, so the node serves the
 * damaged bytes and only the reader can tell.
 */
async function damagePrimary(t: TestNetwork, blobId: string, pair: number): Promise<void> {
  const { committee } = await t.chain.systemState();
  let found = 0;
  for (const member of committee) {
    const dir = join(t.net.dir, 'nodes', member.nodeId, 'blobs', blobId);
    const files: string[] = await readdir(dir).catch(() => []);
    if (!files.includes(`${pair}.primary`)) continue;
    const bytes = (await readFile(join(dir, `${pair}.primary`))).subarray(SLIVER_FILE_HEADER);
    for (let i = 20; i < 36; i++) bytes[i] = bytes[i]! ^ 0xff;
    await writeFile(join(dir, `${pair}.primary`), bytes);
    found++;
  }
  assert.equal(found, 1, `pair ${pair} is stored on one node`);
}

test('an authenticated read opens sound slivers once, and finds and replaces a damaged one when the reader refuses', async () => {
  const t = await startTestNetwork();
  try {
    const data = randomBytes(60_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 2, deletable: false });
    const offered: Buffer[] = [];
    // The reader's own check: here the bytes themselves, in Floe an AEAD under its key.
    // Given as parts (the systematic slivers' data), whose concatenation is the blob.
    const open = (parts: Uint8Array[]) => {
      offered.push(Buffer.concat(parts));
      if (!data.equals(offered.at(-1)!)) throw new Error('not the bytes that were stored');
      return offered.at(-1)!.length;
    };

    assert.equal(await t.client.readAndOpen(stored.blobId, open), data.length);
    assert.equal(offered.length, 1);

    // Pair 0 is systematic, so it is among the first slivers read: the decoded bytes are
    // wrong, the reader refuses them, and only then is each sliver checked.
    await damagePrimary(t, stored.blobId, 0);
    offered.length = 0;
    assert.equal(await t.client.readAndOpen(stored.blobId, open), data.length);
    assert.equal(offered.length, 2);
    assert.ok(!offered[0]!.equals(data), 'the first bytes came from the damaged sliver');
    assert.ok(offered[1]!.equals(data));

    // A plain read verifies every sliver as it comes and never hands out wrong bytes.
    assert.ok(Buffer.from(await t.client.read(stored.blobId)).equals(data));
  } finally {
    await t.close();
  }
});

test('a reader that refuses the verified bytes too gets its own error, after one verified retry', async () => {
  const t = await startTestNetwork();
  try {
    const stored = await t.client.store(randomBytes(20_000), { epochs: 2, deletable: false });
    let calls = 0;
    await assert.rejects(
      t.client.readAndOpen(stored.blobId, () => {
        calls++;
        throw new RangeError('sealed under another key');
      }),
      /sealed under another key/,
    );
    assert.equal(calls, 2);
  } finally {
    await t.close();
  }
});
