/**
 * What a spot-check costs against a full read: a snapshot of `--size` MiB of random files
 * (no dedup) backed up to a 10-node localnet, then the spot-check at `--sample` percent
 * (every node asked for that share of its slivers, each verified against the blob's
 * metadata) and `check --read-data` (every pack read back, slivers verified, decrypted,
 * every chunk re-hashed), each timed: wall and CPU seconds (this process: the storage
 * nodes and the codec workers run in it too) and bytes read.
 *
 *   npm run bench:spot-check -- --size 1024 --sample 1
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes } from '../core/cli/format.js';
import { Index } from '../core/index/index.js';
import { Localnet } from '../core/localnet/network.js';
import { deriveKeys, generateRecoveryPhrase } from '../core/repo/keys.js';
import { runBackup } from '../core/sync/backup.js';
import { checkRepository } from '../core/sync/check.js';
import { runSpotCheck } from '../core/sync/spot-check-schedule.js';
import { LocalChain } from '../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../core/walrus/client/client.js';
import { CodecPool } from '../core/walrus/encoding/pool.js';

const MiB = 1024 * 1024;
const FILE_MIB = 8;

async function measured<T>(
  run: () => Promise<T>,
): Promise<{ value: T; wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const cpu = process.cpuUsage(cpu0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1024' },
      sample: { type: 'string', default: '1' },
      shards: { type: 'string', default: '100' },
    },
  });
  const sizeMiB = Number(values.size);
  const samplePercent = Number(values.sample);
  const nShards = Number(values.shards);
  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-spot-'));
  const net = await Localnet.start({
    dir: join(dir, 'net'),
    nodes: 10,
    nShards,
    autoAdvance: false,
  });
  const pool = new CodecPool({ size: 2 });
  const keys = deriveKeys(generateRecoveryPhrase());
  const chain = new LocalChain(net.url, keys.account);
  const index = Index.open(join(dir, 'index.db'));
  try {
    await chain.faucet(chain.address);
    const client = new WalrusClient({ chain, pool });
    const src = join(dir, 'src');
    await mkdir(src);
    for (let i = 0; i * FILE_MIB < sizeMiB; i++)
      await writeFile(
        join(src, `file-${i}.bin`),
        randomBytes(Math.min(FILE_MIB, sizeMiB - i * FILE_MIB) * MiB),
      );
    index.addFolder(src);
    console.log(
      `spot-check bench: ${sizeMiB} MiB, 10 nodes, ${nShards} shards, ${new Date().toISOString()}, load ${(await loadAverage()).join(' ')}`,
    );
    const backup = await measured(() => runBackup({ index, keys, client, epochs: 5 }));
    console.log(
      `backup: ${backup.wall.toFixed(1)} s wall, ${backup.cpu.toFixed(1)} s CPU, ${backup.value.packs} packs`,
    );

    const spot = await measured(() =>
      runSpotCheck({ index, client }, { samplePercent, trigger: 'manual', warnMarginNodes: 2 }),
    );
    const s = spot.value;
    console.log(
      `spot-check ${samplePercent} %: ${spot.wall.toFixed(2)} s wall, ${spot.cpu.toFixed(2)} s CPU, ${s.slivers} slivers of ${s.blobs} blobs, ${formatBytes(s.bytes)} read; ${s.summary}`,
    );

    let packBytes = 0;
    const full = await measured(() =>
      checkRepository(client, keys, index, {
        readData: true,
        onProgress: (p) => (packBytes = Math.max(packBytes, p.bytesDone)),
      }),
    );
    console.log(
      `check --read-data: ${full.wall.toFixed(1)} s wall, ${full.cpu.toFixed(1)} s CPU, ${full.value.packsRead} packs, ${formatBytes(packBytes)} of packs read (the slivers fetched for them are at least as many bytes); problems ${full.value.problems.length}`,
    );
    console.log('\n| | wall s | CPU s | read |');
    console.log('| --- | ---: | ---: | ---: |');
    console.log(
      `| spot-check ${samplePercent} % | ${spot.wall.toFixed(2)} | ${spot.cpu.toFixed(2)} | ${formatBytes(s.bytes)} |`,
    );
    console.log(
      `| check --read-data | ${full.wall.toFixed(1)} | ${full.cpu.toFixed(1)} | ${formatBytes(packBytes)} |`,
    );
  } finally {
    index.close();
    await pool.close();
    await net.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadAverage(): Promise<string[]> {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3);
}

await main();
