/**
 * What the contract's economics mean for Floe's client: a full network stops a store with
 * NetworkFullError (nothing paid), and a price that moves between quote and purchase is
 * quoted again and paid at its new value, never refused as a lack of WAL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { NetworkFullError } from '../../../core/walrus/chain/chain.js';
import { LocalChain } from '../../../core/walrus/chain/local-chain.js';
import { blobIdToString, encodeBlob } from '../../../core/walrus/encoding/index.js';
import { startTestLedger } from '../../support/ledger.js';
import { startTestNetwork } from '../../support/localnet.js';

test('a store on a full network fails with NetworkFullError and pays nothing', async () => {
  const t = await startTestNetwork({ nodeCapacity: '50000' });
  try {
    const before = await t.chain.balances(t.chain.address);
    await assert.rejects(
      t.client.store(randomBytes(50_000), { epochs: 2, deletable: false }),
      (e: unknown) =>
        e instanceof NetworkFullError &&
        /the Walrus network is full/.test(e.message) &&
        /fewer epochs/.test(e.message),
    );
    assert.deepEqual(await t.chain.balances(t.chain.address), before);
    assert.deepEqual(await t.client.listOwned(), []);
  } finally {
    await t.close();
  }
});

/**
 * A loopback hop in front of the ledger that runs `before` once, just ahead of the first
 * transaction of `kind` it forwards: the moment between a quote and its purchase.
 */
async function interpose(
  ledgerUrl: string,
  kind: string,
  before: () => Promise<void>,
): Promise<{ url: string; seen: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        if (req.method === 'POST' && req.url === '/v1/transactions') {
          const tx = JSON.parse(body.toString()) as { bytes: string };
          const call = (
            JSON.parse(Buffer.from(tx.bytes, 'base64').toString()) as {
              call: { kind: string };
            }
          ).call;
          if (call.kind === kind && seen++ === 0) await before();
        }
        const answer = await fetch(ledgerUrl + req.url, {
          method: req.method,
          ...(req.method === 'POST' ? { body } : {}),
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: () => seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('prices raised between quote and purchase: Floe quotes again and pays the new price', async () => {
  const t = await startTestLedger();
  const proxy = await interpose(t.server.url, 'register_blob', async () => {
    for (const [i, op] of t.operators.entries())
      await op.execute({ kind: 'set_storage_price_vote', nodeId: `node-${i}`, price: '7000000' });
  });
  try {
    const chain = new LocalChain(proxy.url, new Ed25519Keypair());
    await chain.faucet(chain.address);
    const size = 1000;
    const quoted = await chain.storageCost(size, 3);
    const e = encodeBlob(10, randomBytes(size));
    const before = BigInt((await chain.balances(chain.address)).wal);
    const { cost, blob } = await chain.registerBlob({
      blobId: blobIdToString(e.blobId),
      rootHash: e.rootHash,
      size,
      encodingType: 1,
      epochs: 3,
      deletable: false,
    });
    const now = await chain.storageCost(size, 3);
    assert.ok(now > quoted, 'the vote raised the price');
    assert.equal(BigInt(cost), now);
    assert.equal(BigInt((await chain.balances(chain.address)).wal), before - now);
    assert.equal(blob.state, 'registered');
    assert.equal(proxy.seen(), 2, 'refused once at the old price, bought at the new one');
  } finally {
    await proxy.close();
    await t.close();
  }
});
