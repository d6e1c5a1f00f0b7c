/**
 * The embedded local Walrus network as a data directory sees it: the one `floe localnet
 * start` runs (its `localnet.json` names the ledger), or — when none answers — one started
 * in this process for as long as the session lasts, so a fresh machine needs no setup.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Localnet } from '../localnet/network.js';
import { LocalReadChain } from '../walrus/chain/local-chain.js';
import { defaultDataDir } from './data-dir.js';

/** What `floe localnet start` writes into `localnet.json` for others to find it. */
export interface LocalnetInfo {
  ledgerUrl: string;
  /** The upload relay's URL, when one runs. */
  relayUrl?: string;
  nodes: { nodeId: string; url: string; shards: number }[];
  account: { address: string; secretKey: string };
}

export interface LocalnetShape {
  nodes: number;
  nShards: number;
}

export interface LocalnetConnection {
  url: string;
  /** The localnet this process started, if it did; null when one was already running. */
  embedded: Localnet | null;
  stop(): Promise<void>;
}

export function localnetDir(dataDir?: string): string {
  return join(dataDir ?? defaultDataDir(), 'localnet');
}

/** The localnet `floe localnet start` is running for this data directory, or one started here. */
export async function connectLocalnet(
  dataDir: string,
  shape: LocalnetShape = { nodes: 10, nShards: 100 },
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
