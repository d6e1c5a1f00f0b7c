/** What a new localnet ledger starts from. Prices are localnet's own, in FROST. */
export interface GenesisNode {
  nodeId: string;
  name: string;
  url: string;
  /** BLS12-381 G1 public key, 48 bytes, hex. */
  blsPublicKey: string;
  /** Sui address of the node's operator (may change its URL). */
  operator: string;
  stake: string;
  /** The node's first votes (FROST per MiB, bytes); the genesis defaults when absent. */
  storagePriceVote?: string;
  writePriceVote?: string;
  capacityVote?: string;
}

export interface Genesis {
  nShards: number;
  epochDurationMs: number;
  /** Storage can be bought at most this many epochs ahead (mainnet: 53). */
  maxEpochsAhead: number;
  /**
   * FROST per MiB of encoded size per epoch, and once at registration: what every node
   * votes at genesis (prices then follow the votes, as on Walrus).
   */
  storagePricePerUnit: string;
  writePricePerUnit: string;
  /** Encoded bytes each node offers to store, its first capacity vote. */
  nodeCapacity: string;
  /** WAL (in FROST) and SUI (in MIST) the faucet hands out per request. */
  faucetWal: string;
  faucetSui: string;
  /** Share of stake slashed for a failed storage challenge, in basis points. */
  challengePenaltyBps: number;
  nodes: GenesisNode[];
}

export const LOCALNET_DEFAULTS: Omit<Genesis, 'nodes' | 'nShards'> = {
  epochDurationMs: 60_000,
  maxEpochsAhead: 53,
  storagePricePerUnit: '100000',
  writePricePerUnit: '20000',
  nodeCapacity: String(2 ** 40),
  faucetWal: '1000000000000',
  faucetSui: '1000000000000',
  challengePenaltyBps: 1_000,
};
