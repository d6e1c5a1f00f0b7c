import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { blobIdToString } from '../../core/walrus/encoding/blob-id.js';
import { CorruptDataError } from '../../core/repo/crypto.js';
import { openIndex, sealIndex, splitIndex, type IndexedPack } from '../../core/repo/index-blob.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';

const keys = deriveKeys(generateRecoveryPhrase());

function pack(chunks: number): IndexedPack {
  let offset = 100;
  return {
    blobId: blobIdToString(new Uint8Array(randomBytes(32))),
    packId: new Uint8Array(randomBytes(32)),
    entries: Array.from({ length: chunks }, (_, i) => {
      const length = 1000 + i;
      const e = {
        id: new Uint8Array(randomBytes(32)),
        kind: i % 5 === 0 ? ('tree' as const) : ('data' as const),
        offset,
        length,
      };
      offset += length;
      return e;
    }),
  };
}

test('an index blob lists every pack and chunk location, 41 bytes a chunk', () => {
  const packs = [pack(3), pack(0), pack(1000)];
  const sealed = sealIndex(keys, packs);
  assert.equal(sealed.length, 24 + 7 + 1 + 4 + 3 * 68 + 1003 * 41 + 16);
  assert.deepEqual(openIndex(keys, sealed), packs);
});

test('an index blob from another phrase or with flipped bits is refused', () => {
  const sealed = sealIndex(keys, [pack(5)]);
  assert.throws(() => openIndex(deriveKeys(generateRecoveryPhrase()), sealed), CorruptDataError);
  const bad = Uint8Array.from(sealed);
  bad[50]! ^= 4;
  assert.throws(() => openIndex(keys, bad), CorruptDataError);
});

test('a list too long for one blob is split into sealed blobs that fit, a pack across two if need be', () => {
  const packs = [pack(3), pack(0), pack(700), pack(50)];
  const max = 12_000; // room for ~290 entries a blob
  const parts = splitIndex(packs, max);
  assert.ok(parts.length >= 3);
  const reopened = parts.map((part) => {
    const sealed = sealIndex(keys, part);
    assert.ok(sealed.length <= max, `${sealed.length} bytes`);
    return openIndex(keys, sealed);
  });
  // Merged back per pack, in order, nothing lost or repeated.
  const merged = new Map<string, IndexedPack>();
  for (const p of reopened.flat()) {
    const seen = merged.get(p.blobId);
    if (seen) seen.entries.push(...p.entries);
    else merged.set(p.blobId, { ...p, entries: [...p.entries] });
  }
  assert.deepEqual([...merged.values()], packs);
  assert.deepEqual(splitIndex(packs, 10_000_000), [packs], 'one blob when it fits');
  assert.throws(() => splitIndex(packs, 100), RangeError);
});
