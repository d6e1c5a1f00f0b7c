import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import {
  blsAggregateSignatures,
  blsSign,
  blsVerify,
  blsVerifyAggregate,
  generateBlsKeyPair,
  blsSigningLibrary,
  loadFastSigning,
  mclSigner,
  nobleSign,
} from '../../../core/walrus/protocol/bls.js';

/** @noble/curves' own verification: the second opinion the fastcrypto verdicts must match. */
const noble = bls12_381.longSignatures;
const nobleVerify = (pk: Uint8Array, message: Uint8Array, sig: Uint8Array) => {
  try {
    return noble.verify(sig, noble.hash(message), pk);
  } catch {
    return false;
  }
};

test('verdicts on random keys, messages and signatures are the ones noble reaches', () => {
  for (let i = 0; i < 12; i++) {
    const a = generateBlsKeyPair();
    const b = generateBlsKeyPair();
    const message = randomBytes(1 + ((i * 37) % 120));
    const other = randomBytes(message.length);
    const sig = blsSign(a.secretKey, message);
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [a.publicKey, message, sig],
      [b.publicKey, message, sig],
      [a.publicKey, other, sig],
      [a.publicKey, message, blsSign(b.secretKey, message)],
      [a.publicKey, message, randomBytes(96)],
      [randomBytes(48), message, sig],
    ];
    for (const [j, [pk, m, s]] of cases.entries())
      assert.equal(blsVerify(pk, m, s), nobleVerify(pk, m, s), `key pair ${i}, case ${j}`);
    assert.equal(blsVerify(a.publicKey, message, sig), true);
  }
});

test('aggregate verdicts match noble for every subset of signers', () => {
  const message = randomBytes(73);
  const keys = Array.from({ length: 5 }, () => generateBlsKeyPair());
  const sigs = keys.map((k) => blsSign(k.secretKey, message));
  for (let mask = 1; mask < 32; mask++) {
    const chosen = keys.map((_, i) => i).filter((i) => mask & (1 << i));
    const aggregate = blsAggregateSignatures(chosen.map((i) => sigs[i]!));
    // fastcrypto's aggregate is the very point noble computes, in the same encoding.
    assert.deepEqual(
      Buffer.from(aggregate),
      Buffer.from(noble.aggregateSignatures(chosen.map((i) => sigs[i]!)).toBytes(true)),
      `signers ${chosen}`,
    );
    const pks = chosen.map((i) => keys[i]!.publicKey);
    const nobleVerdict = nobleVerify(
      noble.aggregatePublicKeys(pks).toBytes(true),
      message,
      aggregate,
    );
    assert.equal(blsVerifyAggregate(pks, message, aggregate), nobleVerdict, `signers ${chosen}`);
    assert.equal(nobleVerdict, true);
    // One signer too many claimed: both refuse.
    const extra = keys.find((_, i) => !chosen.includes(i));
    if (extra)
      assert.equal(blsVerifyAggregate([...pks, extra.publicKey], message, aggregate), false);
  }
  assert.equal(blsVerifyAggregate([], message, sigs[0]!), false);
});

test('aggregating refuses bytes that are not a signature, as noble does', () => {
  const good = blsSign(generateBlsKeyPair().secretKey, randomBytes(20));
  for (const bad of [randomBytes(96), new Uint8Array(96), randomBytes(95)]) {
    assert.throws(() => noble.aggregateSignatures([good, bad]));
    assert.throws(() => blsAggregateSignatures([good, bad]));
  }
  assert.throws(() => blsAggregateSignatures([]), RangeError);
});

test("a signature under Ethereum's proof-of-possession tag does not verify under Walrus's", () => {
  // Why @chainsafe/blst (which fixes this tag) cannot sign or verify Walrus confirmations.
  const k = generateBlsKeyPair();
  const message = randomBytes(41);
  const pop = noble
    .sign(noble.hash(message, 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_'), k.secretKey)
    .toBytes(true);
  assert.notDeepEqual(pop, blsSign(k.secretKey, message));
  assert.equal(blsVerify(k.publicKey, message, pop), false);
});

test("mcl's signatures are noble's, byte for byte, and fastcrypto accepts them", async () => {
  const mcl = await mclSigner();
  for (let i = 0; i < 24; i++) {
    const k = generateBlsKeyPair();
    // Lengths around SHA-256's block and expand_message_xmd's boundaries, and empty.
    const message = randomBytes([0, 1, 31, 32, 33, 63, 64, 65, 119, 255, 256, 1000][i % 12]!);
    const sig = mcl(k.secretKey, message);
    assert.deepEqual(Buffer.from(sig), Buffer.from(nobleSign(k.secretKey, message)), `pair ${i}`);
    assert.equal(blsVerify(k.publicKey, message, sig), true);
    assert.equal(blsVerify(k.publicKey, randomBytes(message.length + 1), sig), false);
  }
  // The scalar is cached per key: a second key with the same message signs differently.
  const [a, b] = [generateBlsKeyPair(), generateBlsKeyPair()];
  const m = randomBytes(40);
  assert.deepEqual(Buffer.from(mcl(a.secretKey, m)), Buffer.from(nobleSign(a.secretKey, m)));
  assert.deepEqual(Buffer.from(mcl(b.secretKey, m)), Buffer.from(nobleSign(b.secretKey, m)));
});

test('blsSign is noble until fast signing is loaded, then mcl, with the same bytes', async () => {
  const k = generateBlsKeyPair();
  const message = randomBytes(77);
  const before = blsSign(k.secretKey, message);
  assert.deepEqual(Buffer.from(before), Buffer.from(nobleSign(k.secretKey, message)));
  assert.equal(blsSigningLibrary(), '@noble/curves');
  assert.equal(await loadFastSigning(), true);
  assert.equal(blsSigningLibrary(), 'mcl-wasm');
  assert.deepEqual(Buffer.from(blsSign(k.secretKey, message)), Buffer.from(before));
});
