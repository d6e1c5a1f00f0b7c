import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chunkId } from '../../core/repo/chunk-id.js';
import { CorruptDataError } from '../../core/repo/crypto.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';
import { openPack, PackWriter } from '../../core/repo/pack.js';

const keys = deriveKeys(generateRecoveryPhrase());

function chunk(size: number) {
  const bytes = randomBytes(size);
  return { id: chunkId(keys.chunkIdKey, bytes), bytes };
}

test('a sealed pack opens to the same chunks, each verified against its id', () => {
  const w = new PackWriter();
  const chunks = [chunk(0), chunk(1), chunk(10_000), chunk(300_000)];
  chunks.forEach((c, i) => w.add(c.id, i === 1 ? 'tree' : 'data', c.bytes));
  const sealed = w.seal(keys);
  assert.equal(sealed.bytes.length, w.size);
  const pack = openPack(keys, sealed.bytes);
  assert.deepEqual(pack.packId, sealed.packId);
  assert.deepEqual(
    pack.entries.map((e) => e.kind),
    ['data', 'tree', 'data', 'data'],
  );
  for (const c of chunks) assert.deepEqual(Buffer.from(pack.chunk(c.id)), c.bytes);
});

test('a chunk added twice is stored once', () => {
  const w = new PackWriter();
  const c = chunk(1000);
  w.add(c.id, 'data', c.bytes);
  w.add(c.id, 'data', c.bytes);
  assert.equal(w.count, 1);
});

test('the blob is ciphertext: no chunk bytes appear in it', () => {
  const w = new PackWriter();
  const c = { bytes: Buffer.alloc(4096, 0x41) };
  w.add(chunkId(keys.chunkIdKey, c.bytes), 'data', c.bytes);
  const sealed = w.seal(keys);
  assert.equal(Buffer.from(sealed.bytes).includes(Buffer.alloc(64, 0x41)), false);
});

test('a pack opened with another phrase, or altered, is refused as corrupt', () => {
  const w = new PackWriter();
  const c = chunk(5000);
  w.add(c.id, 'data', c.bytes);
  const sealed = w.seal(keys);
  assert.throws(
    () => openPack(deriveKeys(generateRecoveryPhrase()), sealed.bytes, 'pack X'),
    CorruptDataError,
  );
  for (const pos of [0, 40, sealed.bytes.length - 1]) {
    const bad = Uint8Array.from(sealed.bytes);
    bad[pos]! ^= 1;
    assert.throws(() => openPack(keys, bad), CorruptDataError);
  }
});
