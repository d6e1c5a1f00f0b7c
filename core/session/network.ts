/**
 * Which network a data directory backs up to, and the connection to it: the only place
 * where the localnet and Walrus on Sui differ — everything above (client, engine, CLI, UI)
 * is the same code over a different `Chain`.
 */
import type { RepoKeys } from '../repo/keys.js';
import type { Chain } from '../walrus/chain/chain.js';
import { LocalChain } from '../walrus/chain/local-chain.js';
import { suiNetwork, type SuiNetworkName } from '../walrus/chain/networks.js';
import { connectSuiChain } from '../walrus/chain/sui-chain.js';
import { connectLocalnet } from './localnet.js';

export type NetworkName = 'localnet' | SuiNetworkName;

/** A network's name as a flag or setting gives it ("local" is accepted for the localnet). */
export function parseNetworkName(name: string): NetworkName {
  if (name === 'local' || name === 'localnet') return 'localnet';
  return suiNetwork(name).name;
}

export interface NetworkConnection {
  name: NetworkName;
  chain: Chain;
  /** Funds an account (the localnet's faucet); null where money is real. */
  faucet: ((address: string) => Promise<void>) | null;
}

/** The chain for `name` with the account's keys; `localnetUrl` names a localnet that runs elsewhere. */
export async function connectNetwork(
  dataDir: string,
  name: NetworkName,
  keys: RepoKeys,
  localnetUrl?: string,
): Promise<NetworkConnection> {
  if (name !== 'localnet') {
    const rpcUrl = process.env.FLOE_SUI_RPC_URL;
    const chain = connectSuiChain(suiNetwork(name), keys.account, rpcUrl ? { rpcUrl } : {});
    return { name, chain, faucet: null };
  }
  const ledgerUrl = await connectLocalnet(dataDir, localnetUrl ? { url: localnetUrl } : {});
  const chain = new LocalChain(ledgerUrl, keys.account);
  return { name, chain, faucet: async (address) => void (await chain.faucet(address)) };
}
