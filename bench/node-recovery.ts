/**
 * What a node's recovery costs by each route (symbols, blob), for one lost sliver pair
 * and for a node's whole share of a blob: CPU of this process (the recovering node and
 * the peers answering it are all here) and bytes fetched.
 *
 *   node --import tsx bench/node-recovery.ts [--mib 4] [--shards 100]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Localnet } from '../core/localnet/network.js';
import { recoverBlob } from '../core/localnet/node/recovery.js';
import { LocalChain, LocalReadChain } from '../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../core/walrus/client/client.js';
import { CodecPool } from '../core/walrus/encoding/pool.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mib = arg('mib', 4);
const shards = arg('shards', 100);
const dir = await mkdtemp(join(tmpdir(), 'floe-bench-recovery-'));
const net = await Localnet.start({ dir, nodes: 4, nShards: shards, autoAdvance: false });
const pool = new CodecPool({ size: 1 });
try {
  const chain = new LocalChain(net.url, new Ed25519Keypair());
  await chain.faucet(chain.address);
  const client = new WalrusClient({ chain, pool });
  const stored = await client.store(randomBytes(mib * 1024 * 1024), {
    epochs: 3,
    deletable: false,
  });
  const node = net.nodes[1]!;
  const all = [...new Set((await node.store.sliversOf(stored.blobId)).map((s) => s.pair))];
  let fetched = 0;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (...a: Parameters<typeof fetch>) => {
    const res = await realFetch(...a);
    const body = new Uint8Array(await res.arrayBuffer());
    fetched += body.length;
    return new Response(body, { status: res.status, headers: res.headers });
  };
  console.log(
    `recovery bench: ${mib} MiB blob, 4 nodes, ${shards} shards; load ${(await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
  for (const [what, pairs] of [
    ['1 pair', all.slice(0, 1)],
    [`${all.length} pairs (the node's share)`, all],
  ] as const) {
    for (const route of ['symbols', 'blob'] as const) {
      for (const p of pairs) {
        await node.store.removeSliver(stored.blobId, p, 'primary');
        await node.store.removeSliver(stored.blobId, p, 'secondary');
      }
      fetched = 0;
      const cpu = process.cpuUsage();
      const t = performance.now();
      const r = await recoverBlob(
        new LocalReadChain(net.url),
        node.store,
        'node-1',
        stored.blobId,
        [...pairs],
        route,
      );
      const used = process.cpuUsage(cpu);
      console.log(
        `${what}, ${r.route}: ${((used.user + used.system) / 1000).toFixed(0)} ms CPU, ` +
          `${(performance.now() - t).toFixed(0)} ms wall, ${(fetched / 1024).toFixed(0)} KiB fetched`,
      );
    }
  }
  globalThis.fetch = realFetch;
} finally {
  await pool.close();
  await net.stop();
  await rm(dir, { recursive: true, force: true });
}
