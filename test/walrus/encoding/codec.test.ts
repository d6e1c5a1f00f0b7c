import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import {
  EncodingConfig,
  InsufficientSliversError,
  blobIdFromMetadata,
  blobIdFromRootHash,
  blobIdFromString,
  blobIdToBigInt,
  blobIdFromBigInt,
  blobIdToString,
  decodeBlob,
  decodeMetadataWithId,
  decodeSliver,
  encodeBlob,
  encodeMetadataWithId,
  verifySliver,
  InvalidSliverError,
  InvalidBlobIdError,
  BlobTooLargeError,
  MalformedBcsError,
} from '../../../core/walrus/encoding/index.js';
import { bcs } from '@mysten/sui/bcs';

function shuffled<T>(xs: T[]): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('blobs of edge and random lengths decode back from their systematic slivers', () => {
  for (const n of [4, 7, 10]) {
    const c = new EncodingConfig(n);
    for (const len of [0, 1, 2, 3, 63, 64, 65, 1001, randomInt(1, 50_000), c.maxBlobSize]) {
      const data = randomBytes(len);
      const e = encodeBlob(n, data);
      assert.equal(e.primary.length, n);
      assert.equal(e.secondary.length, n);
      const out = decodeBlob(n, e.blobId, len, e.primary.slice(0, c.primarySourceSymbols));
      assert.deepEqual(Buffer.from(out), data, `n=${n} len=${len}`);
    }
  }
});

test('any n - 2f primary slivers decode the blob', () => {
  const n = 10;
  const c = new EncodingConfig(n);
  const data = randomBytes(20_000);
  const e = encodeBlob(n, data);
  for (let trial = 0; trial < 5; trial++) {
    const subset = shuffled(e.primary).slice(0, c.primarySourceSymbols);
    assert.deepEqual(Buffer.from(decodeBlob(n, e.blobId, data.length, subset)), data);
  }
});

test('too few distinct slivers is an InsufficientSliversError, not garbage', () => {
  const e = encodeBlob(7, randomBytes(500));
  const twice = [e.primary[5]!, e.primary[5]!, e.primary[6]!];
  assert.throws(() => decodeBlob(7, e.blobId, 500, twice), InsufficientSliversError);
});

test('every sliver hash recomputed in TypeScript equals the encoder’s, and so does the blob id', () => {
  for (const n of [4, 7, 10, 31, 100]) {
    for (const len of [0, 1, randomInt(2, 3000), randomInt(3000, 200_000)]) {
      if (len > new EncodingConfig(n).maxBlobSize) continue;
      const e = encodeBlob(n, randomBytes(len));
      assert.deepEqual(blobIdFromMetadata(e.metadata), e.blobId, `n=${n} len=${len}`);
      assert.deepEqual(blobIdFromRootHash(e.rootHash, 1, len), e.blobId);
      for (let i = 0; i < n; i++) {
        verifySliver(e.metadata, i, 'primary', e.primary[i]!);
        verifySliver(e.metadata, i, 'secondary', e.secondary[i]!);
      }
    }
  }
});

test('one large committee cross-checks too (n = 1000)', () => {
  const e = encodeBlob(1000, randomBytes(300_000));
  assert.deepEqual(blobIdFromMetadata(e.metadata), e.blobId);
  for (const i of [0, 333, 334, 666, 999]) {
    verifySliver(e.metadata, i, 'primary', e.primary[i]!);
    verifySliver(e.metadata, i, 'secondary', e.secondary[i]!);
  }
});

test('a flipped byte anywhere in a sliver fails verification', () => {
  const n = 7;
  const e = encodeBlob(n, randomBytes(5_000));
  for (const kind of ['primary', 'secondary'] as const) {
    for (const pair of [0, 3, 6]) {
      const good = (kind === 'primary' ? e.primary : e.secondary)[pair]!;
      const positions = [
        0,
        1,
        2,
        good.length - 4,
        good.length - 3,
        good.length - 2,
        good.length - 1,
      ];
      for (let k = 0; k < 10; k++) positions.push(randomInt(good.length));
      for (const pos of positions) {
        const bad = Uint8Array.from(good);
        bad[pos]! ^= 1 << randomInt(8);
        assert.throws(
          () => verifySliver(e.metadata, pair, kind, bad),
          InvalidSliverError,
          `${kind} ${pair} @${pos}`,
        );
      }
    }
  }
});

test('a valid sliver offered for the wrong pair or axis is refused', () => {
  const e = encodeBlob(7, randomBytes(900));
  assert.throws(
    () => verifySliver(e.metadata, 1, 'primary', e.primary[2]!),
    /sliver index 2, expected 1/,
  );
  assert.throws(() => verifySliver(e.metadata, 1, 'secondary', e.primary[1]!), InvalidSliverError);
  assert.throws(() => verifySliver(e.metadata, 7, 'primary', e.primary[0]!), /only 7 sliver pairs/);
});

test('metadata survives its BCS round trip and malformed bytes are refused', () => {
  const e = encodeBlob(10, randomBytes(4321));
  const bytes = encodeMetadataWithId(e.blobId, e.metadata);
  // blob id, enum tag, encoding type, u64 length, ULEB length 10, then 10 pairs of two Digest nodes.
  assert.equal(bytes.length, 32 + 1 + 1 + 8 + 1 + 10 * 2 * 33);
  const back = decodeMetadataWithId(bytes);
  assert.deepEqual(back.blobId, e.blobId);
  assert.deepEqual(back.metadata, e.metadata);
  assert.throws(() => decodeMetadataWithId(bytes.subarray(0, 50)), /malformed blob metadata/);
  assert.throws(() => decodeMetadataWithId(Uint8Array.of(...bytes, 0)), /malformed blob metadata/);
});

test('slivers are the SliverData bytes the REST API carries', () => {
  const n = 10;
  const e = encodeBlob(n, randomBytes(1000));
  const c = new EncodingConfig(n);
  const p = decodeSliver(e.primary[3]!);
  const s = decodeSliver(e.secondary[3]!);
  assert.equal(p.index, 3);
  assert.equal(s.index, n - 1 - 3);
  assert.equal(p.symbolSize, c.symbolSize(1000));
  assert.equal(p.data.length, c.primarySliverSize(1000));
  assert.equal(s.data.length, c.secondarySliverSize(1000));
});

test('slivers parse exactly as the BCS library parses them, and malformed ones are refused', () => {
  const Official = bcs.struct('SliverData', {
    symbols: bcs.struct('Symbols', { data: bcs.byteVector(), symbol_size: bcs.u16() }),
    index: bcs.u16(),
  });
  for (const [n, len] of [
    [10, 1],
    [10, 1000],
    [100, 300_000],
  ] as const) {
    const e = encodeBlob(n, randomBytes(len));
    for (const bytes of [...e.primary, ...e.secondary]) {
      const mine = decodeSliver(bytes);
      const theirs = Official.parse(bytes);
      assert.equal(mine.index, theirs.index);
      assert.equal(mine.symbolSize, theirs.symbols.symbol_size);
      assert.deepEqual(Buffer.from(mine.data), Buffer.from(theirs.symbols.data));
    }
    const one = e.primary[0]!;
    assert.throws(() => decodeSliver(one.subarray(0, one.length - 1)), MalformedBcsError);
    assert.throws(() => decodeSliver(Uint8Array.from([...one, 0])), MalformedBcsError);
  }
  // A length written with a needless continuation byte is not canonical BCS.
  assert.throws(() => decodeSliver(Uint8Array.of(0x81, 0x00, 1, 2, 0, 0)), MalformedBcsError);
  assert.throws(() => decodeSliver(new Uint8Array()), MalformedBcsError);
});

test('blob ids print as Walrus prints them and parse back', () => {
  const e = encodeBlob(4, randomBytes(10));
  const text = blobIdToString(e.blobId);
  assert.match(text, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(blobIdFromString(text), e.blobId);
  assert.deepEqual(blobIdFromBigInt(blobIdToBigInt(e.blobId)), e.blobId);
  assert.throws(() => blobIdFromString('not-a-blob-id'), InvalidBlobIdError);
});

test('encoding a blob larger than the committee allows is refused before any work', () => {
  const c = new EncodingConfig(4);
  assert.throws(() => encodeBlob(4, new Uint8Array(c.maxBlobSize + 1)), BlobTooLargeError);
});
