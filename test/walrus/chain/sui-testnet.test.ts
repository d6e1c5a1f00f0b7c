/**
 * The Chain contract against Walrus testnet, through SuiChain and the public full node,
 * paid by the account `FLOE_TESTNET_PHRASE` (24 words) derives. It needs the internet and
 * testnet SUI and WAL (see README, "Using testnet and mainnet"); without the phrase it is
 * skipped and says why.
 */
import { deriveKeys } from '../../../core/repo/keys.js';
import { SUI_NETWORKS } from '../../../core/walrus/chain/networks.js';
import { connectSuiChain } from '../../../core/walrus/chain/sui-chain.js';
import { chainContract } from './contract.js';

const phrase = process.env.FLOE_TESTNET_PHRASE;

chainContract(
  'SuiChain on Walrus testnet',
  async () => connectSuiChain(SUI_NETWORKS.testnet, deriveKeys(phrase!).account),
  {
    skip: phrase
      ? undefined
      : 'set FLOE_TESTNET_PHRASE to the 24 words of a testnet account holding SUI and WAL to run this against Walrus testnet',
    timeoutMs: 300_000,
  },
);
