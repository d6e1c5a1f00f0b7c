/**
 * The local Walrus network a data directory uses, first that applies:
 * 1. one named by URL (`--localnet URL`, or the localnetUrl setting): on a home server, say;
 * 2. the data directory's own, when `floe --data DIR localnet start` made one (its
 *    localnet.json is in DIR/localnet) — and if that one is down, Floe says so rather than
 *    quietly using another network, which would look like an empty account;
 * 3. the user's: one for every data directory on the machine, started in the background
 *    on first use (core/localnet/user-localnet.ts), so a second data directory restores
 *    the first one's backups with the phrase alone.
 */
import { join } from 'node:path';
import { readLocalnetInfo, runningLocalnet } from '../localnet/info.js';
import { ensureLocalnet } from '../localnet/user-localnet.js';
import { ChainUnavailableError } from '../walrus/chain/chain.js';
import { defaultDataDir } from './data-dir.js';

/** A data directory's own localnet directory (where `floe --data DIR localnet start` runs one). */
export function localnetDir(dataDir: string): string {
  return join(dataDir, 'localnet');
}

/**
 * The user's localnet: in the platform's data directory for Floe, whatever `--data` or
 * FLOE_HOME say — `~/.local/share/floe/localnet`, `~/Library/Application Support/Floe/localnet`
 * or `%APPDATA%\Floe\localnet`.
 */
export function userLocalnetDir(env: NodeJS.ProcessEnv = process.env): string {
  return localnetDir(defaultDataDir({ ...env, FLOE_HOME: undefined }));
}

/** The ledger URL of the localnet `dataDir` uses; `o.url` names one running elsewhere. */
export async function connectLocalnet(dataDir: string, o: { url?: string } = {}): Promise<string> {
  if (o.url) return o.url;
  const own = localnetDir(dataDir);
  const user = userLocalnetDir();
  if (own !== user) {
    const info = await readLocalnetInfo(own);
    if (info) {
      if (await runningLocalnet(own)) return info.ledgerUrl;
      throw new ChainUnavailableError(
        info.ledgerUrl,
        new Error(
          `the localnet of ${dataDir} is not running: start it with "floe --data ${dataDir} localnet start" (or remove ${join(own, 'localnet.json')} to use your own localnet)`,
        ),
      );
    }
  }
  return (await ensureLocalnet(user)).ledgerUrl;
}
