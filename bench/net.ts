/**
 * Store and read throughput through a real localnet: ledger and storage nodes on
 * loopback in this process, blobs encoded in the worker pool, every sliver verified by
 * the node that receives it and by the reader.
 *
 *   npm run bench:net                 # 10 nodes, 1000 shards, 8 and 64 MiB
 *   npm run bench:net -- --quick      # 10 nodes, 100 shards, 1 and 8 MiB
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Localnet } from '../core/localnet/network.js';
import { LocalChain } from '../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../core/walrus/client/client.js';
import { CodecPool } from '../core/walrus/encoding/pool.js';

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const nShards = quick ? 100 : 1000;
  const sizes = quick ? [1, 8] : [8, 64];
  const dir = await mkdtemp(join(tmpdir(), 'floe-bench-net-'));
  const net = await Localnet.start({ dir, nodes: 10, nShards, autoAdvance: false });
  const chain = new LocalChain(net.url, new Ed25519Keypair());
  await chain.faucet(chain.address);
  const pool = new CodecPool({ size: 2 });
  const client = new WalrusClient({ chain, pool });
  const rows: string[] = [];
  console.log(`net bench: 10 nodes, ${nShards} shards, one process, ${new Date().toISOString()}`);
  try {
    for (const mib of sizes) {
      const data = randomBytes(mib * MiB);
      let t = performance.now();
      const stored = await client.store(Uint8Array.from(data), { epochs: 2, deletable: false });
      const storeS = (performance.now() - t) / 1000;
      t = performance.now();
      const back = await client.read(stored.blobId);
      const readS = (performance.now() - t) / 1000;
      if (Buffer.compare(Buffer.from(back), data) !== 0)
        throw new Error('read returned other bytes');
      const rss = process.resourceUsage().maxRSS / 1024;
      const row = `| ${nShards} | ${mib} MiB | ${((mib * MiB) / 1e6 / storeS).toFixed(2)} | ${((mib * MiB) / 1e6 / readS).toFixed(2)} | ${stored.requests} | ${rss.toFixed(0)} |`;
      rows.push(row);
      console.log(
        `${mib} MiB: store ${storeS.toFixed(1)} s, read ${readS.toFixed(1)} s, ${stored.requests} requests`,
      );
    }
  } finally {
    await pool.close();
    await net.stop();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    '\n| shards | blob | store MB/s | read MB/s | HTTP requests per store | peak RSS MiB (all nodes, one process) |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
}

await main();
