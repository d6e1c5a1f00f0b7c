import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import {
  CorruptDataError,
  NONCE_LENGTH,
  open,
  openParts,
  seal,
  SEAL_OVERHEAD,
  sealParts,
} from '../../core/repo/crypto.js';

test('sealing matches @noble/ciphers xchacha20poly1305 byte for byte', () => {
  for (const len of [0, 1, 15, 16, 63, 64, 65, 1000, randomInt(1, 100_000)]) {
    const key = randomBytes(32);
    const nonce = randomBytes(NONCE_LENGTH);
    const plaintext = randomBytes(len);
    const aad = randomBytes(randomInt(0, 40));
    const ours = seal(key, plaintext, aad, nonce);
    const theirs = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
    assert.deepEqual(
      Buffer.from(ours.subarray(NONCE_LENGTH)),
      Buffer.from(theirs),
      `length ${len}`,
    );
    assert.deepEqual(Buffer.from(open(key, ours, 'test', aad)), plaintext);
  }
});

test('tampering with the ciphertext, tag, nonce or associated data is detected', () => {
  const key = randomBytes(32);
  const sealed = seal(key, randomBytes(500), Buffer.from('pack v1'));
  for (const pos of [0, 10, NONCE_LENGTH, 200, sealed.length - 1]) {
    const bad = Uint8Array.from(sealed);
    bad[pos]! ^= 1;
    assert.throws(
      () => open(key, bad, 'pack 42', Buffer.from('pack v1')),
      (e: unknown) => e instanceof CorruptDataError && /pack 42/.test((e as Error).message),
    );
  }
  assert.throws(() => open(key, sealed, 'x', Buffer.from('pack v2')), CorruptDataError);
  assert.throws(() => open(randomBytes(32), sealed, 'x', Buffer.from('pack v1')), CorruptDataError);
  assert.throws(() => open(key, sealed.subarray(0, 20), 'x'), CorruptDataError);
});

test('two seals of the same plaintext differ (random nonces)', () => {
  const key = randomBytes(32);
  const p = randomBytes(64);
  assert.notDeepEqual(seal(key, p), seal(key, p));
});

test('sealing in parts gives the bytes one seal of their concatenation gives', () => {
  const key = randomBytes(32);
  const aad = randomBytes(20);
  for (const sizes of [[0], [1, 0, 5], [40_000], [3_000_000, 17, 1_048_576, 1_048_577]]) {
    const parts = sizes.map((n) => randomBytes(n));
    const nonce = randomBytes(NONCE_LENGTH);
    const whole = seal(key, Buffer.concat(parts), aad, nonce);
    const out = new Uint8Array(whole.length);
    sealParts(key, parts, out, aad, nonce);
    assert.deepEqual(out, whole, `parts of ${sizes.join(', ')}`);
  }
  assert.throws(
    () => sealParts(key, [randomBytes(10)], new Uint8Array(10 + SEAL_OVERHEAD - 1)),
    RangeError,
  );
});

/** `bytes` cut at `cuts` (offsets, in order): the parts a blob's slivers would give. */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    parts.push(bytes.subarray(at, c));
    at = c;
  }
  return parts;
}

test('opening in parts gives what opening the whole gives, wherever the cuts fall', () => {
  const key = randomBytes(32);
  const aad = randomBytes(12);
  const plain = randomBytes(100_000);
  const sealed = seal(key, plain, aad);
  const n = sealed.length;
  // Cuts inside the nonce, at its end, inside the body, inside and at the tag, empty parts.
  for (const cuts of [
    [],
    [1],
    [NONCE_LENGTH],
    [10, 10, 50_000],
    [n - 16],
    [n - 3],
    [5, n - 8, n],
  ]) {
    const got = openParts(key, cut(sealed, cuts), 'the test', aad);
    assert.ok(Buffer.from(got).equals(plain), `cuts ${cuts.join(', ')}`);
  }
  for (const at of [0, NONCE_LENGTH + 7, n - 1]) {
    const bad = Uint8Array.from(sealed);
    bad[at]! ^= 1;
    assert.throws(() => openParts(key, cut(bad, [20, 60_000]), 'the test', aad), CorruptDataError);
  }
  assert.throws(
    () => openParts(key, [sealed.subarray(0, 10), sealed.subarray(10, 30)], 'x'),
    CorruptDataError,
  );
  assert.equal(openParts(key, cut(seal(key, new Uint8Array(0)), [3]), 'empty').length, 0);
});
