/** A real localnet (ledger + storage nodes on loopback) in a temp dir, and a funded client. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { CodecPool } from '../../core/walrus/encoding/pool.js';
import { Localnet, type LocalnetOptions } from '../../core/localnet/network.js';

export interface TestNetwork {
  net: Localnet;
  chain: LocalChain;
  client: WalrusClient;
  pool: CodecPool;
  close(): Promise<void>;
}

export async function startTestNetwork(o: Partial<LocalnetOptions> = {}): Promise<TestNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-net-'));
  const net = await Localnet.start({
    dir,
    nodes: 4,
    nShards: 10,
    autoAdvance: false,
    nodePollIntervalMs: 50,
    ...o,
  });
  const chain = new LocalChain(net.url, new Ed25519Keypair());
  await chain.faucet(chain.address);
  const pool = new CodecPool({ size: 2 });
  // Fast retries: a dead node on loopback refuses at once.
  const client = new WalrusClient({
    chain,
    pool,
    retry: { attempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
  });
  return {
    net,
    chain,
    client,
    pool,
    async close() {
      await pool.close();
      await net.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
