/**
 * The public Walrus deployments Floe can store on besides its own localnet: the ids of
 * their Sui objects and packages, the full node to ask, and where an account gets the
 * SUI (gas) and WAL (storage) it pays with.
 *
 * Sources, checked against each other: the system and staking object ids are those of
 * walrus `setup/client_config_testnet.yaml` / `client_config_mainnet.yaml` and equal
 * @mysten/walrus's `TESTNET_WALRUS_PACKAGE_CONFIG` / `MAINNET_WALRUS_PACKAGE_CONFIG`
 * (test/walrus/chain/networks.test.ts compares them); package ids are the `original-id`s
 * of walrus `testnet-contracts/*` and `mainnet-contracts/*` `Published.toml`; RPC and
 * upload-relay URLs are those of walrus `docs/content/network-reference.mdx`.
 */

export type SuiNetworkName = 'testnet' | 'mainnet';

export interface SuiNetwork {
  name: SuiNetworkName;
  /** A Sui full node; it serves gRPC, which Floe uses, at this URL. */
  rpcUrl: string;
  /** The shared `walrus::system::System` object. */
  systemObjectId: string;
  /** The shared `walrus::staking::Staking` object. */
  stakingObjectId: string;
  /**
   * The Walrus package as first published: Move types keep the address they were defined
   * at (`<this>::blob::Blob`) through upgrades. Calls go to the System object's current
   * `package_id` instead, read from the chain, so an upgrade needs no change here; a
   * testnet redeployment does, and Floe says so when the System object's type disagrees.
   */
  walrusTypesPackageId: string;
  /** The coin type storage is paid in; its package is never upgraded. */
  walCoinType: string;
  /** Mysten Labs' public upload relay for this network (see README, upload relays). */
  uploadRelayUrl: string;
  /** Plain-words advice for an account that has no SUI, or no WAL. */
  funding: { sui: (address: string) => string; wal: (address: string) => string };
}

export const SUI_NETWORKS: Record<SuiNetworkName, SuiNetwork> = {
  testnet: {
    name: 'testnet',
    rpcUrl: 'https://fullnode.testnet.sui.io:443',
    systemObjectId: '0x6c2547cbbc38025cf3adac45f63cb0a8d12ecf777cdc75a4971612bf97fdf6af',
    stakingObjectId: '0xbe46180321c30aab2f8b3501e24048377287fa708018a5b7c2792b35fe339ee3',
    walrusTypesPackageId: '0xd84704c17fc870b8764832c535aa6b11f21a95cd6f5bb38a9b07d2cf42220c66',
    walCoinType: '0x8270feb7375eee355e64fdb69c50abb6b5f9393a722883c1cf45f8e26048810a::wal::WAL',
    uploadRelayUrl: 'https://upload-relay.testnet.walrus.space',
    funding: {
      sui: (address) =>
        `testnet SUI is free: request some for ${address} at https://faucet.sui.io/`,
      wal: (address) =>
        `testnet WAL is free: exchange testnet SUI for it 1:1 with "walrus get-wal" (Walrus CLI) for ${address}; ` +
        'other faucets may hand out WAL of a package Walrus refuses',
    },
  },
  mainnet: {
    name: 'mainnet',
    rpcUrl: 'https://fullnode.mainnet.sui.io:443',
    systemObjectId: '0x2134d52768ea07e8c43570ef975eb3e4c27a39fa6396bef985b5abc58d03ddd2',
    stakingObjectId: '0x10b9d30c28448939ce6c4d6c6e0ffce4a7f8a4ada8248bdad09ef8b70e4a3904',
    walrusTypesPackageId: '0xfdc88f7d7cf30afab2f82e8380d11ee8f70efb90e863d1de8616fae1bb09ea77',
    walCoinType: '0x356a26eb9e012a68958082340d4c4116e7f55615cf27affcff209cf0ae544f59::wal::WAL',
    uploadRelayUrl: 'https://upload-relay.mainnet.walrus.space',
    funding: {
      sui: (address) =>
        `buy SUI on an exchange or in a Sui wallet and send it to ${address}; it pays for transactions`,
      wal: (address) =>
        `buy WAL on an exchange, or swap SUI for WAL in a Sui wallet, and send it to ${address}; it pays for storage`,
    },
  },
};

export class UnknownNetworkError extends Error {
  constructor(name: string) {
    super(
      `"${name}" is not a Walrus network Floe knows; use ${Object.keys(SUI_NETWORKS).join(' or ')} (or the local network)`,
    );
    this.name = 'UnknownNetworkError';
  }
}

export function suiNetwork(name: string): SuiNetwork {
  if (!Object.hasOwn(SUI_NETWORKS, name)) throw new UnknownNetworkError(name);
  return SUI_NETWORKS[name as SuiNetworkName];
}

/**
 * Where a person can look an object or a transaction up for themselves: Suiscan, a public
 * Sui explorer, for testnet and mainnet; null for the localnet, which only this computer
 * can see.
 */
export function explorerLinks(
  network: string,
): { object(id: string): string; transaction(digest: string): string } | null {
  if (!Object.hasOwn(SUI_NETWORKS, network)) return null;
  const base = `https://suiscan.xyz/${network}`;
  return {
    object: (id) => `${base}/object/${id}`,
    transaction: (digest) => `${base}/tx/${digest}`,
  };
}
