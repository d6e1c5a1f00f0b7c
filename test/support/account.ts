/**
 * What most engine tests start from: a real localnet, an account from a fresh recovery
 * phrase funded by its faucet, a client, a temp dir with an empty `src` folder, and an
 * index file that backs that folder up. `close` stops and removes all of it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import type { LocalnetOptions } from '../../core/localnet/network.js';
import { deriveKeys, generateRecoveryPhrase, type RepoKeys } from '../../core/repo/keys.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { startTestNetwork, type TestNetwork } from './localnet.js';

export interface TestAccount {
  t: TestNetwork;
  dir: string;
  phrase: string;
  keys: RepoKeys;
  chain: LocalChain;
  client: WalrusClient;
  /** The folder being backed up (empty at first). */
  src: string;
  index: Index;
  close(): Promise<void>;
}

export async function startTestAccount(net: Partial<LocalnetOptions> = {}): Promise<TestAccount> {
  const t = await startTestNetwork(net);
  const dir = await mkdtemp(join(tmpdir(), 'floe-account-'));
  const phrase = generateRecoveryPhrase();
  const keys = deriveKeys(phrase);
  const chain = new LocalChain(t.net.url, keys.account);
  await chain.faucet(chain.address);
  const src = join(dir, 'src');
  await mkdir(src);
  const index = Index.open(join(dir, 'index.db'));
  index.addFolder(src);
  return {
    t,
    dir,
    phrase,
    keys,
    chain,
    client: new WalrusClient({ chain, pool: t.pool }),
    src,
    index,
    async close() {
      index.close();
      await rm(dir, { recursive: true, force: true });
      await t.close();
    },
  };
}
