/** A real ledger on a loopback port in a temp dir, with BLS-keyed committee members. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { generateBlsKeyPair, type BlsKeyPair } from '../../core/walrus/protocol/bls.js';
import { LOCALNET_DEFAULTS, type Genesis } from '../../core/localnet/ledger/genesis.js';
import { LedgerServer } from '../../core/localnet/ledger/server.js';

export interface TestLedger {
  server: LedgerServer;
  dir: string;
  genesis: Genesis;
  nodeKeys: BlsKeyPair[];
  /** Each node's operator (it signs the node's votes and challenge answers). */
  operators: LocalChain[];
  /** A funded account. */
  chain: LocalChain;
  newAccount(funded?: boolean): Promise<LocalChain>;
  close(): Promise<void>;
}

export async function startTestLedger(
  opts: {
    nodes?: number;
    nShards?: number;
    stakes?: bigint[];
    genesis?: Partial<Genesis>;
    /** Epochs follow the clock (default: the test steps them). */
    autoAdvance?: boolean;
  } = {},
): Promise<TestLedger> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-ledger-'));
  const count = opts.nodes ?? 4;
  const nodeKeys = Array.from({ length: count }, () => generateBlsKeyPair());
  const operatorKeys = Array.from({ length: count }, () => new Ed25519Keypair());
  const genesis: Genesis = {
    ...LOCALNET_DEFAULTS,
    nShards: opts.nShards ?? 10,
    nodes: nodeKeys.map((k, i) => ({
      nodeId: `node-${i}`,
      name: `node ${i}`,
      url: `http://127.0.0.1:1/${i}`,
      blsPublicKey: Buffer.from(k.publicKey).toString('hex'),
      operator: operatorKeys[i]!.toSuiAddress(),
      stake: String(opts.stakes?.[i] ?? 1_000_000_000n),
    })),
    ...opts.genesis,
  };
  const server = await LedgerServer.start({
    dbPath: join(dir, 'ledger.db'),
    genesis,
    autoAdvance: opts.autoAdvance ?? false,
  });
  const newAccount = async (funded = true) => {
    const chain = new LocalChain(server.url, new Ed25519Keypair());
    if (funded) await chain.faucet(chain.address);
    return chain;
  };
  const chain = await newAccount();
  return {
    server,
    dir,
    genesis,
    nodeKeys,
    operators: operatorKeys.map((k) => new LocalChain(server.url, k)),
    chain,
    newAccount,
    async close(this: TestLedger) {
      await this.server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
