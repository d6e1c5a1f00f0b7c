/**
 * Floe without a window: the API (and the UI's files) on loopback, with first-run
 * onboarding, and — once an account exists — the engine on the network. `floe daemon`
 * runs this for servers and scripts; the desktop app runs the same thing in a utility
 * process, so the window never waits on encoding.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Index } from '../index/index.js';
import { lockIndex, type IndexLock } from '../index/lock.js';
import { deriveKeys, type RepoKeys } from '../repo/keys.js';
import { openSecretStore } from '../repo/secret-store.js';
import { Engine } from '../sync/engine.js';
import { rebuildIndex } from '../sync/rebuild.js';
import { WalrusClient } from '../walrus/client/client.js';
import { CodecPool } from '../walrus/encoding/pool.js';
import { connectNetwork, type LocalnetConnection, type NetworkConnection } from '../cli/session.js';
import { readSettings, uploadOptions } from '../index/settings.js';
import { Onboarding } from './account.js';
import { ApiServer } from './server.js';
import type { LoopbackHost } from './security.js';

export interface DaemonOptions {
  dataDir: string;
  staticDir?: string;
  host?: LoopbackHost;
  port?: number;
  token?: string;
  /** Shape of the embedded localnet when this daemon starts one. */
  localnet?: { nodes: number; nShards: number };
  /** Epochs each new blob is paid for; renewal keeps live ones going. */
  epochs?: number;
  /** Passphrase for the key file where no OS keychain runs. */
  keyPassphrase?: string;
}

export interface Daemon {
  url: string;
  token: string;
  /** The network connection once an account exists (tests stop its nodes). */
  network(): LocalnetConnection | null;
  /** Resolves once the engine runs (immediately if it already does). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  await mkdir(o.dataDir, { recursive: true });
  const lock: IndexLock = await lockIndex(join(o.dataDir, 'floe.lock'));
  const index = Index.open(join(o.dataDir, 'index.db'));
  const secrets = await openSecretStore(join(o.dataDir, 'keys.json'), o.keyPassphrase);
  let network: NetworkConnection | null = null;
  let pool: CodecPool | null = null;
  let engine: Engine | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const startEngine = async (keys: RepoKeys, restored: boolean) => {
    // The network the settings name (the embedded localnet unless changed).
    const name = readSettings(index).network;
    network ??= await connectNetwork(o.dataDir, name, keys, o.localnet);
    pool ??= new CodecPool();
    const client = new WalrusClient({
      chain: network.chain,
      pool,
      ...uploadOptions(readSettings(index)),
    });
    let found: number | undefined;
    if (restored) {
      // A machine restoring itself: the index comes back from the network first.
      if (index.snapshots().length === 0)
        found = (await rebuildIndex(index, client, keys)).snapshots;
    } else if (!index.getSetting<string | null>('account', null)) {
      await network.faucet?.(keys.address);
    }
    engine = new Engine({ index, keys, client, epochs: o.epochs ?? 5 });
    api.attach({ engine, index, client, keys });
    await engine.start();
    markReady();
    return found === undefined ? {} : { restored: found };
  };

  const onboarding = new Onboarding({ index, secrets, onReady: startEngine });
  const api = await ApiServer.listen({
    onboarding,
    ...(o.host ? { host: o.host } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.token ? { token: o.token } : {}),
    ...(o.staticDir ? { staticDir: o.staticDir } : {}),
  });
  const stop = async () => {
    await api.close();
    await engine?.stop();
    await pool?.close();
    await network?.stop();
    index.close();
    await lock.release();
  };
  try {
    const account = onboarding.account();
    const phrase = account ? await secrets.get(account) : null;
    if (phrase) await startEngine(deriveKeys(phrase), false);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: api.url,
    token: api.token,
    network: () => network?.localnet ?? null,
    ready: () => ready,
    stop,
  };
}
