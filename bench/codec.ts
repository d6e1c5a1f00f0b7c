/**
 * Codec throughput: encode and decode MB/s through `CodecPool` for blob sizes and
 * committee sizes Floe meets, with 1 and 2 workers, and each configuration's peak RSS.
 * Every row runs in a fresh child process so its peak RSS is its own.
 *
 *   npm run bench:codec            # n = 100, 1000 x 1, 8, 64 MiB x 1, 2 workers
 *   npm run bench:codec -- --quick # n = 100 x 1, 8 MiB
 *
 * `--native` compares the native RS2 encoder with walrus-wasm instead, one encode on one
 * core each, in the same run: n = 100 x 8, 64, 128 MiB (its largest blob is 142 MiB) and
 * n = 1000 x 8, 64, 256 MiB; `--quick` keeps the 8 MiB rows, `--simd avx2` (or ssse3,
 * scalar) picks the native kernels. Decoding stays on wasm: its MB/s is shown beside.
 *
 * `--verify` times sliver verification — re-encoding one sliver to its n symbols and
 * Merkle-hashing them, which every storage node does for each sliver it accepts and every
 * reader for each sliver it fetches — in TypeScript and with the native kernels.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  CodecPool,
  EncodingConfig,
  decodeBlob,
  decodeSliver,
  encodeBlob,
  sliverHashInJs,
  sourceSymbolCount,
} from '../core/walrus/encoding/index.js';
import { loadNativeEncoder, type SimdLevel } from '../core/walrus/encoding/native/index.js';

const MiB = 1024 * 1024;

interface Row {
  n: number;
  mib: number;
  workers: number;
  encodeMBs: number;
  decodeMBs: number;
  peakRssMiB: number;
}

async function measure(n: number, mib: number, workers: number): Promise<Row> {
  const pool = new CodecPool({ size: workers, memoryBudgetBytes: 16 * 1024 ** 3 });
  const k = new EncodingConfig(n).primarySourceSymbols;
  const blobs = Array.from({ length: workers }, () => randomBytes(mib * MiB));
  // Warm the workers (wasm compilation) outside the timing.
  await Promise.all(Array.from({ length: workers }, () => pool.encode(n, randomBytes(1024))));
  let t = performance.now();
  const encoded = await Promise.all(blobs.map((b) => pool.encode(n, new Uint8Array(b))));
  const encodeSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  await Promise.all(encoded.map((e) => pool.decode(n, e.blobId, mib * MiB, e.primary.slice(0, k))));
  const decodeSeconds = (performance.now() - t) / 1000;
  await pool.close();
  const totalMB = (workers * mib * MiB) / 1e6;
  return {
    n,
    mib,
    workers,
    encodeMBs: totalMB / encodeSeconds,
    decodeMBs: totalMB / decodeSeconds,
    // maxRSS is in KiB and covers the worker threads, which share the process.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

interface EncoderRow {
  codec: string;
  n: number;
  mib: number;
  /** The first encode of the blob in a fresh process: its output lands on new pages. */
  firstMBs: number;
  /** The best of the next encodes of the same blob, each after a GC: a long backup's rate. */
  steadyMBs: number;
  /** Decoding the encoder's systematic slivers with walrus-wasm. */
  decodeMBs: number;
  /** Peak RSS of the process by the end of the first encode. */
  peakRssMiB: number;
  /** RSS after loading the codec and warming it, before the blob exists. */
  baselineRssMiB: number;
  encodedMiB: number;
}

function measureEncoder(codec: 'wasm' | SimdLevel, n: number, mib: number): EncoderRow {
  const native = codec === 'wasm' ? null : loadNativeEncoder({ simd: codec });
  if (codec !== 'wasm' && !native)
    throw new Error(`the native encoder is not available (${codec})`);
  const encode = native ? native.encode.bind(native) : encodeBlob;
  encode(n, randomBytes(1024)); // table set-up and wasm compilation outside the timing
  const baselineRssMiB = process.memoryUsage().rss / MiB;
  const data = randomBytes(mib * MiB);
  const seconds: number[] = [];
  let peakRssMiB = 0;
  let encodedBytes = 0;
  let decodeSeconds = 0;
  for (let rep = 0; rep < (mib <= 64 ? 4 : 2); rep++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    const encoded = encode(n, data);
    seconds.push((performance.now() - t) / 1000);
    if (rep > 0) continue;
    // Read before decoding, whose own buffers would count otherwise.
    peakRssMiB = process.resourceUsage().maxRSS / 1024;
    encodedBytes = [...encoded.primary, ...encoded.secondary].reduce((a, s) => a + s.length, 0);
    const k = new EncodingConfig(n).primarySourceSymbols;
    const d = performance.now();
    decodeBlob(n, encoded.blobId, data.length, encoded.primary.slice(0, k));
    decodeSeconds = (performance.now() - d) / 1000;
  }
  const mb = data.length / 1e6;
  return {
    codec: native ? `native ${native.simd}` : 'wasm',
    n,
    mib,
    firstMBs: mb / seconds[0]!,
    steadyMBs: mb / Math.min(...seconds.slice(1)),
    decodeMBs: mb / decodeSeconds,
    peakRssMiB,
    baselineRssMiB,
    encodedMiB: encodedBytes / MiB,
  };
}

function compareEncoders(self: string, args: string[]): void {
  const quick = args.includes('--quick');
  const simdAt = args.indexOf('--simd');
  const simd = simdAt >= 0 ? args[simdAt + 1]! : (loadNativeEncoder()?.simd ?? 'scalar');
  const plan: [number, number[]][] = quick
    ? [
        [100, [8]],
        [1000, [8]],
      ]
    : [
        [100, [8, 64, 128]],
        [1000, [8, 64, 256]],
      ];
  console.log(`codec bench: native (${simd}) vs walrus-wasm encoding, ${new Date().toISOString()}`);
  const rows: [EncoderRow, EncoderRow][] = [];
  for (const [n, sizes] of plan) {
    for (const mib of sizes) {
      const [wasm, native] = ['wasm', simd].map((codec) => {
        // `encodeBlob` stays on walrus-wasm in the wasm row even once codec.ts prefers native.
        const env = codec === 'wasm' ? { ...process.env, FLOE_NATIVE_CODEC: 'off' } : process.env;
        const out = execFileSync(
          process.execPath,
          [...process.execArgv, self, '--encoder-row', codec, String(n), String(mib)],
          { encoding: 'utf8', maxBuffer: 1 << 20, env },
        );
        const row = JSON.parse(out) as EncoderRow;
        console.log(
          `n=${n} ${mib} MiB ${row.codec}: encode ${row.firstMBs.toFixed(1)} MB/s first, ${row.steadyMBs.toFixed(1)} MB/s steady, peak RSS ${row.peakRssMiB.toFixed(0)} MiB (baseline ${row.baselineRssMiB.toFixed(0)}, encoded ${row.encodedMiB.toFixed(0)}), wasm decode ${row.decodeMBs.toFixed(1)} MB/s`,
        );
        return row;
      }) as [EncoderRow, EncoderRow];
      rows.push([wasm, native]);
    }
  }
  console.log(
    '\n| n | blob | encode MB/s wasm | native | × | steady MB/s wasm | native | × | peak RSS MiB wasm | native | encoded MiB | wasm decode MB/s |',
  );
  console.log(
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [w, x] of rows) {
    const f = (v: number) => v.toFixed(1);
    console.log(
      `| ${w.n} | ${w.mib} MiB | ${f(w.firstMBs)} | ${f(x.firstMBs)} | ${f(x.firstMBs / w.firstMBs)} | ${f(w.steadyMBs)} | ${f(x.steadyMBs)} | ${f(x.steadyMBs / w.steadyMBs)} | ${w.peakRssMiB.toFixed(0)} | ${x.peakRssMiB.toFixed(0)} | ${x.encodedMiB.toFixed(0)} | ${f(x.decodeMBs)} |`,
    );
  }
}

/** Milliseconds per primary sliver, TypeScript and native, and what that caps a read at. */
function compareVerification(): void {
  const native = loadNativeEncoder();
  if (!native) throw new Error('the native addon is not built: run `npx node-gyp rebuild`');
  console.log(
    `sliver verification: TypeScript vs native (${native.simd}), ${new Date().toISOString()}`,
  );
  console.log(
    '\n| n | blob | sliver KiB | TypeScript ms | native ms | × | read cap MB/s TypeScript | native |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [n, mib] of [
    [100, 8],
    [100, 64],
    [1000, 8],
    [1000, 64],
  ] as const) {
    const config = new EncodingConfig(n);
    const encoded = native.encode(n, new Uint8Array(randomBytes(mib * MiB)));
    const k = sourceSymbolCount('primary', config);
    const slivers = encoded.primary.slice(0, 8).map((bytes) => decodeSliver(bytes));
    const time = (hash: (i: number) => Uint8Array) => {
      const start = performance.now();
      for (const [i] of slivers.entries()) hash(i);
      return (performance.now() - start) / slivers.length;
    };
    const ts = time((i) => sliverHashInJs('primary', slivers[i]!, config));
    const nat = time((i) => native.sliverRoot(n, k, slivers[i]!.symbolSize, slivers[i]!.data));
    // A read verifies the primary slivers it decodes from: n - 2f of them.
    const readCap = (ms: number) => (mib * MiB) / 1e6 / ((config.primarySourceSymbols * ms) / 1000);
    console.log(
      `| ${n} | ${mib} MiB | ${(slivers[0]!.data.length / 1024).toFixed(0)} | ${ts.toFixed(2)} | ${nat.toFixed(3)} | ${(ts / nat).toFixed(0)} | ${readCap(ts).toFixed(1)} | ${readCap(nat).toFixed(0)} |`,
    );
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--verify')) return compareVerification();
  const encoderRowAt = args.indexOf('--encoder-row');
  if (encoderRowAt >= 0) {
    const [codec, n, mib] = args.slice(encoderRowAt + 1, encoderRowAt + 4);
    process.stdout.write(
      JSON.stringify(measureEncoder(codec as 'wasm' | SimdLevel, Number(n), Number(mib))),
    );
    return;
  }
  if (args.includes('--native')) {
    compareEncoders(fileURLToPath(import.meta.url), args);
    return;
  }
  const rowAt = args.indexOf('--row');
  if (rowAt >= 0) {
    const [n, mib, workers] = args.slice(rowAt + 1, rowAt + 4).map(Number) as [
      number,
      number,
      number,
    ];
    process.stdout.write(JSON.stringify(await measure(n, mib, workers)));
    return;
  }
  const quick = args.includes('--quick');
  const shardCounts = quick ? [100] : [100, 1000];
  const sizes = quick ? [1, 8] : [1, 8, 64];
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  console.log(`codec bench: walrus-wasm through CodecPool, ${new Date().toISOString()}`);
  for (const n of shardCounts) {
    for (const mib of sizes) {
      for (const workers of [1, 2]) {
        const out = execFileSync(
          process.execPath,
          [...process.execArgv, self, '--row', String(n), String(mib), String(workers)],
          {
            encoding: 'utf8',
            maxBuffer: 1 << 20,
          },
        );
        const row = JSON.parse(out) as Row;
        rows.push(row);
        console.log(
          `n=${row.n} ${row.mib} MiB x${row.workers}: encode ${row.encodeMBs.toFixed(1)} MB/s, decode ${row.decodeMBs.toFixed(1)} MB/s, peak RSS ${row.peakRssMiB.toFixed(0)} MiB`,
        );
      }
    }
  }
  console.log('\n| n | blob | workers | encode MB/s | decode MB/s | peak RSS MiB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.n} | ${r.mib} MiB | ${r.workers} | ${r.encodeMBs.toFixed(1)} | ${r.decodeMBs.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} |`,
    );
  }
}

await main();
