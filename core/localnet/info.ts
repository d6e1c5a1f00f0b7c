/**
 * `localnet.json`: what a running `floe localnet start` writes into its directory so that
 * others find it — the ledger's URL, the nodes, a funded test account and its own pid.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../index/lock.js';
import { LocalReadChain } from '../walrus/chain/local-chain.js';

export interface LocalnetInfo {
  ledgerUrl: string;
  /** The upload relay's URL, when one runs. */
  relayUrl?: string;
  nodes: { nodeId: string; url: string; shards: number }[];
  account: { address: string; secretKey: string };
  /** The process running the network (`floe localnet stop` ends it). */
  pid?: number;
}

export const INFO_FILE = 'localnet.json';

export async function readLocalnetInfo(dir: string): Promise<LocalnetInfo | null> {
  return readFile(join(dir, INFO_FILE), 'utf8').then(
    (text) => JSON.parse(text) as LocalnetInfo,
    () => null,
  );
}

/** The network `dir` describes, if it runs: its process is alive and its ledger answers. */
export async function runningLocalnet(dir: string): Promise<LocalnetInfo | null> {
  const info = await readLocalnetInfo(dir);
  if (!info || (info.pid !== undefined && !isAlive(info.pid))) return null;
  try {
    await new LocalReadChain(info.ledgerUrl).systemState();
    return info;
  } catch {
    return null;
  }
}
