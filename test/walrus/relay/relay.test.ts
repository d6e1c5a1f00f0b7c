/**
 * Storing through an upload relay on a real localnet: the localnet's relay speaks
 * Walrus's upload-relay API, checks tips against the ledger's record of the registering
 * transaction, and hands the storage nodes their slivers; the client pays, uploads once,
 * checks the certificate it gets back and certifies.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { UploadRelay } from '../../../core/localnet/relay/server.js';
import { LocalChain } from '../../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../../core/walrus/client/client.js';
import { RelayTipTooHighError } from '../../../core/walrus/client/errors.js';
import type { StoreProgress } from '../../../core/walrus/client/store.js';
import {
  blobIdToString,
  EncodingConfig,
  RS2_ENCODING_TYPE,
} from '../../../core/walrus/encoding/index.js';
import {
  UploadRelayRefusedError,
  UploadRelayUnavailableError,
} from '../../../core/walrus/relay/relay-client.js';
import { authPayload, tipAmount, type TipConfig } from '../../../core/walrus/relay/tip.js';
import { startTestNetwork, type TestNetwork } from '../../support/localnet.js';

let t: TestNetwork;
const relays: UploadRelay[] = [];
const relayAddress = () => new Ed25519Keypair().toSuiAddress();

before(async () => {
  t = await startTestNetwork();
});
after(async () => {
  for (const r of relays) await r.close();
  await t.close();
});

async function startRelay(tip: TipConfig, freshnessMs?: number): Promise<UploadRelay> {
  const relay = new UploadRelay({
    chainUrl: t.net.url,
    pool: t.pool,
    tip,
    ...(freshnessMs !== undefined ? { freshnessMs } : {}),
  });
  await relay.listen();
  relays.push(relay);
  return relay;
}

function clientVia(url: string, maxTipMist: bigint | null = null): WalrusClient {
  return new WalrusClient({
    chain: t.chain,
    pool: t.pool,
    retry: { attempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
    uploadRelay: { url, maxTipMist },
  });
}

const sui = async (address: string) => BigInt((await t.chain.balances(address)).sui);

test('a free relay stores a blob with one upload of the unencoded bytes; it reads back from the nodes', async () => {
  const relay = await startRelay(null);
  const data = randomBytes(300_000);
  const progress: StoreProgress[] = [];
  const stored = await clientVia(relay.url).store(new Uint8Array(data), {
    epochs: 2,
    deletable: false,
    onProgress: (p) => progress.push(p),
  });
  assert.equal(stored.requests, 1, 'one request, to the relay; none to the storage nodes');
  assert.equal(stored.tip, 0n);
  assert.equal(relay.relayed, 1);
  const uploading = progress.filter((p) => p.phase === 'uploading');
  assert.equal(uploading.at(-1)!.bytesTotal, data.length, 'the blob goes up once');
  assert.equal(uploading.at(-1)!.bytesSent, data.length);
  assert.ok(progress.at(-1)!.shardsConfirmed >= progress.at(-1)!.quorum);
  const blob = await t.chain.getBlob(stored.objectId);
  assert.equal(blob!.state, 'certified');
  assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
});

test('a deletable blob goes through the relay too, and can be deleted', async () => {
  const relay = await startRelay(null);
  const stored = await clientVia(relay.url).store(new Uint8Array(randomBytes(5000)), {
    epochs: 1,
    deletable: true,
  });
  assert.equal((await t.chain.getBlob(stored.objectId))!.state, 'certified');
  await t.client.delete(stored.objectId);
  assert.equal((await t.chain.getBlob(stored.objectId))!.state, 'deleted');
});

test('a paid relay gets exactly its tip, in SUI, in the transaction that registers the blob', async () => {
  const address = relayAddress();
  const relay = await startRelay({ address, kind: { const: 31_415n } });
  const before = await sui(t.chain.address);
  const stored = await clientVia(relay.url).store(new Uint8Array(randomBytes(40_000)), {
    epochs: 1,
    deletable: false,
  });
  assert.equal(stored.tip, 31_415n);
  assert.equal(await sui(address), 31_415n);
  assert.equal(before - (await sui(t.chain.address)), 31_415n);
  assert.equal((await t.chain.getBlob(stored.objectId))!.state, 'certified');
});

test('a linear tip grows with the encoded size, as the relay computes it', async () => {
  const address = relayAddress();
  const tip: TipConfig = { address, kind: { linear: { base: 100n, perEncodedKiB: 3n } } };
  const relay = await startRelay(tip);
  const size = 123_457;
  const { nShards } = await t.chain.systemState();
  const stored = await clientVia(relay.url).store(new Uint8Array(randomBytes(size)), {
    epochs: 1,
    deletable: false,
  });
  const encodedKiB = BigInt(Math.ceil(new EncodingConfig(nShards).encodedBlobLength(size) / 1024));
  assert.equal(stored.tip, 100n + 3n * encodedKiB);
  assert.equal(await sui(address), tipAmount(tip, size, nShards));
});

test('a tip above the limit in Settings stops the store before anything is paid or registered', async () => {
  const relay = await startRelay({ address: relayAddress(), kind: { const: 5_000n } });
  const owned = (await t.client.listOwned()).length;
  const wal = (await t.chain.balances(t.chain.address)).wal;
  await assert.rejects(
    clientVia(relay.url, 4_999n).store(new Uint8Array(randomBytes(1000)), {
      epochs: 1,
      deletable: false,
    }),
    (e: Error) => e instanceof RelayTipTooHighError && /5000 MIST/.test(e.message),
  );
  assert.equal((await t.client.listOwned()).length, owned);
  assert.equal((await t.chain.balances(t.chain.address)).wal, wal);
});

/** Registers `blob` from `chain` as a client would, with `tip` (or none); returns the query. */
async function register(
  blob: Uint8Array,
  tip: { address: string; amount: bigint; payloadFor?: Uint8Array } | null,
  nonce = new Uint8Array(randomBytes(32)),
  chain: LocalChain = t.chain,
) {
  const { nShards } = await chain.systemState();
  const encoded = await t.pool.encode(nShards, blob.slice());
  const blobId = blobIdToString(encoded.blobId);
  const registered = await chain.registerBlob({
    blobId,
    rootHash: encoded.rootHash,
    size: blob.length,
    encodingType: RS2_ENCODING_TYPE,
    epochs: 1,
    deletable: false,
    ...(tip
      ? {
          relayTip: {
            address: tip.address,
            amount: tip.amount,
            authPayload: authPayload(tip.payloadFor ?? blob, nonce),
          },
        }
      : {}),
  });
  return {
    blob_id: blobId,
    tx_id: registered.digest,
    nonce: Buffer.from(nonce).toString('base64url'),
  };
}

async function post(relay: UploadRelay, query: Record<string, string>, body: Uint8Array) {
  const res = await fetch(`${relay.url}/v1/blob-upload-relay?${new URLSearchParams(query)}`, {
    method: 'POST',
    body: Buffer.from(body),
  });
  return { status: res.status, text: await res.text() };
}

test('a paid relay refuses uploads without a fitting payment, with the status the real one uses', async () => {
  const address = relayAddress();
  const relay = await startRelay({ address, kind: { const: 1_000n } });
  const blob = new Uint8Array(randomBytes(2000));

  const paid = await register(blob, { address, amount: 1_000n });
  const { tx_id: _, nonce: __, ...unpaid } = paid;
  assert.equal((await post(relay, unpaid, blob)).status, 400, 'no tx_id or nonce');
  assert.equal(
    (await post(relay, { ...paid, nonce: Buffer.alloc(32, 9).toString('base64url') }, blob)).status,
    401,
    'another nonce',
  );
  const other = new Uint8Array(randomBytes(2000));
  const wrongBytes = await post(relay, paid, other);
  assert.equal(wrongBytes.status, 401, 'other bytes than the payment names');
  assert.match(wrongBytes.text, /digest does not match/);
  assert.equal(
    (await post(relay, { ...paid, tx_id: 'f'.repeat(64) }, blob)).status,
    400,
    'unknown transaction',
  );
  assert.equal((await post(relay, { ...paid, extra: '1' }, blob)).status, 400, 'unknown parameter');

  const short = await register(blob, { address, amount: 999n });
  const underpaid = await post(relay, short, blob);
  assert.equal(underpaid.status, 402);
  assert.match(underpaid.text, /999 is less than the 1000/);
  assert.equal((await post(relay, await register(blob, null), blob)).status, 402, 'no tip at all');
  const elsewhere = await register(blob, { address: relayAddress(), amount: 1_000n });
  assert.equal((await post(relay, elsewhere, blob)).status, 402, 'tipped someone else');

  // The payment names other bytes of the same length and blob id cannot match them: 401.
  const forOther = await register(blob, { address, amount: 1_000n, payloadFor: other });
  const mismatch = await post(relay, forOther, blob);
  assert.equal(mismatch.status, 401);
  assert.match(mismatch.text, /digest does not match/);

  assert.equal(relay.relayed, 0, 'nothing was relayed');
  const ok = await post(relay, paid, blob);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(relay.relayed, 1);
});

test('a tip transaction older than the relay accepts is refused', async () => {
  const address = relayAddress();
  const relay = await startRelay({ address, kind: { const: 10n } }, 1);
  const blob = new Uint8Array(randomBytes(500));
  const query = await register(blob, { address, amount: 10n });
  await new Promise((r) => setTimeout(r, 20));
  const res = await post(relay, query, blob);
  assert.equal(res.status, 400);
  assert.match(res.text, /too old/);
});

test('the ledger refuses a tip to a malformed address and changes nothing', async () => {
  const blob = new Uint8Array(randomBytes(100));
  const before = await t.chain.balances(t.chain.address);
  await assert.rejects(
    register(blob, { address: '0x1234', amount: 5n }),
    /tip\.to must be a Sui address/,
  );
  assert.deepEqual(await t.chain.balances(t.chain.address), before);
});

test('a relay that answers with a made-up certificate costs an upload, not a certification', async () => {
  const liar = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/v1/tip-config') return res.end('"no_tip"');
      const blobId = new URL(req.url!, 'http://x').searchParams.get('blob_id');
      void t.chain.systemState().then(({ epoch, committee }) => {
        // The right message for the right epoch, signed by nobody.
        const message = [
          1,
          0,
          3,
          ...new Uint8Array(new Uint32Array([epoch]).buffer),
          ...Buffer.from(blobId!, 'base64url'),
          0,
        ];
        res.end(
          JSON.stringify({
            blob_id: blobId,
            confirmation_certificate: {
              signers: committee.map((m) => m.index),
              serialized_message: message,
              signature: Buffer.alloc(96, 7).toString('base64url'),
            },
          }),
        );
      });
    });
  });
  await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    let blobId = '';
    await assert.rejects(
      clientVia(url).store(new Uint8Array(randomBytes(1000)), {
        epochs: 1,
        deletable: false,
        onEncoded: (id) => (blobId = id),
      }),
      (e: Error) =>
        e instanceof UploadRelayRefusedError && /certificate is invalid/.test(e.message),
    );
    const [registered] = await t.chain.blobsById(blobId);
    assert.equal(registered!.state, 'registered', 'never certified');
  } finally {
    liar.closeAllConnections();
    await new Promise((r) => liar.close(r));
  }
});

test('an unreachable relay is a clear error after retries', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  await assert.rejects(
    clientVia(`http://127.0.0.1:${port}`).store(new Uint8Array(10), {
      epochs: 1,
      deletable: false,
    }),
    (e: Error) => e instanceof UploadRelayUnavailableError && /cannot be reached/.test(e.message),
  );
});

test('when too few nodes behind the relay confirm, the relay answers 500 and the client says why', async () => {
  const relay = await startRelay(null);
  await t.net.stopNode(0);
  await t.net.stopNode(1);
  try {
    await assert.rejects(
      clientVia(relay.url).store(new Uint8Array(randomBytes(1000)), {
        epochs: 1,
        deletable: false,
      }),
      (e: Error) =>
        e instanceof UploadRelayRefusedError &&
        e.status === 500 &&
        /not enough confirmations/.test(e.message),
    );
  } finally {
    await t.net.restartNode(0);
    await t.net.restartNode(1);
  }
});

test('when a relay raises its tip, the store it refuses (402) makes the client ask its price again', async () => {
  const address = relayAddress();
  const cheap = await startRelay({ address, kind: { const: 100n } });
  const client = clientVia(cheap.url);
  const store = () =>
    client.store(new Uint8Array(randomBytes(2000)), { epochs: 1, deletable: false });
  assert.equal((await store()).tip, 100n);
  // The operator restarts the relay at the same address with a higher tip.
  const port = Number(new URL(cheap.url).port);
  await cheap.close();
  relays.splice(relays.indexOf(cheap), 1);
  const dear = new UploadRelay({
    chainUrl: t.net.url,
    pool: t.pool,
    tip: { address, kind: { const: 250n } },
    port,
  });
  await dear.listen();
  relays.push(dear);
  await assert.rejects(
    store(),
    (e: Error) => e instanceof UploadRelayRefusedError && e.status === 402,
  );
  assert.equal((await store()).tip, 250n, 'the next store pays the new tip');
});
