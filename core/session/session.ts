/**
 * The one place where Floe is put together (Kopia's `repo.Open`): a data directory — its
 * index, its lock, its secret store and settings — and, once an account exists, its
 * network, codec pool and Walrus client, closed in the reverse order. The CLI, `floe
 * daemon` and the desktop app's engine host all open Floe through here; nothing here
 * knows which of them asked.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Index } from '../index/index.js';
import { lockIndex, type IndexLock } from '../index/lock.js';
import { readSettings, uploadOptions, type Settings } from '../index/settings.js';
import { deriveKeys, type RepoKeys } from '../repo/keys.js';
import { openSecretStore, type SecretStore } from '../repo/secret-store.js';
import type { Chain } from '../walrus/chain/chain.js';
import { WalrusClient } from '../walrus/client/client.js';
import { CodecPool } from '../walrus/encoding/pool.js';
import { defaultDataDir } from './data-dir.js';
import { connectNetwork, parseNetworkName, type NetworkName } from './network.js';

export interface SessionOptions {
  /** Default: the platform's data directory (`$FLOE_HOME` first). */
  dataDir?: string;
  /** A network named by a flag (`--network`); unset means the setting. */
  network?: string;
  /** Take the data directory's lock: for whatever writes backups. */
  exclusive?: boolean;
  /** Passphrase of the sealed key file where no OS keychain runs (default `$FLOE_KEY_PASSPHRASE`). */
  keyPassphrase?: string;
  /**
   * A localnet that runs elsewhere (`--localnet URL`); unset means the localnetUrl
   * setting, else the data directory's own localnet or the user's (session/localnet.ts).
   */
  localnetUrl?: string;
}

export class NotInitializedError extends Error {
  constructor() {
    super(
      'Floe has no account on this machine yet: run "floe init" for a new one, or "floe restore" with your recovery phrase',
    );
    this.name = 'NotInitializedError';
  }
}

/** A data directory, open: what every command needs, keys and network not included. */
export interface DataDirSession {
  dataDir: string;
  index: Index;
  /** The secret store, opened on first use (settings and folder commands never need it). */
  secrets(): Promise<SecretStore>;
  settings(): Settings;
  /** The account this data directory backs up as, if it has one. */
  account(): string | null;
  /** The account's keys from the secret store; `NotInitializedError` when there are none. */
  storedKeys(): Promise<RepoKeys>;
  /** The network a flag names, else the one the settings name. */
  networkName(flag?: string): NetworkName;
  close(): Promise<void>;
}

export async function openDataDir(o: SessionOptions = {}): Promise<DataDirSession> {
  const dataDir = o.dataDir ?? defaultDataDir();
  await mkdir(dataDir, { recursive: true });
  const lock: IndexLock | null = o.exclusive ? await lockIndex(join(dataDir, 'floe.lock')) : null;
  let index: Index;
  try {
    index = Index.open(join(dataDir, 'index.db'));
  } catch (error) {
    await lock?.release();
    throw error;
  }
  let secrets: Promise<SecretStore> | null = null;
  const session: DataDirSession = {
    dataDir,
    index,
    secrets: () =>
      (secrets ??= openSecretStore(
        join(dataDir, 'keys.json'),
        o.keyPassphrase ?? process.env.FLOE_KEY_PASSPHRASE,
      )),
    settings: () => readSettings(index),
    account: () => index.getSetting<string | null>('account', null),
    async storedKeys() {
      const address = session.account();
      const phrase = address ? await (await session.secrets()).get(address) : null;
      if (!phrase) throw new NotInitializedError();
      return deriveKeys(phrase);
    },
    networkName: (flag) => parseNetworkName(flag ?? o.network ?? readSettings(index).network),
    async close() {
      index.close();
      await lock?.release();
    },
  };
  return session;
}

/** An account's connection to its network: the chain, the codec pool and the Walrus client. */
export interface Connection {
  keys: RepoKeys;
  chain: Chain;
  client: WalrusClient;
  pool: CodecPool;
  network: NetworkName;
  /** Funds an account (the localnet's faucet); null where money is real. */
  faucet: ((address: string) => Promise<void>) | null;
  /** Closes the pool; the data directory stays open. */
  close(): Promise<void>;
}

export async function connect(
  dir: DataDirSession,
  keys: RepoKeys,
  o: Pick<SessionOptions, 'network' | 'localnetUrl'> = {},
): Promise<Connection> {
  const settings = dir.settings();
  const network = await connectNetwork(
    dir.dataDir,
    dir.networkName(o.network),
    keys,
    o.localnetUrl || settings.localnetUrl || undefined,
  );
  const pool = new CodecPool();
  const client = new WalrusClient({ chain: network.chain, pool, ...uploadOptions(settings) });
  return {
    keys,
    chain: network.chain,
    client,
    pool,
    network: network.name,
    faucet: network.faucet,
    close: () => pool.close(),
  };
}

export type NetworkSession = DataDirSession & Connection;

/**
 * A data directory with its account connected: the keys from `phrase` when given (a new
 * machine), else from the secret store.
 */
export async function openNetworkSession(
  o: SessionOptions = {},
  phrase?: string,
): Promise<NetworkSession> {
  const dir = await openDataDir(o);
  try {
    const keys = phrase ? deriveKeys(phrase) : await dir.storedKeys();
    const connection = await connect(dir, keys, o);
    return {
      ...dir,
      ...connection,
      async close() {
        await connection.close();
        await dir.close();
      },
    };
  } catch (error) {
    await dir.close();
    throw error;
  }
}
