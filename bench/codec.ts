/**
 * Codec throughput: encode and decode MB/s through `CodecPool` for blob sizes and
 * committee sizes Floe meets, with 1 and 2 workers, and each configuration's peak RSS.
 * Every row runs in a fresh child process so its peak RSS is its own.
 *
 *   npm run bench:codec            # n = 100, 1000 x 1, 8, 64 MiB x 1, 2 workers
 *   npm run bench:codec -- --quick # n = 100 x 1, 8 MiB
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CodecPool, EncodingConfig } from '../core/walrus/encoding/index.js';

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
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
