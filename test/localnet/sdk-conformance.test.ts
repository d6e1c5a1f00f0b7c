/**
 * The localnet's storage nodes as the official `@mysten/walrus` SDK sees them: its
 * storage-node client, encoder and BLS code (nobody here wrote them) against a running
 * localnet. Each check is one behaviour of walrus-service's storage-node API
 * (`node/server/routes.rs`, its handlers, error types and extractors) — status code,
 * reason, envelope, content type — and names the SDK error class a Walrus node's answer
 * raises. Every check must answer as a Walrus node would.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bcs } from '@mysten/sui/bcs';
import {
  blobIdFromMetadata,
  blobIdFromString,
  blobIdToString,
  decodeMetadata,
  encodeMetadata,
  metadataRootHash,
  RS2_ENCODING_TYPE,
} from '../../core/walrus/encoding/index.js';
import { requestShardSlivers } from '../../core/localnet/node/shard-sync.js';
import { RecoverySymbolBcs, verifiedRecoverySymbols } from '../../core/localnet/node/symbols.js';
import { shardToPairIndex } from '../../core/walrus/shards.js';
import type { CommitteeMember } from '../../core/walrus/chain/chain.js';
import { startTestNetwork, type TestNetwork } from '../support/localnet.js';
import { loadWalrusSdk, type SdkEncoded, type WalrusSdk } from '../support/walrus-sdk.js';

const N = 10;
let t: TestNetwork;
let sdk: WalrusSdk;
let committee: CommitteeMember[];
let node0: CommitteeMember;

before(async () => {
  t = await startTestNetwork({ nShards: N });
  sdk = await loadWalrusSdk();
  committee = (await t.chain.systemState()).committee;
  node0 = committee[0]!;
});
after(() => t.close());

const at = (m: CommitteeMember) => ({ nodeUrl: m.url });

function encode(size = 4_000): SdkEncoded & { data: Uint8Array } {
  const data = new Uint8Array(randomBytes(size));
  return { ...sdk.wasm.encodeBlob(N, data), data };
}

async function register(e: SdkEncoded & { data: Uint8Array }, deletable = false) {
  const { blob } = await t.chain.registerBlob({
    blobId: e.blobId,
    rootHash: e.rootHash,
    size: e.data.length,
    encodingType: RS2_ENCODING_TYPE,
    epochs: 3,
    deletable,
  });
  return blob;
}

/** Pairs whose shards `m` holds for blob `e`. */
function pairsOf(m: CommitteeMember, e: SdkEncoded): number[] {
  return m.shards.map((s) => shardToPairIndex(s, blobIdFromString(e.blobId), N));
}

function foreignPair(m: CommitteeMember, e: SdkEncoded): number {
  const mine = new Set(pairsOf(m, e));
  return [...Array(N).keys()].find((p) => !mine.has(p))!;
}

async function storeAll(m: CommitteeMember, e: SdkEncoded): Promise<void> {
  await sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: e.metadata }, at(m));
  for (const p of pairsOf(m, e)) {
    for (const kind of ['primary', 'secondary'] as const) {
      const sliver = (kind === 'primary' ? e.primarySlivers : e.secondarySlivers)[p]!;
      await sdk.client.storeSliver(
        { blobId: e.blobId, sliverPairIndex: p, sliverType: kind, sliver },
        at(m),
      );
    }
  }
}

interface Envelope {
  error: {
    code: number;
    status: string;
    message: string;
    details: { '@type': string; reason: string; domain: string; metadata: object }[];
  };
}

/** Asserts `p` rejects with the SDK error class `cls`, HTTP `status` and Walrus `reason`. */
async function raises(
  p: Promise<unknown>,
  cls: keyof WalrusSdk['errors'],
  status: number,
  reason?: string,
  grpc?: string,
) {
  await assert.rejects(p, (e: Error & { status?: number; error?: Envelope }) => {
    assert.ok(e instanceof sdk.errors[cls], `${e.constructor.name} (${e.message}) is not ${cls}`);
    assert.equal(e.status, status, e.message);
    if (reason) assert.equal(e.error?.error.details[0]?.reason, reason, e.message);
    if (grpc) assert.equal(e.error?.error.status, grpc, e.message);
    return true;
  });
}

function raw(m: CommitteeMember, method: string, path: string, init: RequestInit = {}) {
  return fetch(m.url + path, { method, ...init });
}

// ---- metadata -----------------------------------------------------------------

test('PUT metadata of an unregistered blob raises BlobNotRegisteredError', async () => {
  const e = encode();
  await raises(
    sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: e.metadata }, at(node0)),
    'BlobNotRegisteredError',
    400,
    'NOT_REGISTERED',
    'FAILED_PRECONDITION',
  );
});

test('PUT metadata labelled other than application/octet-stream is 400 INVALID_CONTENT_TYPE', async () => {
  const e = encode();
  await register(e);
  const res = await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata`, {
    body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as Envelope;
  assert.equal(body.error.details[0]!.reason, 'INVALID_CONTENT_TYPE');
  assert.equal(body.error.status, 'INVALID_ARGUMENT');
});

test('PUT metadata that is not BCS is 400 INVALID_CONTENT_TYPE', async () => {
  const e = encode();
  await register(e);
  await raises(
    sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: Uint8Array.of(1, 2, 3) }, at(node0)),
    'BadRequestError',
    400,
    'INVALID_CONTENT_TYPE',
  );
});

test('PUT metadata of another blob is 400 INVALID_METADATA', async () => {
  const e = encode();
  await register(e);
  await raises(
    sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: encode().metadata }, at(node0)),
    'BadRequestError',
    400,
    'INVALID_METADATA',
    'INVALID_ARGUMENT',
  );
});

test('PUT metadata answers 201 "metadata successfully stored", then 200 "metadata already stored"', async () => {
  const e = encode();
  await register(e);
  const put = () =>
    raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata`, {
      body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/octet-stream' },
    });
  const first = await put();
  assert.equal(first.status, 201);
  assert.deepEqual(await first.json(), {
    success: { code: 201, data: 'metadata successfully stored' },
  });
  const again = await put();
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { success: { code: 200, data: 'metadata already stored' } });
});

test('PUT metadata ?pending=true of a blob not yet registered answers 202 buffered', async () => {
  const e = encode();
  const res = await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata?pending=true`, {
    body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), {
    success: { code: 202, data: 'metadata buffered pending registration' },
  });
});

test('GET metadata returns what the SDK encoded, as application/octet-stream', async () => {
  const e = encode();
  await register(e);
  await sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: e.metadata }, at(node0));
  const res = await raw(node0, 'GET', `/v1/blobs/${e.blobId}/metadata`);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  const parsed = (await sdk.client.getBlobMetadata({ blobId: e.blobId }, at(node0))) as {
    blobId: string;
    metadata: unknown;
  };
  assert.equal(parsed.blobId, e.blobId);
  assert.deepEqual(sdk.serializeMetadata(parsed.metadata), sdk.serializeMetadata(e.metadata));
});

test('GET metadata of a blob that is not registered is 404 METADATA_NOT_FOUND, even when buffered', async () => {
  const e = encode();
  await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata?pending=true`, {
    body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  await raises(
    sdk.client.getBlobMetadata({ blobId: e.blobId }, at(node0)),
    'NotFoundError',
    404,
    'METADATA_NOT_FOUND',
    'NOT_FOUND',
  );
});

test('GET metadata of a deleted blob is 404 METADATA_NOT_FOUND once the node has seen the deletion', async () => {
  const e = encode();
  const blob = await register(e, true);
  await sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: e.metadata }, at(node0));
  await t.chain.deleteBlob(blob.objectId);
  // A Walrus node too answers from the chain events it has processed.
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const res = await raw(node0, 'GET', `/v1/blobs/${e.blobId}/metadata`);
    await res.arrayBuffer();
    if (res.status === 404) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await raises(
    sdk.client.getBlobMetadata({ blobId: e.blobId }, at(node0)),
    'NotFoundError',
    404,
    'METADATA_NOT_FOUND',
  );
});

test('metadata status is "nonexistent", then "stored"', async () => {
  const e = encode();
  await register(e);
  assert.equal(await sdk.client.getMetadataStatus({ blobId: e.blobId }, at(node0)), 'nonexistent');
  await sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: e.metadata }, at(node0));
  assert.equal(await sdk.client.getMetadataStatus({ blobId: e.blobId }, at(node0)), 'stored');
});

test('metadata status of buffered metadata is "nonexistent": Walrus reports what it persisted', async () => {
  const e = encode();
  const res = await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata?pending=true`, {
    body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 202);
  assert.equal(await sdk.client.getMetadataStatus({ blobId: e.blobId }, at(node0)), 'nonexistent');
});

// ---- slivers ------------------------------------------------------------------

const sliverOf = (e: SdkEncoded, p: number, kind: 'primary' | 'secondary') =>
  (kind === 'primary' ? e.primarySlivers : e.secondarySlivers)[p]!;

function putSliver(e: SdkEncoded, p: number, kind: 'primary' | 'secondary', bytes?: Uint8Array) {
  return sdk.client.storeSliver(
    {
      blobId: e.blobId,
      sliverPairIndex: p,
      sliverType: kind,
      sliver: bytes ?? sliverOf(e, p, kind),
    },
    at(node0),
  );
}

async function withMetadata(deletable = false) {
  const e = encode();
  const blob = await register(e, deletable);
  await sdk.client.storeBlobMetadata({ blobId: e.blobId, metadata: e.metadata }, at(node0));
  return { e, blob, mine: pairsOf(node0, e) };
}

test('PUT sliver of an unregistered blob raises BlobNotRegisteredError', async () => {
  const e = encode();
  await raises(
    putSliver(e, pairsOf(node0, e)[0]!, 'primary'),
    'BlobNotRegisteredError',
    400,
    'NOT_REGISTERED',
  );
});

test('PUT sliver before its metadata is 400 FAILED_PRECONDITION METADATA_NOT_FOUND', async () => {
  const e = encode();
  await register(e);
  await raises(
    putSliver(e, pairsOf(node0, e)[0]!, 'primary'),
    'BadRequestError',
    400,
    'METADATA_NOT_FOUND',
    'FAILED_PRECONDITION',
  );
});

test('PUT sliver answers 201 "sliver stored successfully", then 200 "sliver already stored"', async () => {
  const { e, mine } = await withMetadata();
  assert.deepEqual(await putSliver(e, mine[0]!, 'primary'), {
    success: { code: 201, data: 'sliver stored successfully' },
  });
  assert.deepEqual(await putSliver(e, mine[0]!, 'primary'), {
    success: { code: 200, data: 'sliver already stored' },
  });
});

test('PUT sliver of a shard the node does not hold is 400 FAILED_PRECONDITION SHARD_NOT_ASSIGNED', async () => {
  const { e } = await withMetadata();
  const p = foreignPair(node0, e);
  await raises(
    putSliver(e, p, 'primary'),
    'BadRequestError',
    400,
    'SHARD_NOT_ASSIGNED',
    'FAILED_PRECONDITION',
  );
});

test('PUT sliver at a pair index ≥ n is 400 INVALID_ARGUMENT INDEX_OUT_OF_RANGE', async () => {
  const { e } = await withMetadata();
  await raises(
    putSliver(e, N, 'primary', sliverOf(e, 0, 'primary')),
    'BadRequestError',
    400,
    'INDEX_OUT_OF_RANGE',
    'INVALID_ARGUMENT',
  );
});

test('PUT sliver whose own index belongs to another pair is 400 SLIVER_INDEX_MISMATCH', async () => {
  const { e, mine } = await withMetadata();
  const other = (mine[0]! + 1) % N;
  await raises(
    putSliver(e, mine[0]!, 'primary', sliverOf(e, other, 'primary')),
    'BadRequestError',
    400,
    'SLIVER_INDEX_MISMATCH',
  );
});

test('PUT a corrupted sliver is 400 INVALID_SLIVER', async () => {
  const { e, mine } = await withMetadata();
  const bad = Uint8Array.from(sliverOf(e, mine[0]!, 'secondary'));
  bad[12]! ^= 0xff;
  await raises(putSliver(e, mine[0]!, 'secondary', bad), 'BadRequestError', 400, 'INVALID_SLIVER');
});

test('PUT a sliver that is not BCS is 400 INVALID_CONTENT_TYPE', async () => {
  const { e, mine } = await withMetadata();
  await raises(
    putSliver(e, mine[0]!, 'primary', Uint8Array.of(9)),
    'BadRequestError',
    400,
    'INVALID_CONTENT_TYPE',
  );
});

test('PUT a sliver larger than any sliver of the network is 413, and the connection serves the next request', async () => {
  const { e, mine } = await withMetadata();
  const res = await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/slivers/${mine[0]}/primary`, {
    body: new Uint8Array(8 * 1024 * 1024),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 413);
  await res.arrayBuffer();
  assert.equal((await raw(node0, 'GET', '/v1/health')).status, 200);
});

test('PUT sliver ?pending=true after buffered metadata answers 202 buffered', async () => {
  const e = encode();
  await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata?pending=true`, {
    body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  const p = pairsOf(node0, e)[0]!;
  const res = await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/slivers/${p}/primary?pending=true`, {
    body: sliverOf(e, p, 'primary') as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), {
    success: { code: 202, data: 'sliver buffered pending registration' },
  });
  const status = (kind: 'primary' | 'secondary') =>
    sdk.client.getSliverStatus(
      { blobId: e.blobId, sliverPairIndex: p, sliverType: kind },
      at(node0),
    );
  assert.equal(await status('primary'), 'buffered');
  assert.equal(await status('secondary'), 'nonexistent');
});

test('sliver status is "nonexistent", then "stored"', async () => {
  const { e, mine } = await withMetadata();
  const status = () =>
    sdk.client.getSliverStatus(
      { blobId: e.blobId, sliverPairIndex: mine[0]!, sliverType: 'primary' },
      at(node0),
    );
  assert.equal(await status(), 'nonexistent');
  await putSliver(e, mine[0]!, 'primary');
  assert.equal(await status(), 'stored');
});

test('buffered data is stored when the blob is registered', async () => {
  const e = encode();
  await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata?pending=true`, {
    body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  const p = pairsOf(node0, e)[0]!;
  await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/slivers/${p}/primary?pending=true`, {
    body: sliverOf(e, p, 'primary') as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  await register(e);
  const deadline = Date.now() + 5_000;
  const stored = () =>
    sdk.client.getSliverStatus(
      { blobId: e.blobId, sliverPairIndex: p, sliverType: 'primary' },
      at(node0),
    );
  while ((await stored()) !== 'stored' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(await stored(), 'stored');
  assert.equal(await sdk.client.getMetadataStatus({ blobId: e.blobId }, at(node0)), 'stored');
});

test('GET sliver returns the bytes the SDK encoded, as application/octet-stream', async () => {
  const { e, mine } = await withMetadata();
  await putSliver(e, mine[0]!, 'secondary');
  const res = await raw(node0, 'GET', `/v1/blobs/${e.blobId}/slivers/${mine[0]}/secondary`);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  const got = await sdk.client.getSliver(
    { blobId: e.blobId, sliverPairIndex: mine[0]!, sliverType: 'secondary' },
    at(node0),
  );
  assert.deepEqual(got, sliverOf(e, mine[0]!, 'secondary'));
});

test('GET a sliver the node lacks is 404 SLIVER_NOT_FOUND', async () => {
  const { e, mine } = await withMetadata();
  await raises(
    sdk.client.getSliver(
      { blobId: e.blobId, sliverPairIndex: mine[0]!, sliverType: 'primary' },
      at(node0),
    ),
    'NotFoundError',
    404,
    'SLIVER_NOT_FOUND',
    'NOT_FOUND',
  );
});

test('GET a sliver at a pair index ≥ n is 400 INDEX_OUT_OF_RANGE', async () => {
  const { e } = await withMetadata();
  await raises(
    sdk.client.getSliver(
      { blobId: e.blobId, sliverPairIndex: N, sliverType: 'primary' },
      at(node0),
    ),
    'BadRequestError',
    400,
    'INDEX_OUT_OF_RANGE',
  );
});

test('GET a sliver of a shard the node does not hold is 400 SHARD_NOT_ASSIGNED', async () => {
  const { e } = await withMetadata();
  await raises(
    sdk.client.getSliver(
      { blobId: e.blobId, sliverPairIndex: foreignPair(node0, e), sliverType: 'primary' },
      at(node0),
    ),
    'BadRequestError',
    400,
    'SHARD_NOT_ASSIGNED',
  );
});

test('GET a sliver of an unregistered blob is 404 SLIVER_NOT_FOUND', async () => {
  const e = encode();
  await raises(
    sdk.client.getSliver(
      { blobId: e.blobId, sliverPairIndex: pairsOf(node0, e)[0]!, sliverType: 'primary' },
      at(node0),
    ),
    'NotFoundError',
    404,
    'SLIVER_NOT_FOUND',
  );
});

// ---- confirmations and certificates -------------------------------------------

test('a confirmation before all slivers are stored is 400 FAILED_PRECONDITION MISSING_SLIVERS', async () => {
  const { e } = await withMetadata();
  await raises(
    sdk.client.getPermanentBlobConfirmation({ blobId: e.blobId }, at(node0)),
    'BadRequestError',
    400,
    'MISSING_SLIVERS',
    'FAILED_PRECONDITION',
  );
});

test('a confirmation of an unregistered blob raises BlobNotRegisteredError', async () => {
  const e = encode();
  await raises(
    sdk.client.getPermanentBlobConfirmation({ blobId: e.blobId }, at(node0)),
    'BlobNotRegisteredError',
    400,
    'NOT_REGISTERED',
  );
});

test("a permanent confirmation is the SDK's message, signed as the SDK's BLS verifies", async () => {
  const e = encode();
  await register(e);
  await storeAll(node0, e);
  const { epoch } = await t.chain.systemState();
  const r = await sdk.client.getPermanentBlobConfirmation({ blobId: e.blobId }, at(node0));
  assert.equal(r.success.code, 200);
  assert.equal(
    r.success.data.signed.serializedMessage,
    sdk.confirmationMessage(epoch, e.blobId, null),
  );
  const key = new Uint8Array(Buffer.from(node0.blsPublicKey, 'hex'));
  assert.ok(sdk.wasm.getVerifySignature()(r.success.data.signed, key));
});

test('a deletable confirmation names its object and verifies with the SDK; another object raises BlobNotRegisteredError', async () => {
  const e = encode();
  const blob = await register(e, true);
  await storeAll(node0, e);
  const { epoch } = await t.chain.systemState();
  const r = await sdk.client.getDeletableBlobConfirmation(
    { blobId: e.blobId, objectId: blob.objectId },
    at(node0),
  );
  assert.equal(
    r.success.data.signed.serializedMessage,
    sdk.confirmationMessage(epoch, e.blobId, blob.objectId),
  );
  const key = new Uint8Array(Buffer.from(node0.blsPublicKey, 'hex'));
  assert.ok(sdk.wasm.getVerifySignature()(r.success.data.signed, key));
  await raises(
    sdk.client.getDeletableBlobConfirmation(
      { blobId: e.blobId, objectId: '0x' + 'ab'.repeat(32) },
      at(node0),
    ),
    'BlobNotRegisteredError',
    400,
    'NOT_REGISTERED',
  );
});

test('a confirmation asked ?wait_for_registration=true waits for the registration of buffered data', async () => {
  const e = encode();
  const pending = async (path: string, body: Uint8Array) =>
    raw(node0, 'PUT', `/v1/blobs/${e.blobId}${path}?pending=true`, {
      body: body as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/octet-stream' },
    });
  await pending('/metadata', sdk.serializeMetadata(e.metadata));
  for (const p of pairsOf(node0, e)) {
    await pending(`/slivers/${p}/primary`, sliverOf(e, p, 'primary'));
    await pending(`/slivers/${p}/secondary`, sliverOf(e, p, 'secondary'));
  }
  const asked = raw(
    node0,
    'GET',
    `/v1/blobs/${e.blobId}/confirmation/permanent?wait_for_registration=true&wait_millis=10000`,
  );
  await new Promise((r) => setTimeout(r, 200));
  await register(e);
  const res = await asked;
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { success: { data: { signed: { signature: string } } } };
  assert.ok(body.success.data.signed.signature);
});

test('a certificate the SDK combines from the confirmations certifies the blob on the ledger', async () => {
  const e = encode(20_000);
  const blob = await register(e);
  const confirmations = [];
  const signers = [];
  for (const m of committee) {
    await storeAll(m, e);
    confirmations.push(
      (await sdk.client.getPermanentBlobConfirmation({ blobId: e.blobId }, at(m))).success.data
        .signed,
    );
    signers.push(m.index);
  }
  const c = sdk.wasm.combineSignatures(confirmations, signers);
  const certified = await t.chain.certifyBlob(blob.objectId, {
    signature: c.signature,
    signers: c.signers,
    message: c.serializedMessage,
  });
  assert.equal(certified.blob.state, 'certified');
  // And the SDK decodes the blob from primary slivers read back from the nodes.
  const id = blobIdFromString(e.blobId);
  const slivers = [];
  for (let p = 0; p < N && slivers.length < 4; p++) {
    const m = committee.find((c) => c.shards.some((s) => shardToPairIndex(s, id, N) === p))!;
    slivers.push(
      await sdk.client.getSliver(
        { blobId: e.blobId, sliverPairIndex: p, sliverType: 'primary' },
        at(m),
      ),
    );
  }
  assert.deepEqual(sdk.wasm.decodePrimarySlivers(e.blobId, N, e.data.length, slivers), e.data);
});

// ---- blob status --------------------------------------------------------------

test('the status of a blob nobody registered is nonexistent', async () => {
  assert.deepEqual(await sdk.client.getBlobStatus({ blobId: encode().blobId }, at(node0)), {
    type: 'nonexistent',
  });
});

test('a registered permanent blob is permanent, not certified, with its statusEvent and deletable counts', async () => {
  const e = encode();
  const blob = await register(e);
  const s = await sdk.client.getBlobStatus({ blobId: e.blobId }, at(node0));
  assert.equal(s.type, 'permanent');
  assert.equal(s.endEpoch, blob.endEpoch);
  assert.equal(s.isCertified, false);
  assert.equal(s.initialCertifiedEpoch, null);
  assert.deepEqual(s.deletableCounts, { count_deletable_total: 0, count_deletable_certified: 0 });
  const event = s.statusEvent as { eventSeq: string; txDigest: string };
  assert.equal(typeof event?.eventSeq, 'string');
  assert.equal(typeof event?.txDigest, 'string');
});

test('a blob registered only as deletable has status deletable with its counts', async () => {
  const e = encode();
  await register(e, true);
  const s = await sdk.client.getBlobStatus({ blobId: e.blobId }, at(node0));
  assert.deepEqual(s, {
    type: 'deletable',
    initialCertifiedEpoch: null,
    deletableCounts: { count_deletable_total: 1, count_deletable_certified: 0 },
  });
});

// ---- the HTTP surface ----------------------------------------------------------

test("errors carry Walrus's envelope: code, status, message, ErrorInfo with domain and metadata", async () => {
  const e = encode();
  const res = await raw(node0, 'GET', `/v1/blobs/${e.blobId}/confirmation/permanent`);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const body = (await res.json()) as Envelope;
  assert.deepEqual(body, {
    error: {
      code: 400,
      status: 'FAILED_PRECONDITION',
      message: 'the blob has not been registered or has already expired',
      details: [
        {
          '@type': 'ErrorInfo',
          reason: 'NOT_REGISTERED',
          domain: 'storage.walrus.space',
          metadata: {},
        },
      ],
    },
  });
});

test('an unknown route is an empty 404', async () => {
  const res = await raw(node0, 'GET', '/v1/nothing-here');
  assert.equal(res.status, 404);
  assert.equal(await res.text(), '');
});

test('a known path asked with another method is an empty 405 naming the allowed ones', async () => {
  const res = await raw(node0, 'DELETE', `/v1/blobs/${encode().blobId}/metadata`);
  assert.equal(res.status, 405);
  assert.equal(await res.text(), '');
  assert.match(res.headers.get('allow') ?? '', /GET/);
});

test('a CORS preflight is answered for any origin, method and header', async () => {
  const res = await raw(node0, 'OPTIONS', `/v1/blobs/${encode().blobId}/metadata`, {
    headers: {
      origin: 'https://example.org',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type',
    },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.equal(res.headers.get('access-control-allow-methods'), '*');
  assert.equal(res.headers.get('access-control-allow-headers'), '*');
});

test('answers to a cross-origin request allow any origin', async () => {
  const res = await raw(node0, 'GET', '/v1/health', { headers: { origin: 'https://example.org' } });
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
});

test("GET /v1/health answers Walrus's ServiceHealthInfo", async () => {
  const res = await raw(node0, 'GET', '/v1/health');
  const { success } = (await res.json()) as {
    success: { code: number; data: Record<string, unknown> };
  };
  assert.equal(success.code, 200);
  const h = success.data;
  assert.deepEqual(Object.keys(h).sort(), [
    'epoch',
    'eventProgress',
    'nodeStatus',
    'publicKey',
    'shardSummary',
    'uptime',
  ]);
  assert.equal(h.nodeStatus, 'Active');
  assert.equal(typeof (h.uptime as { secs: number }).secs, 'number');
  assert.equal(typeof (h.uptime as { nanos: number }).nanos, 'number');
  assert.deepEqual(Object.keys(h.eventProgress as object).sort(), [
    'highestFinishedEventIndex',
    'pending',
    'persisted',
  ]);
  assert.deepEqual(h.shardSummary, {
    owned: node0.shards.length,
    ownedShardStatus: { unknown: 0, ready: node0.shards.length, inTransfer: 0, inRecovery: 0 },
    readOnly: 0,
  });
});

test('GET /v1/health?detailed=true lists the owned shards and their status', async () => {
  const res = await raw(node0, 'GET', '/v1/health?detailed=true');
  const { success } = (await res.json()) as {
    success: { data: { shardDetail: { owned: { shard: number; status: string }[]; other: [] } } };
  };
  assert.deepEqual(success.data.shardDetail, {
    owned: [...node0.shards].sort((a, b) => a - b).map((shard) => ({ shard, status: 'ready' })),
    other: [],
  });
});

test('GET /v1/api serves the API documentation as HTML', async () => {
  const res = await raw(node0, 'GET', '/v1/api');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(
    await res.text(),
    /\/v1\/blobs\/\{blob_id\}\/slivers\/\{sliver_pair_index\}\/\{sliver_type\}/,
  );
});

test('a blob id that does not parse is 400', async () => {
  const res = await raw(node0, 'GET', '/v1/blobs/not-a-blob-id/metadata');
  assert.equal(res.status, 400);
});

test('an unknown query parameter on a PUT is 400', async () => {
  const e = encode();
  await register(e);
  const res = await raw(node0, 'PUT', `/v1/blobs/${e.blobId}/metadata?pendin=true`, {
    body: sdk.serializeMetadata(e.metadata) as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 400);
});

test('the shard sync route refuses a request without Authorization with 401', async () => {
  const res = await raw(node0, 'POST', '/v1/migrate/sync_shard', {
    body: new Uint8Array(8),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 401);
});

test('the recovery symbols route answers BCS symbols for a sliver', async () => {
  const e = encode();
  await register(e);
  await storeAll(node0, e);
  const target = foreignPair(node0, e);
  const res = await raw(
    node0,
    'GET',
    `/v1/blobs/${e.blobId}/recoverySymbols?targetSliver=${target}&targetType=primary`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  assert.ok((await res.arrayBuffer()).byteLength > 0);
});

test('the decoding symbols route answers BCS symbols for a source sliver', async () => {
  const e = encode();
  await register(e);
  await storeAll(node0, e);
  const res = await raw(
    node0,
    'GET',
    `/v1/blobs/${e.blobId}/decodingSymbols?targetSlivers=0&targetType=primary`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
});

test('an inconsistency proof that does not verify is 400 INVALID_PROOF', async () => {
  const e = encode();
  await register(e);
  await storeAll(node0, e);
  const res = await raw(node0, 'POST', `/v1/blobs/${e.blobId}/inconsistencyProof/primary`, {
    body: new Uint8Array(16),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 400);
});

test('recovery symbols come with Merkle proofs that hold against the metadata', async () => {
  const e = encode();
  await register(e);
  await storeAll(node0, e);
  const target = foreignPair(node0, e);
  const res = await raw(
    node0,
    'GET',
    `/v1/blobs/${e.blobId}/recoverySymbols?targetSliver=${target}&targetType=primary&proofAxis=secondary`,
  );
  const metadata = decodeMetadata(sdk.serializeMetadata(e.metadata));
  const symbols = verifiedRecoverySymbols(
    new Uint8Array(await res.arrayBuffer()),
    metadata,
    'primary',
    target,
  );
  assert.equal(symbols.length, node0.shards.length);
});

test('a valid inconsistency proof is answered with an attestation the SDK BLS verifies', async () => {
  // A blob whose metadata commits to a wrong hash for pair 0's primary sliver.
  const e = encode();
  const metadata = decodeMetadata(sdk.serializeMetadata(e.metadata));
  metadata.hashes[0] = { ...metadata.hashes[0]!, primary: new Uint8Array(32).fill(7) };
  const blobId = blobIdToString(blobIdFromMetadata(metadata));
  await t.chain.registerBlob({
    blobId,
    rootHash: metadataRootHash(metadata),
    size: e.data.length,
    encodingType: RS2_ENCODING_TYPE,
    epochs: 3,
    deletable: false,
  });
  const bad = { ...e, blobId };
  for (const m of committee) {
    await raw(m, 'PUT', `/v1/blobs/${blobId}/metadata`, {
      body: encodeMetadata(metadata) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/octet-stream' },
    });
    for (const p of pairsOf(m, bad))
      await raw(m, 'PUT', `/v1/blobs/${blobId}/slivers/${p}/secondary`, {
        body: sliverOf(e, p, 'secondary') as Uint8Array<ArrayBuffer>,
      });
  }
  // Symbols for primary sliver 0 from every node's secondary slivers, each proven.
  const symbols = [];
  for (const m of committee) {
    const res = await raw(
      m,
      'GET',
      `/v1/blobs/${blobId}/recoverySymbols?targetSliver=0&targetType=primary&proofAxis=secondary`,
    );
    symbols.push(
      ...verifiedRecoverySymbols(new Uint8Array(await res.arrayBuffer()), metadata, 'primary', 0),
    );
  }
  const proof = bcs
    .struct('InconsistencyProof', {
      target_sliver_index: bcs.u16(),
      recovery_symbols: bcs.vector(RecoverySymbolBcs),
    })
    .serialize({
      target_sliver_index: 0,
      recovery_symbols: symbols.slice(0, 7).map((s) => ({
        symbol: { index: s.sourceIndex, data: s.data },
        proof: { path: s.proof.map((h) => ({ Digest: Array.from(h) })) },
      })),
    })
    .toBytes();
  const res = await raw(node0, 'POST', `/v1/blobs/${blobId}/inconsistencyProof/primary`, {
    body: proof as Uint8Array<ArrayBuffer>,
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { success } = (await res.json()) as {
    success: { data: { serializedMessage: string; signature: string } };
  };
  const key = new Uint8Array(Buffer.from(node0.blsPublicKey, 'hex'));
  assert.ok(sdk.wasm.getVerifySignature()(success.data, key));
});

test("shard sync hands the requester its shard's slivers of certified blobs", async () => {
  const e = encode(20_000);
  const blob = await register(e);
  const confirmations = [];
  for (const m of committee) {
    await storeAll(m, e);
    confirmations.push(
      (await sdk.client.getPermanentBlobConfirmation({ blobId: e.blobId }, at(m))).success.data
        .signed,
    );
  }
  const c = sdk.wasm.combineSignatures(
    confirmations,
    committee.map((m) => m.index),
  );
  await t.chain.certifyBlob(blob.objectId, {
    signature: c.signature,
    signers: c.signers,
    message: c.serializedMessage,
  });
  // The requester must hold the shard in the current committee: in this static committee
  // that is node 0 itself, asking with its own BLS key.
  const secretKey = new Uint8Array(
    Buffer.from(
      (await readFile(join(t.net.dir, 'nodes', node0.nodeId, 'bls.key'), 'utf8')).trim(),
      'hex',
    ),
  );
  const publicKey = new Uint8Array(Buffer.from(node0.blsPublicKey, 'hex'));
  const shard = node0.shards[0]!;
  const pair = shardToPairIndex(shard, blobIdFromString(e.blobId), N);
  const { epoch } = await t.chain.systemState();
  const ask = () =>
    requestShardSlivers(
      node0.url,
      { secretKey, publicKey },
      { shard, kind: 'primary', startingBlobId: e.blobId, count: 1, epoch },
    );
  // The node follows the chain: wait until it knows the blob is certified.
  const deadline = Date.now() + 5_000;
  let got = await ask();
  while (!got.some((s) => s.blobId === e.blobId) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    got = await ask();
  }
  const mine = got.find((s) => s.blobId === e.blobId)!;
  assert.equal(mine.kind, 'primary');
  assert.deepEqual(mine.sliver, sliverOf(e, pair, 'primary'));
});
