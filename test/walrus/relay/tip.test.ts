import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { WalrusClient as SdkWalrusClient } from '@mysten/walrus';
import { EncodingConfig } from '../../../core/walrus/encoding/config.js';
import {
  authPayload,
  authPayloadProblem,
  InvalidTipConfigError,
  parseTipConfig,
  tipAmount,
  tipConfigJson,
} from '../../../core/walrus/relay/tip.js';

const RELAY = `0x${'2a'.repeat(32)}`;

test('the OpenAPI examples parse: no_tip, const and linear, and serve back as they came', () => {
  assert.equal(parseTipConfig('no_tip'), null);
  const constant = { send_tip: { address: RELAY, kind: { const: 31415 } } };
  const linear = {
    send_tip: { address: RELAY, kind: { linear: { base: 101, encoded_size_mul_per_kib: 42 } } },
  };
  assert.deepEqual(parseTipConfig(constant), { address: RELAY, kind: { const: 31415n } });
  assert.deepEqual(parseTipConfig(linear), {
    address: RELAY,
    kind: { linear: { base: 101n, perEncodedKiB: 42n } },
  });
  assert.deepEqual(tipConfigJson(parseTipConfig(constant)), constant);
  assert.deepEqual(tipConfigJson(parseTipConfig(linear)), linear);
  assert.equal(tipConfigJson(null), 'no_tip');
});

test('a short address is padded as Sui addresses are; junk is refused with a reason', () => {
  assert.equal(
    parseTipConfig({ send_tip: { address: '0x2A', kind: { const: 1 } } })!.address,
    `0x${'0'.repeat(62)}2a`,
  );
  for (const junk of [
    'free',
    {},
    { send_tip: { address: 'alice', kind: { const: 1 } } },
    { send_tip: { address: RELAY, kind: { const: -1 } } },
    { send_tip: { address: RELAY, kind: { const: 1.5 } } },
    { send_tip: { address: RELAY, kind: { linear: { base: 1 } } } },
    { send_tip: { address: RELAY, kind: { percent: 3 } } },
  ]) {
    assert.throws(() => parseTipConfig(junk), InvalidTipConfigError, JSON.stringify(junk));
  }
});

test('a linear tip is base + per-KiB × the encoded size in KiB, rounded up', () => {
  const kind = { linear: { base: 101n, perEncodedKiB: 42n } };
  for (const [size, nShards] of [
    [0, 10],
    [1, 10],
    [1_000_000, 100],
    [5_000_000, 1000],
  ] as const) {
    const encoded = new EncodingConfig(nShards).encodedBlobLength(size);
    const expected = 101n + BigInt(Math.ceil(encoded / 1024)) * 42n;
    assert.equal(tipAmount({ address: RELAY, kind }, size, nShards), expected);
  }
  assert.equal(tipAmount({ address: RELAY, kind: { const: 7n } }, 123456, 100), 7n);
  assert.equal(tipAmount(null, 123456, 100), 0n);
});

test('the auth package is byte for byte the one @mysten/walrus puts in a tipping transaction', async () => {
  const blob = new Uint8Array(1000).map((_, i) => (i * 7) % 256);
  const nonce = new Uint8Array(32).fill(23);
  let sdkBytes: Uint8Array | null = null;
  // The SDK's addAuthPayload hands its bytes to `transaction.pure`; catch them there.
  const add = SdkWalrusClient.prototype.addAuthPayload.call(undefined as never, {
    size: blob.length,
    blobDigest: new Uint8Array(createHash('sha256').update(blob).digest()),
    nonce,
  });
  await add({ pure: (bytes: Uint8Array) => (sdkBytes = bytes) } as never);
  assert.deepEqual(authPayload(blob, nonce), sdkBytes);
});

test('a relay tells a package for other bytes, another nonce or another length apart', () => {
  const blob = new TextEncoder().encode('hello');
  const nonce = new Uint8Array(32).fill(23);
  const payload = authPayload(blob, nonce);
  assert.equal(authPayloadProblem(payload, blob, nonce), null);
  assert.match(
    authPayloadProblem(payload, blob, new Uint8Array(32).fill(24))!,
    /nonce does not match/,
  );
  assert.match(
    authPayloadProblem(payload, new TextEncoder().encode('world'), nonce)!,
    /digest does not match/,
  );
  assert.match(
    authPayloadProblem(payload, new TextEncoder().encode('hello!'), nonce)!,
    /length does not match/,
  );
  assert.match(authPayloadProblem(payload.subarray(1), blob, nonce)!, /72 bytes/);
});
