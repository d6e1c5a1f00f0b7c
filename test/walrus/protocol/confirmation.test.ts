import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  bls12381_min_pk_aggregate,
  bls12381_min_pk_verify,
  bls12381_min_pk_verify_aggregate,
} from '@mysten/walrus-wasm';
import {
  InvalidConfirmationError,
  blsAggregateSignatures,
  blsSign,
  blsVerify,
  blsVerifyAggregate,
  confirmationMessage,
  generateBlsKeyPair,
  parseConfirmationMessage,
} from '../../../core/walrus/protocol/index.js';

test('a permanent confirmation is intent, epoch, blob id and a zero persistence tag', () => {
  const bytes = confirmationMessage(21, new Uint8Array(32).fill(7), { deletable: false });
  const expected = Buffer.concat([
    Buffer.from([1, 0, 3, 21, 0, 0, 0]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
  ]);
  assert.deepEqual(Buffer.from(bytes), expected);
});

test('a deletable confirmation names the blob object', () => {
  const objectId = '0x' + 'ab'.repeat(32);
  const bytes = confirmationMessage(5, new Uint8Array(32), { deletable: true, objectId });
  assert.equal(bytes.length, 3 + 4 + 32 + 1 + 32);
  assert.equal(bytes[39], 1);
  assert.deepEqual(Buffer.from(bytes.subarray(40)), Buffer.alloc(32, 0xab));
  assert.deepEqual(parseConfirmationMessage(bytes).persistence, { deletable: true, objectId });
});

test('parsing refuses other intents and trailing bytes', () => {
  const good = confirmationMessage(1, randomBytes(32), { deletable: false });
  const otherIntent = Uint8Array.from(good);
  otherIntent[0] = 0;
  assert.throws(() => parseConfirmationMessage(otherIntent), InvalidConfirmationError);
  assert.throws(() => parseConfirmationMessage(Uint8Array.of(...good, 0)), /trailing bytes/);
  assert.deepEqual(parseConfirmationMessage(good).epoch, 1);
});

test('signatures are the bytes fastcrypto (walrus-wasm) verifies, and aggregate the same way', () => {
  const message = confirmationMessage(3, randomBytes(32), { deletable: false });
  const keys = [generateBlsKeyPair(), generateBlsKeyPair(), generateBlsKeyPair()];
  const sigs = keys.map((k) => blsSign(k.secretKey, message));
  for (const [i, k] of keys.entries()) {
    assert.equal(k.publicKey.length, 48);
    assert.equal(sigs[i]!.length, 96);
    assert.ok(bls12381_min_pk_verify(sigs[i]!, k.publicKey, message));
    assert.ok(blsVerify(k.publicKey, message, sigs[i]!));
  }
  const ours = blsAggregateSignatures(sigs);
  const theirs = bls12381_min_pk_aggregate(sigs.map((s) => Array.from(s)));
  assert.deepEqual(Buffer.from(ours), Buffer.from(theirs));
  const pks = keys.map((k) => k.publicKey);
  assert.ok(blsVerifyAggregate(pks, message, ours));
  assert.ok(
    bls12381_min_pk_verify_aggregate(
      pks.map((p) => Array.from(p)),
      message,
      ours,
    ),
  );
});

test('a wrong key, message or signature fails verification without throwing', () => {
  const message = confirmationMessage(3, randomBytes(32), { deletable: false });
  const a = generateBlsKeyPair();
  const b = generateBlsKeyPair();
  const sig = blsSign(a.secretKey, message);
  assert.equal(blsVerify(b.publicKey, message, sig), false);
  assert.equal(
    blsVerify(a.publicKey, confirmationMessage(4, randomBytes(32), { deletable: false }), sig),
    false,
  );
  assert.equal(blsVerify(a.publicKey, message, randomBytes(96)), false);
  assert.equal(
    blsVerifyAggregate(
      [a.publicKey],
      message,
      blsAggregateSignatures([sig, blsSign(b.secretKey, message)]),
    ),
    false,
  );
  assert.equal(blsVerifyAggregate([], message, sig), false);
});
