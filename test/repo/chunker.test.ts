import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileChunker,
  chunkBuffer as chunkBufferWith,
  chunkStream as chunkStreamWith,
  gearTable,
  nativeCutter,
  scriptCutter,
  type ChunkerParams,
  type CutterFactory,
  type GearTable,
} from '../../core/repo/chunker.js';
import { nativeCutterFrom, probeNativeCutter } from '../../core/repo/native/index.js';

const gear = gearTable(new Uint8Array(32));
const SMALL: ChunkerParams = { minSize: 2048, avgSize: 8192, maxSize: 32768 };

async function* pieces(data: Uint8Array, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const cutters: [string, CutterFactory | null][] = [
  ['the TypeScript cutter', scriptCutter],
  ['the native cutter', nativeCutter],
];

for (const [name, make] of cutters) {
  describe(name, { skip: !make && (probeNativeCutter().reason ?? undefined) }, () => {
    const chunkStream = (
      source: AsyncIterable<Uint8Array>,
      table: GearTable,
      params?: ChunkerParams,
    ) => chunkStreamWith(source, table, params, make!);
    const chunkBuffer = (data: Uint8Array, table: GearTable, params?: ChunkerParams) =>
      chunkBufferWith(data, table, params, make!);

    test('chunks concatenate to the input and respect the size bounds', async () => {
      const data = randomBytes(2_000_000);
      const chunks = await collect(chunkStream(pieces(data, 65536), gear, SMALL));
      assert.deepEqual(Buffer.concat(chunks), data);
      for (const c of chunks.slice(0, -1))
        assert.ok(c.length >= SMALL.minSize && c.length <= SMALL.maxSize, `${c.length}`);
      const mean = data.length / chunks.length;
      assert.ok(mean > SMALL.avgSize / 2 && mean < SMALL.avgSize * 2, `mean ${mean}`);
    });

    test('cut points do not depend on how the stream is split into reads', async () => {
      const data = randomBytes(500_000);
      const whole = chunkBuffer(data, gear, SMALL).map(digest);
      for (const read of [1, 777, 4096, 100_000, 1_000_000]) {
        assert.deepEqual(
          (await collect(chunkStream(pieces(data, read), gear, SMALL))).map(digest),
          whole,
          `reads of ${read}`,
        );
      }
    });

    test('an insertion near the start changes only the chunks around it', () => {
      const data = randomBytes(1_000_000);
      const edited = Buffer.concat([
        data.subarray(0, 5000),
        Buffer.from('a small edit'),
        data.subarray(5000),
      ]);
      const before = new Set(chunkBuffer(data, gear, SMALL).map(digest));
      const after = chunkBuffer(edited, gear, SMALL).map(digest);
      const changed = after.filter((d) => !before.has(d)).length;
      assert.ok(changed <= 2, `${changed} of ${after.length} chunks changed`);
    });

    test('an empty input has no chunks and a tiny one is a single chunk', async () => {
      assert.deepEqual(await collect(chunkStream(pieces(new Uint8Array(0), 10), gear, SMALL)), []);
      const tiny = randomBytes(100);
      assert.deepEqual(await collect(chunkStream(pieces(tiny, 10), gear, SMALL)), [
        Uint8Array.from(tiny),
      ]);
    });

    test('boundaries depend on the repository key', () => {
      const data = randomBytes(300_000);
      const a = chunkBuffer(data, gear, SMALL).map((c) => c.length);
      const b = chunkBuffer(data, gearTable(new Uint8Array(32).fill(9)), SMALL).map(
        (c) => c.length,
      );
      assert.notDeepEqual(a, b);
    });

    test('a run of identical bytes is cut at the maximum size', () => {
      const chunks = chunkBuffer(new Uint8Array(100_000), gear, SMALL);
      assert.ok(
        chunks.slice(0, -1).every((c) => c.length === SMALL.maxSize || c.length >= SMALL.minSize),
      );
      assert.equal(
        chunks.reduce((s, c) => s + c.length, 0),
        100_000,
      );
    });

    test('files are cut where their bytes in memory are, one window serving them all', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'floe-chunker-'));
      try {
        const files = new FileChunker(gear, SMALL, make!);
        // Small after large: the grown window is reused and must start empty.
        for (const [i, size] of [0, 100, 300_000, 70_000, 5, 1_000_000].entries()) {
          const data = Buffer.concat([randomBytes(size >> 1), Buffer.alloc(size - (size >> 1), 3)]);
          const path = join(dir, `${i}.bin`);
          await writeFile(path, data);
          const chunks: Buffer[] = [];
          for await (const c of files.chunks(path)) chunks.push(Buffer.from(c));
          assert.deepEqual(
            chunks.map(digest),
            chunkBuffer(data, gear, SMALL).map(digest),
            `${size}`,
          );
        }
      } finally {
        await rm(dir, { recursive: true });
      }
    });

    test('with the default sizes the stream window grows as needed and cuts where a whole buffer would', async () => {
      // 64 KiB at first, growing to two 4 MiB maxima: small reads, large ones, long runs.
      const data = Buffer.concat([
        randomBytes(9_000_000),
        Buffer.alloc(9_000_000, 7),
        randomBytes(3000),
      ]);
      const whole = chunkBuffer(data, gear).map(digest);
      for (const read of [1000, 65_536, 1 << 20, 3_000_000]) {
        const chunks = await collect(chunkStream(pieces(data, read), gear));
        assert.deepEqual(chunks.map(digest), whole, `reads of ${read}`);
      }
      const tiny = await collect(chunkStream(pieces(Buffer.from('a small file'), 1 << 20), gear));
      assert.deepEqual(
        tiny.map((c) => Buffer.from(c).toString()),
        ['a small file'],
      );
    });
  });
}

/** Deterministic bytes (xorshift) with runs of one value in them, so max-size cuts happen. */
function sample(length: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const out = new Uint8Array(length);
  for (let i = 0; i < length;) {
    if (next() % 8 === 0) {
      const run = Math.min(length - i, next() % 200_000);
      out.fill(next() & 0xff, i, i + run);
      i += run;
    } else {
      const end = Math.min(length, i + (next() % 100_000) + 1);
      for (; i < end; i++) out[i] = next() & 0xff;
    }
  }
  return out;
}

describe(
  'the native cutter against the TypeScript one',
  { skip: !nativeCutter && (probeNativeCutter().reason ?? undefined) },
  () => {
    test('cuts at the same points over random data, keys, sizes and reads', async () => {
      for (let seed = 1; seed <= 40; seed++) {
        const bits = 6 + (seed % 15); // averages of 64 B … 1 MiB
        const avgSize = 2 ** bits;
        const params: ChunkerParams = {
          minSize: 1 + ((seed * 7919) % (avgSize - 1)),
          avgSize,
          maxSize: avgSize + 1 + ((seed * 104_729) % (7 * avgSize)),
        };
        const table = gearTable(Uint8Array.of(seed, 1, 2, 3));
        const data = sample(Math.min(6_000_000, avgSize * 40) + seed * 13, seed);
        const lengths = (chunks: Uint8Array[]) => chunks.map((c) => c.length);
        const expected = lengths(chunkBufferWith(data, table, params, scriptCutter));
        const what = `seed ${seed}, ${JSON.stringify(params)}`;
        assert.deepEqual(
          lengths(chunkBufferWith(data, table, params, nativeCutter!)),
          expected,
          what,
        );
        const read = 1 + ((seed * 31_337) % (4 * avgSize));
        const streamed = await collect(
          chunkStreamWith(pieces(data, read), table, params, nativeCutter!),
        );
        assert.deepEqual(lengths(streamed), expected, `${what}, reads of ${read}`);
        assert.deepEqual(Buffer.concat(streamed), Buffer.from(data), what);
      }
    });

    test('refuses reads outside its buffer', () => {
      const cut = nativeCutter!({ minSize: 2, avgSize: 8, maxSize: 32 }, gear);
      assert.throws(() => cut.find(new Uint8Array(10), 0, 11), RangeError);
      assert.throws(() => cut.find(new Uint8Array(10), 5, 4), RangeError);
    });
  },
);

test('an addon built before the chunker existed counts as no native cutter', () => {
  const probe = nativeCutterFrom({ encode() {}, sliverRoot() {} });
  assert.equal(probe.GearCutter, null);
  assert.match(probe.reason ?? '', /out of date/);
});
