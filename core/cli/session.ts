/**
 * What the engine commands share: the data directory, the local index, the account's
 * keys from the secret store, and a network — the embedded localnet, started in this
 * process on demand when none is running, so `floe add ~/Documents && floe backup` works
 * on a fresh machine with no configuration.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Index } from '../index/index.js';
import { lockIndex } from '../index/lock.js';
import { Localnet } from '../localnet/network.js';
import { deriveKeys, type RepoKeys } from '../repo/keys.js';
import { openSecretStore, type SecretStore } from '../repo/secret-store.js';
import { readSettings, uploadOptions } from '../index/settings.js';
import type { Chain } from '../walrus/chain/chain.js';
import { LocalChain, LocalReadChain } from '../walrus/chain/local-chain.js';
import { suiNetwork, type SuiNetworkName } from '../walrus/chain/networks.js';
import { connectSuiChain } from '../walrus/chain/sui-chain.js';
import { WalrusClient } from '../walrus/client/client.js';
import { CodecPool } from '../walrus/encoding/pool.js';
import { defaultDataDir } from './data-dir.js';
import { UsageError } from './errors.js';
import type { CommandContext } from './main.js';
import { localnetDir, type LocalnetInfo } from './commands/localnet.js';

export interface Session {
  dataDir: string;
  index: Index;
  secrets: SecretStore;
  close(): Promise<void>;
}

export interface NetworkSession extends Session {
  keys: RepoKeys;
  client: WalrusClient;
  chain: Chain;
  /** Which network: the embedded localnet, or Walrus on Sui testnet or mainnet. */
  network: NetworkName;
  /** Funds an account (the localnet's faucet); null where money is real. */
  faucet: ((address: string) => Promise<void>) | null;
  pool: CodecPool;
}

export class NotInitializedError extends Error {
  constructor() {
    super(
      'Floe has no account on this machine yet: run "floe init" for a new one, or "floe restore" with your recovery phrase',
    );
    this.name = 'NotInitializedError';
  }
}

/** The data directory's index alone: for commands that need no keys (settings). */
export async function openIndex(ctx: CommandContext): Promise<{ dataDir: string; index: Index }> {
  const dataDir = ctx.dataDir ?? defaultDataDir();
  await mkdir(dataDir, { recursive: true });
  return { dataDir, index: Index.open(join(dataDir, 'index.db')) };
}

export async function openSession(ctx: CommandContext): Promise<Session> {
  const { dataDir, index } = await openIndex(ctx);
  const secrets = await openSecretStore(
    join(dataDir, 'keys.json'),
    process.env.FLOE_KEY_PASSPHRASE,
  );
  return { dataDir, index, secrets, close: async () => index.close() };
}

/** A session with keys and a network: the running localnet, or one started here for the command. */
export async function openNetworkSession(
  ctx: CommandContext,
  phrase?: string,
  o: { exclusive?: boolean } = {},
): Promise<NetworkSession> {
  const base = await openSession(ctx);
  // Commands that write backups take the data directory's lock; readers do not need it.
  const lock = o.exclusive
    ? await lockIndex(join(base.dataDir, 'floe.lock')).catch(async (error: unknown) => {
        await base.close();
        throw error;
      })
    : null;
  let keys: RepoKeys;
  if (phrase) {
    keys = deriveKeys(phrase);
  } else {
    const address = base.index.getSetting<string | null>('account', null);
    const stored = address ? await base.secrets.get(address) : null;
    if (!stored) {
      await lock?.release();
      await base.close();
      throw new NotInitializedError();
    }
    keys = deriveKeys(stored);
  }
  let network: NetworkConnection;
  try {
    network = await connectNetwork(base.dataDir, networkName(ctx, base.index), keys);
  } catch (error) {
    await lock?.release();
    await base.close();
    throw error;
  }
  const pool = new CodecPool();
  const client = new WalrusClient({
    chain: network.chain,
    pool,
    ...uploadOptions(readSettings(base.index)),
  });
  return {
    ...base,
    keys,
    chain: network.chain,
    network: network.name,
    faucet: network.faucet,
    client,
    pool,
    async close() {
      await pool.close();
      await network.stop();
      await base.close();
      await lock?.release();
    },
  };
}

export type NetworkName = 'localnet' | SuiNetworkName;

/** `--network`, else the setting, else the embedded localnet ("local" is accepted too). */
export function networkName(ctx: CommandContext, index: Index): NetworkName {
  const name = ctx.network ?? readSettings(index).network;
  if (name === 'local' || name === 'localnet') return 'localnet';
  return suiNetwork(name).name;
}

export interface NetworkConnection {
  name: NetworkName;
  chain: Chain;
  faucet: ((address: string) => Promise<void>) | null;
  /** The localnet, when this process started one (tests stop its nodes). */
  localnet: LocalnetConnection | null;
  stop(): Promise<void>;
}

/**
 * The chain for `name` with the account's keys: the only place where the localnet and
 * the real network differ — everything above it (client, engine, CLI, UI) is the same.
 */
export async function connectNetwork(
  dataDir: string,
  name: NetworkName,
  keys: RepoKeys,
  shape?: { nodes: number; nShards: number },
): Promise<NetworkConnection> {
  if (name !== 'localnet') {
    const rpcUrl = process.env.FLOE_SUI_RPC_URL;
    const chain = connectSuiChain(suiNetwork(name), keys.account, rpcUrl ? { rpcUrl } : {});
    return { name, chain, faucet: null, localnet: null, stop: async () => {} };
  }
  const localnet = await connectLocalnet(dataDir, shape);
  const chain = new LocalChain(localnet.url, keys.account);
  return {
    name,
    chain,
    faucet: async (address) => void (await chain.faucet(address)),
    localnet,
    stop: () => localnet.stop(),
  };
}

export interface LocalnetConnection {
  url: string;
  /** The localnet this process started, if it did; null when one was already running. */
  embedded: Localnet | null;
  stop(): Promise<void>;
}

/** The localnet `floe localnet start` is running for this data directory, or one started here. */
export async function connectLocalnet(
  dataDir: string,
  shape: { nodes: number; nShards: number } = { nodes: 10, nShards: 100 },
): Promise<LocalnetConnection> {
  const dir = localnetDir(dataDir);
  const url = await runningLedger(dir);
  if (url) return { url, embedded: null, stop: async () => {} };
  const embedded = await Localnet.start({ dir, ...shape });
  return { url: embedded.url, embedded, stop: () => embedded.stop() };
}

async function runningLedger(dir: string): Promise<string | null> {
  const info = await readFile(join(dir, 'localnet.json'), 'utf8').then(
    (t) => JSON.parse(t) as LocalnetInfo,
    () => null,
  );
  if (!info) return null;
  try {
    await new LocalReadChain(info.ledgerUrl).systemState();
    return info.ledgerUrl;
  } catch {
    return null;
  }
}

export function requireArg(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(usage);
  return value;
}
