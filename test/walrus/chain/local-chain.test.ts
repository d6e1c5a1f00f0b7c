/** The Chain contract against the localnet ledger, on a network started for this file. */
import { after } from 'node:test';
import { startTestNetwork, type TestNetwork } from '../../support/localnet.js';
import { chainContract } from './contract.js';

let network: TestNetwork | null = null;
after(() => network?.close());

chainContract('LocalChain', async () => {
  network = await startTestNetwork();
  return network.chain;
});
