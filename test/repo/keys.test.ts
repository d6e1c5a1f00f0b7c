import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { mnemonicToSeedSync } from '@scure/bip39';
import {
  InvalidRecoveryPhraseError,
  bip39Seed,
  deriveKeys,
  generateRecoveryPhrase,
  packKey,
} from '../../core/repo/keys.js';

// BIP39's all-zero-entropy 24-word test phrase.
const ZERO_PHRASE = Array(23).fill('abandon').concat('art').join(' ');
// Recorded when the derivation was written; a regression guard, not an external vector.
const PINNED_ZERO_MASTER = '871211bcbfdb15fccacaf61609e1d18d7c00a9b5b67d58354b97abd46625e36a';

test('a new phrase has 24 words and derives the same keys every time', () => {
  const phrase = generateRecoveryPhrase();
  assert.equal(phrase.split(' ').length, 24);
  const a = deriveKeys(phrase);
  const b = deriveKeys(`  ${phrase.toUpperCase().replaceAll(' ', '   ')} `);
  assert.equal(a.address, b.address);
  assert.deepEqual(a.masterKey, b.masterKey);
  assert.notEqual(deriveKeys(generateRecoveryPhrase()).address, a.address);
});

test("the account is the one a Sui wallet derives (m/44'/784'/0'/0'/0')", () => {
  // Sui's published Ed25519 test vector: a wallet restores this phrase to this address.
  const phrase =
    'film crazy soon outside stand loop subway crumble thrive popular green nuclear struggle pistol arm wife phrase warfare march wheat nephew ask sunny firm';
  assert.equal(
    deriveKeys(phrase).address,
    '0xa2d14fad60c56049ecf75246a481934691214ce413e6a8ae2fe6834c173a6133',
  );
});

test('the master key is pinned: changing the derivation would strand existing backups', () => {
  assert.equal(Buffer.from(deriveKeys(ZERO_PHRASE).masterKey).toString('hex'), PINNED_ZERO_MASTER);
});

test('the BIP39 seed equals @scure/bip39 and the account equals what Sui derives from the phrase', () => {
  for (const phrase of [ZERO_PHRASE, generateRecoveryPhrase(), generateRecoveryPhrase()]) {
    assert.deepEqual(bip39Seed(phrase), mnemonicToSeedSync(phrase));
    assert.equal(deriveKeys(phrase).address, Ed25519Keypair.deriveKeypair(phrase).toSuiAddress());
  }
});

test('every purpose gets its own key', () => {
  const keys = deriveKeys(ZERO_PHRASE);
  const all = [
    keys.masterKey,
    keys.chunkIdKey,
    keys.metadataKey,
    packKey(keys, new Uint8Array(32)),
    packKey(keys, new Uint8Array(32).fill(1)),
  ];
  assert.equal(new Set(all.map((k) => Buffer.from(k).toString('hex'))).size, all.length);
  for (const k of all) assert.equal(k.length, 32);
});

test('a mistyped phrase is refused with a reason, never turned into other keys', () => {
  assert.throws(() => deriveKeys('abandon abandon'), /2 words, not 24/);
  assert.throws(() => deriveKeys(ZERO_PHRASE.replace('art', 'artz')), /"artz" is not a BIP39 word/);
  assert.throws(() => deriveKeys(ZERO_PHRASE.replace('art', 'zoo')), InvalidRecoveryPhraseError);
});
