/**
 * Floe without a window: the API (and the UI's files) on loopback, with first-run
 * onboarding, and — once an account exists — the engine on the network. `floe daemon`
 * runs this for servers and scripts; the desktop app runs the same thing in a utility
 * process, so the window never waits on encoding.
 */
import type { RepoKeys } from '../repo/keys.js';
import { Engine, type EngineOptions } from '../sync/engine.js';
import { rebuildIndex } from '../sync/rebuild.js';
import { connect, NotInitializedError, openDataDir, type Connection } from '../session/session.js';
import { Onboarding, type AccountStart } from './account.js';
import { ApiServer } from './server.js';
import type { LoopbackHost } from './security.js';

export interface DaemonOptions {
  dataDir: string;
  staticDir?: string;
  host?: LoopbackHost;
  port?: number;
  token?: string;
  /** A localnet that runs elsewhere (default: the setting, the data directory's, the user's). */
  localnetUrl?: string;
  /** Epochs each new blob is paid for; renewal keeps live ones going. */
  epochs?: number;
  /** Passphrase for the key file where no OS keychain runs. */
  keyPassphrase?: string;
  /** How the engine retries failed runs and debounces changes (defaults: engine.ts). */
  engine?: Pick<EngineOptions, 'retry' | 'debounceMs' | 'probeIntervalMs'>;
}

export interface Daemon {
  url: string;
  token: string;
  /** Resolves once the engine runs (immediately if it already does). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const dir = await openDataDir({
    dataDir: o.dataDir,
    exclusive: true,
    ...(o.keyPassphrase ? { keyPassphrase: o.keyPassphrase } : {}),
  });
  const { index } = dir;
  let connection: Connection | null = null;
  let engine: Engine | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const startEngine = async (keys: RepoKeys, how: AccountStart) => {
    // Connected for these keys: a phrase that finds nothing must not stay connected.
    const conn =
      connection ?? (await connect(dir, keys, o.localnetUrl ? { localnetUrl: o.localnetUrl } : {}));
    let found: number | undefined;
    try {
      if (how !== 'new' && how !== 'existing' && index.snapshots().length === 0) {
        // A machine restoring itself: the index comes back from the network first, its
        // folders "not yet restored" until the user restores them or starts fresh.
        found = (
          await rebuildIndex(index, conn.client, keys, {
            folders: 'not-restored',
            requireBackups: how === 'restore',
          })
        ).snapshots;
      }
      if (how === 'new' || (how === 'restore-or-new' && found === 0))
        await conn.faucet?.(keys.address);
    } catch (error) {
      if (!connection) await conn.close();
      throw error;
    }
    connection = conn;
    engine = new Engine({
      index,
      keys,
      client: conn.client,
      settings: dir.settings(),
      epochs: o.epochs ?? 5,
      ...o.engine,
    });
    api.attach({
      engine,
      index,
      client: conn.client,
      keys,
      dataDir: dir.dataDir,
      network: conn.network,
      restart: () => restartEngine(keys),
    });
    await engine.start();
    markReady();
    return found === undefined ? {} : { restored: found };
  };

  /** The engine again, under the settings as they are now (the network setting changed). */
  const restartEngine = async (keys: RepoKeys) => {
    api.engineUnavailable('the engine is starting again');
    await api.detach();
    await engine?.stop();
    await connection?.close();
    engine = null;
    connection = null;
    try {
      await startEngine(keys, 'existing');
      api.engineUnavailable(null);
    } catch (error) {
      api.engineUnavailable(
        `the engine could not start again (${(error as Error).message}): set another network with "floe settings set network localnet" and start Floe again`,
      );
    }
  };

  const onboarding = new Onboarding({
    index,
    secrets: () => dir.secrets(),
    network: () => connection?.network ?? dir.networkName(),
    onReady: startEngine,
  });
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
    await connection?.close();
    await dir.close();
  };
  try {
    // An account whose phrase is missing from the secret store waits, as a new one does.
    const keys = await dir.storedKeys().catch((error: unknown) => {
      if (error instanceof NotInitializedError) return null;
      throw error;
    });
    if (keys) await startEngine(keys, 'existing');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: api.url,
    token: api.token,
    ready: () => ready,
    stop,
  };
}
