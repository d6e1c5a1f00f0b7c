import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { BlobEncoder } from '@mysten/walrus-wasm';
import {
  BlobTooLargeError,
  EncodingConfig,
  RS2_ENCODING_TYPE,
  blobIdFromRootHash,
  decodeBlob,
  decodeSliver,
  InvalidSliverError,
  sliverHashInJs,
  sourceSymbolCount,
  verifySliver,
  encodedSliverLength,
  metadataRootHash,
  type EncodedBlob,
} from '../../../core/walrus/encoding/index.js';
import {
  loadNativeEncoder,
  probeNativeEncoder,
  type NativeEncoder,
  type SimdLevel,
} from '../../../core/walrus/encoding/native/index.js';

const probe = probeNativeEncoder();
const native = probe.encoder;
const ALL_LEVELS: SimdLevel[] = ['avx512', 'avx2', 'ssse3', 'neon', 'scalar'];
const levels = ALL_LEVELS.filter((simd) => loadNativeEncoder({ simd }));

/** Deterministic data and lengths (xorshift), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function blob(length: number, seed: number): Uint8Array {
  const random = rng(seed);
  const out = new Uint8Array(length);
  const words = new Uint32Array(out.buffer, 0, length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = random() * 2 ** 32;
  for (let i = words.length * 4; i < length; i++) out[i] = random() * 256;
  return out;
}

interface WasmEncoding {
  primary: Uint8Array[];
  secondary: Uint8Array[];
  blobId: Uint8Array;
  hashes: { primary: Uint8Array; secondary: Uint8Array }[];
}
type WasmNode = { Digest: number[] } | 'Empty';
interface WasmMetadata {
  blob_id: number[];
  metadata: { V1: { hashes: { primary_hash: WasmNode; secondary_hash: WasmNode }[] } };
}

const wasmEncoders = new Map<number, BlobEncoder>();

/**
 * The oracle: walrus-wasm itself, called directly rather than through codec.ts, so it stays
 * wasm however `encodeBlob` picks its encoder.
 */
function encodeWithWasm(n: number, data: Uint8Array): WasmEncoding {
  const config = new EncodingConfig(n);
  const slivers = (size: number) =>
    Array.from({ length: n }, () => new Uint8Array(encodedSliverLength(size)));
  const primary = slivers(config.primarySliverSize(data.length));
  const secondary = slivers(config.secondarySliverSize(data.length));
  if (!wasmEncoders.has(n)) wasmEncoders.set(n, new BlobEncoder(n));
  const [metadata] = wasmEncoders.get(n)!.encode(data, primary, secondary) as [
    WasmMetadata,
    unknown,
  ];
  const node = (x: WasmNode) => (x === 'Empty' ? new Uint8Array(32) : Uint8Array.from(x.Digest));
  return {
    primary,
    secondary,
    blobId: Uint8Array.from(metadata.blob_id),
    hashes: metadata.metadata.V1.hashes.map((h) => ({
      primary: node(h.primary_hash),
      secondary: node(h.secondary_hash),
    })),
  };
}

/** The first difference from walrus-wasm's encoding, or null: every sliver byte, hash and id. */
function difference(actual: EncodedBlob, expected: WasmEncoding, length: number): string | null {
  const equal = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
  if (!equal(actual.blobId, expected.blobId)) return 'blob id';
  if (!equal(actual.rootHash, metadataRootHash(actual.metadata))) return 'root hash';
  if (!equal(blobIdFromRootHash(actual.rootHash, RS2_ENCODING_TYPE, length), actual.blobId))
    return 'blob id from the root hash';
  if (actual.unencodedLength !== length || actual.metadata.unencodedLength !== length)
    return 'unencoded length';
  if (actual.metadata.encodingType !== RS2_ENCODING_TYPE) return 'encoding type';
  if (actual.primary.length !== expected.primary.length) return 'sliver count';
  for (let i = 0; i < expected.primary.length; i++) {
    for (const kind of ['primary', 'secondary'] as const) {
      const a = actual[kind][i]!;
      const b = expected[kind][i]!;
      if (!equal(a, b)) {
        const at = a.findIndex((byte, j) => byte !== b[j]);
        return `${kind} sliver of pair ${i} (${a.length} vs ${b.length} bytes, first difference at ${at})`;
      }
      if (!equal(actual.metadata.hashes[i]![kind], expected.hashes[i]![kind]))
        return `${kind} hash of pair ${i}`;
    }
  }
  return null;
}

function assertSameAsWasm(encoder: NativeEncoder, n: number, length: number, seed: number): void {
  const data = blob(length, seed);
  const diff = difference(encoder.encode(n, data), encodeWithWasm(n, data), length);
  assert.equal(diff, null, `${encoder.simd}: n=${n} length=${length} seed=${seed}: ${diff}`);
}

/**
 * Blob lengths for a committee: the edges that fit under `longest` — empty, one byte, a
 * one-element symbol with an odd length, symbols of a 64-byte chunk plus a 2-byte tail and
 * of exactly two chunks, the largest blob n shards hold — then random ones, half short,
 * so symbol sizes and their tails vary.
 */
function lengths(n: number, count: number, longest: number, seed: number): number[] {
  const config = new EncodingConfig(n);
  const symbols = config.sourceSymbolsPerBlob;
  const edges = [
    0,
    1,
    2 * symbols - 1,
    64 * symbols + 1,
    128 * symbols,
    config.maxBlobSize - 1,
    config.maxBlobSize,
  ];
  const cap = Math.min(longest, config.maxBlobSize);
  const out = edges.filter((length) => length <= cap);
  const random = rng(seed);
  while (out.length < count) out.push(Math.floor(random() * (random() < 0.5 ? 4096 : cap)));
  return out;
}

describe('the native RS2 encoder', { skip: !native && (probe.reason ?? undefined) }, () => {
  const encoder = native!;

  // Hundreds of blobs against walrus-wasm: few at n = 1000, where each wasm encode costs a
  // second, more at small n.
  const plan: [n: number, blobs: number, longest: number][] = [
    [4, 120, 400_000],
    [7, 100, 1_000_000],
    [10, 100, 1_900_000],
    [100, 40, 1_500_000],
    [301, 12, 600_000],
    [1000, 5, 500_000],
  ];
  for (const [n, count, longest] of plan) {
    test(`every sliver byte, sliver hash and blob id equals walrus-wasm’s at n = ${n}`, () => {
      for (const [i, length] of lengths(n, count, longest, n).entries()) {
        assertSameAsWasm(encoder, n, length, n * 1000 + i);
      }
    });
  }

  test('every SIMD level this CPU has gives the same bytes', () => {
    assert.ok(levels.includes('scalar'), 'the portable kernels are always there');
    const shapes: [number, number][] = [
      [4, 0],
      [7, 1001],
      [10, 64 * 28 + 30],
      [31, 123_457],
      [100, 333_333],
      [301, 91_011],
    ];
    for (const simd of levels) {
      for (const [i, [n, length]] of shapes.entries()) {
        assertSameAsWasm(loadNativeEncoder({ simd })!, n, length, 77 + i);
      }
    }
  });

  test('sliver roots equal walrus-wasm’s metadata hashes at every n and SIMD level, and the TypeScript ones', () => {
    for (const [n, length] of [
      [4, 1],
      [7, 64 * 5 + 3],
      [10, 100_001],
      [100, 333_333],
      [301, 91_011],
      [1000, 400_000],
    ] as const) {
      const config = new EncodingConfig(n);
      const expected = encodeWithWasm(n, blob(length, n + length));
      // Every pair at small n; a spread of them where n is large.
      const pairs = Array.from({ length: n }, (_, i) => i).filter(
        (i) => n <= 10 || i % Math.ceil(n / 12) === 0 || i === n - 1,
      );
      for (const simd of levels) {
        const kernels = loadNativeEncoder({ simd })!;
        for (const i of pairs) {
          for (const kind of ['primary', 'secondary'] as const) {
            const sliver = decodeSliver(expected[kind][i]!);
            const k = sourceSymbolCount(kind, config);
            const root = kernels.sliverRoot(n, k, sliver.symbolSize, sliver.data);
            assert.deepEqual(root, expected.hashes[i]![kind], `${simd} n=${n} ${kind} ${i}`);
            if (simd === levels[0] && i === pairs[0])
              assert.deepEqual(sliverHashInJs(kind, sliver, config), root, `TS n=${n} ${kind}`);
          }
        }
      }
    }
  });

  test('a sliver with one byte changed has another root, and verifySliver refuses it', () => {
    const n = 10;
    const data = blob(20_000, 4);
    const encoded = encoder.encode(n, data);
    const config = new EncodingConfig(n);
    const tampered = encoded.primary[3]!.slice();
    tampered[tampered.length >> 1]! ^= 1; // a symbol byte (the BCS ends with the sliver index)
    const sliver = decodeSliver(tampered);
    assert.notDeepEqual(
      encoder.sliverRoot(n, sourceSymbolCount('primary', config), sliver.symbolSize, sliver.data),
      encoded.metadata.hashes[3]!.primary,
    );
    assert.throws(() => verifySliver(encoded.metadata, 3, 'primary', tampered), InvalidSliverError);
    verifySliver(encoded.metadata, 3, 'primary', encoded.primary[3]!);
  });

  test('sliverRoot refuses shapes that do not fit', () => {
    const symbols = new Uint8Array(12);
    assert.throws(
      () => encoder.sliverRoot(10, 6, 3, new Uint8Array(18)),
      RangeError,
      'odd symbols',
    );
    assert.throws(() => encoder.sliverRoot(10, 10, 2, new Uint8Array(20)), RangeError, 'no repair');
    assert.throws(() => encoder.sliverRoot(10, 6, 4, symbols), RangeError, 'short data');
    assert.throws(() => encoder.sliverRoot(3, 2, 6, symbols), RangeError, 'too few shards');
  });

  test('a large blob with long symbols (n = 100, 12 MiB: 5.5 KiB symbols) matches too', () => {
    assertSameAsWasm(encoder, 100, 12 * 1024 * 1024 + 11, 5);
  });

  test('walrus-wasm decodes the native slivers back to the blob', () => {
    const n = 10;
    const data = blob(50_001, 9);
    const encoded = encoder.encode(n, data);
    const k = new EncodingConfig(n).primarySourceSymbols;
    const decoded = decodeBlob(n, encoded.blobId, data.length, encoded.primary.slice(3, 3 + k));
    assert.deepEqual(decoded, data);
  });

  test('each sliver has its own ArrayBuffer, so a worker can transfer them all', () => {
    const encoded = encoder.encode(7, blob(10_000, 3));
    const buffers = new Set([...encoded.primary, ...encoded.secondary].map((s) => s.buffer));
    assert.equal(buffers.size, 14);
    for (const s of [...encoded.primary, ...encoded.secondary]) {
      assert.equal(s.byteOffset, 0);
      assert.equal(s.byteLength, s.buffer.byteLength);
    }
  });

  test('the addon loads and encodes in worker threads too, where the codec pool runs it', async () => {
    const tsx = import.meta.resolve('tsx/esm/api');
    const loader = new URL('../../../core/walrus/encoding/native/index.ts', import.meta.url);
    const worker = new Worker(
      `(async () => {
        (await import(${JSON.stringify(tsx)})).register();
        const { loadNativeEncoder } = await import(${JSON.stringify(loader.href)});
        const encoded = loadNativeEncoder().encode(7, new Uint8Array(5000).fill(7));
        require('node:worker_threads').parentPort.postMessage(encoded.blobId);
      })();`,
      { eval: true },
    );
    const blobId = await new Promise<Uint8Array>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.deepEqual(blobId, encodeWithWasm(7, new Uint8Array(5000).fill(7)).blobId);
  });

  test('encodeAsync gives the same result and leaves the event loop running meanwhile', async () => {
    const data = blob(24 * 1024 * 1024, 11);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    try {
      const encoded = await encoder.encodeAsync(100, data);
      assert.ok(ticks > 0, 'timers fired while the thread pool encoded');
      assert.equal(difference(encoded, encodeWithWasm(100, data), data.length), null);
    } finally {
      clearInterval(ticker);
    }
  });

  test('a blob too large for its committee is a BlobTooLargeError, as with wasm', () => {
    const max = new EncodingConfig(4).maxBlobSize;
    assert.throws(() => encoder.encode(4, new Uint8Array(max + 1)), BlobTooLargeError);
    assert.throws(() => encoder.encode(3, new Uint8Array(10)), RangeError);
  });

  test('FLOE_NATIVE_CODEC=off keeps encoding on wasm, and says why', () => {
    process.env.FLOE_NATIVE_CODEC = 'off';
    try {
      const off = probeNativeEncoder();
      assert.equal(off.encoder, null);
      assert.match(off.reason!, /FLOE_NATIVE_CODEC=off/);
    } finally {
      delete process.env.FLOE_NATIVE_CODEC;
    }
  });
});
