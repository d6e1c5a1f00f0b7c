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
  const size = w.size;
  const sealed = w.seal(keys);
  assert.equal(sealed.bytes.length, size);
  // Its own buffer, exactly its size: the codec pool moves it to a worker without a copy.
  assert.equal(sealed.bytes.buffer.byteLength, size);
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

test('a writer is empty after sealing and its next pack holds only its own chunks', () => {
  const w = new PackWriter(1000);
  const first = [chunk(5000), chunk(200)];
  const second = [chunk(3000), chunk(70_000), chunk(1)];
  for (const c of first) w.add(c.id, 'data', c.bytes);
  const a = w.seal(keys);
  assert.equal(w.count, 0);
  // A sealed pack's bytes last until the next seal (the writer reuses their buffer).
  const pa = openPack(keys, a.bytes);
  for (const c of second) w.add(c.id, 'data', c.bytes);
  const b = w.seal(keys);
  const pb = openPack(keys, b.bytes);
  assert.equal(pa.entries.length, 2);
  for (const c of first) assert.deepEqual(Buffer.from(pa.chunk(c.id)), c.bytes);
  assert.equal(pb.entries.length, 3);
  for (const c of second) assert.deepEqual(Buffer.from(pb.chunk(c.id)), c.bytes);
});

test('a chunk is copied in when added: the caller may reuse its buffer at once', () => {
  const w = new PackWriter();
  const window = randomBytes(4096);
  const original = Buffer.from(window);
  const id = chunkId(keys.chunkIdKey, window);
  w.add(id, 'data', window);
  window.fill(0);
  assert.deepEqual(Buffer.from(openPack(keys, w.seal(keys).bytes).chunk(id)), original);
});

test('the blob buffer is kept from pack to pack, and replaced once a worker has taken it', () => {
  const w = new PackWriter();
  const big = chunk(50_000);
  w.add(big.id, 'data', big.bytes);
  const a = w.seal(keys);
  const small = chunk(10_000);
  w.add(small.id, 'data', small.bytes);
  const b = w.seal(keys);
  assert.equal(b.bytes.buffer, a.bytes.buffer, 'the smaller pack is sealed into the same buffer');
  assert.deepEqual(Buffer.from(openPack(keys, b.bytes).chunk(small.id)), small.bytes);
  // What the codec pool does without the native encoder: the buffer moves to a worker.
  structuredClone(b.bytes.buffer, { transfer: [b.bytes.buffer] });
  w.add(small.id, 'data', small.bytes);
  const c = w.seal(keys);
  assert.notEqual(c.bytes.buffer, a.bytes.buffer);
  assert.deepEqual(Buffer.from(openPack(keys, c.bytes).chunk(small.id)), small.bytes);
});

test('a pack opens the same from parts as from one buffer, wherever they are cut', () => {
  const w = new PackWriter();
  const chunks = [chunk(10), chunk(70_000), chunk(3000)];
  for (const c of chunks) w.add(c.id, 'data', c.bytes);
  const bytes = Uint8Array.from(w.seal(keys).bytes);
  for (const cuts of [[], [5], [32], [40, 41, 50_000], [bytes.length - 10]]) {
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      parts.push(bytes.subarray(at, c));
      at = c;
    }
    const pack = openPack(keys, parts);
    for (const c of chunks)
      assert.deepEqual(Buffer.from(pack.chunk(c.id)), c.bytes, `cuts ${cuts}`);
  }
  const bad = Uint8Array.from(bytes);
  bad[bad.length >> 1]! ^= 1;
  assert.throws(() => openPack(keys, [bad.subarray(0, 100), bad.subarray(100)]), CorruptDataError);
});
