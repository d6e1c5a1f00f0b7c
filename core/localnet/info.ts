/**
 * `localnet.json`: what a running `floe localnet start` writes into its directory so that
 * others find it — the ledger's URL, the nodes, a funded test account and its own pid.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
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

/** The file's contents; null when it is missing or not whole (a writer not done yet). */
export async function readLocalnetInfo(dir: string): Promise<LocalnetInfo | null> {
  try {
    return JSON.parse(await readFile(join(dir, INFO_FILE), 'utf8')) as LocalnetInfo;
  } catch {
    return null;
  }
}

/** Replaces the file at once, so a reader never sees half of it. */
export async function writeLocalnetInfo(dir: string, info: LocalnetInfo): Promise<void> {
  const path = join(dir, INFO_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(info, null, 2), { mode: 0o600 });
  await rename(`${path}.tmp`, path);
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
