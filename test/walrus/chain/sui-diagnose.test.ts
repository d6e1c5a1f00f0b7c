import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SUI_NETWORKS } from '../../../core/walrus/chain/networks.js';
import { diagnoseNetwork, storageNodesFinding } from '../../../core/walrus/chain/sui-diagnose.js';
import { SuiReadChain } from '../../../core/walrus/chain/sui-chain.js';
import { DEFAULT_WORLD, network, SUI, WAL, walrusWorld } from './sui-world.js';

const account = '0x' + '3c'.repeat(32);
/** Storage nodes on a port nothing listens on: they refuse at once. */
const unreachableNodes = {
  ...DEFAULT_WORLD,
  nodes: DEFAULT_WORLD.nodes.map((n) => ({ ...n, address: '127.0.0.1:1' })),
};

test('an unreachable full node is the one finding, with what to do', async () => {
  const findings = await diagnoseNetwork('testnet', account, { rpcUrl: 'http://127.0.0.1:1' });
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.check, 'sui full node');
  assert.equal(findings[0]!.verdict, 'fail');
  assert.match(
    findings[0]!.detail,
    /^http:\/\/127\.0\.0\.1:1 cannot be reached: check the internet connection/,
  );
});

test('Walrus ids that no longer match the deployment are named as such', async () => {
  const world = walrusWorld();
  const system = world.sui.objects.get(network.systemObjectId)!;
  world.sui.put({ ...system, type: `0x${'42'.repeat(32)}::system::System` });
  const findings = await diagnoseNetwork('testnet', account, { sui: world.sui });
  assert.deepEqual(
    findings.map((f) => [f.check, f.verdict]),
    [
      ['sui full node', 'ok'],
      ['walrus deployment', 'fail'],
    ],
  );
  assert.match(findings[1]!.detail, /redeployed/);
});

test('an account without SUI or WAL is told where to get them on that network', async () => {
  const world = walrusWorld(unreachableNodes);
  const findings = await diagnoseNetwork('testnet', account, { sui: world.sui });
  const by = Object.fromEntries(findings.map((f) => [f.check, f]));
  assert.equal(by['walrus deployment']!.verdict, 'ok');
  assert.match(
    by['walrus deployment']!.detail,
    /epoch 7, 10 shards on 4 storage nodes; storage costs 0\.1024 WAL per GiB of encoded size per epoch, plus 0\.02048 WAL per GiB once/,
  );
  assert.equal(by['storage nodes']!.verdict, 'fail');
  assert.equal(by['sui balance']!.verdict, 'fail');
  assert.match(by['sui balance']!.detail, /faucet\.sui\.io/);
  assert.equal(by['wal balance']!.verdict, 'fail');
  assert.match(by['wal balance']!.detail, /walrus get-wal/);
});

test('a funded account is reported with its balances', async () => {
  const world = walrusWorld(unreachableNodes);
  world.sui.giveCoins(account, SUI, [1_500_000_000n]);
  world.sui.giveCoins(account, WAL, [250_000_000n]);
  const findings = await diagnoseNetwork(SUI_NETWORKS.testnet, account, { sui: world.sui });
  const by = Object.fromEntries(findings.map((f) => [f.check, f]));
  assert.deepEqual(by['sui balance'], {
    check: 'sui balance',
    verdict: 'ok',
    detail: '1.5 SUI for gas',
  });
  assert.deepEqual(by['wal balance'], { check: 'wal balance', verdict: 'ok', detail: '0.25 WAL' });
});

test('storage nodes that do not answer matter by the shards they hold', async () => {
  const state = await new SuiReadChain(walrusWorld().sui, network, account).systemState();
  // 10 shards: f = 3. alpha holds 3, bravo 3, charlie 2, delta 2.
  assert.equal(storageNodesFinding(state, [true, true, true, true]).verdict, 'ok');
  const oneDown = storageNodesFinding(state, [false, true, true, true]);
  assert.equal(oneDown.verdict, 'warn');
  assert.match(
    oneDown.detail,
    /alpha do not answer \(3 of 10 shards\); stores and reads still work/,
  );
  assert.match(
    storageNodesFinding(state, [false, false, true, true]).detail,
    /reads still work, stores fail/,
  );
  assert.equal(storageNodesFinding(state, [false, false, false, true]).verdict, 'fail');
});

test("an upload relay's tip configuration is read and explained", async () => {
  const world = walrusWorld(unreachableNodes);
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      req.url === '/v1/tip-config'
        ? JSON.stringify({
            send_tip: {
              address: account,
              kind: { linear: { base: 1000, encoded_size_mul_per_kib: 2 } },
            },
          })
        : '{}',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const findings = await diagnoseNetwork('testnet', account, {
      sui: world.sui,
      uploadRelayUrl: url,
    });
    assert.deepEqual(findings.at(-1), {
      check: 'upload relay',
      verdict: 'ok',
      detail: `${url} asks a tip of 0.000001 SUI plus 0.000000002 SUI per KiB encoded per upload, paid to ${account}`,
    });
  } finally {
    server.close();
  }
});
