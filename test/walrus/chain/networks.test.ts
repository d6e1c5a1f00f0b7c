import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAINNET_WALRUS_PACKAGE_CONFIG, TESTNET_WALRUS_PACKAGE_CONFIG } from '@mysten/walrus';
import {
  SUI_NETWORKS,
  suiNetwork,
  UnknownNetworkError,
} from '../../../core/walrus/chain/networks.js';

test('the system and staking ids are the ones the official SDK ships', () => {
  for (const [network, sdk] of [
    [SUI_NETWORKS.testnet, TESTNET_WALRUS_PACKAGE_CONFIG],
    [SUI_NETWORKS.mainnet, MAINNET_WALRUS_PACKAGE_CONFIG],
  ] as const) {
    assert.equal(network.systemObjectId, sdk.systemObjectId);
    assert.equal(network.stakingObjectId, sdk.stakingPoolId);
  }
});

test('networks are chosen by name, and an unknown name says which exist', () => {
  assert.equal(suiNetwork('mainnet'), SUI_NETWORKS.mainnet);
  assert.throws(
    () => suiNetwork('devnet'),
    (e: unknown) =>
      e instanceof UnknownNetworkError && /testnet or mainnet/.test((e as Error).message),
  );
  assert.throws(() => suiNetwork('toString'), UnknownNetworkError);
});

test('funding advice names the account it is for', () => {
  const address = '0x' + 'ab'.repeat(32);
  for (const network of Object.values(SUI_NETWORKS)) {
    assert.match(network.funding.sui(address), new RegExp(address));
    assert.match(network.funding.wal(address), new RegExp(address));
  }
});
