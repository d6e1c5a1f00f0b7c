/**
 * Everything Floe needs to know is derived from the 24-word recovery phrase:
 * - the account key, Ed25519 at Sui's path m/44'/784'/0'/0'/0' — the key a Sui wallet
 *   derives from the same phrase, so the phrase also opens the account in a wallet;
 * - the master key, HKDF-SHA256 over the BIP39 seed, from which every encryption and
 *   hashing key is derived under its own label, so no key ever serves two purposes.
 */
import { pbkdf2Sync } from 'node:crypto';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { generateMnemonic, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';

const encoder = new TextEncoder();
const label = (text: string) => encoder.encode(text);

export class InvalidRecoveryPhraseError extends Error {
  constructor(reason: string) {
    super(
      `this is not a valid recovery phrase: ${reason}. Check each word against the 24 you wrote down`,
    );
    this.name = 'InvalidRecoveryPhraseError';
  }
}

export class WrongRecoveryPhraseError extends Error {
  constructor(detail: string) {
    super(`this recovery phrase does not open these backups (${detail}); check it and try again`);
    this.name = 'WrongRecoveryPhraseError';
  }
}

export interface RepoKeys {
  account: Ed25519Keypair;
  /** Sui address of the account: the owner of every Floe blob. */
  address: string;
  /** Root of all symmetric keys; never used directly. */
  masterKey: Uint8Array;
  /** Keys the chunk ids (so ids reveal nothing about content). */
  chunkIdKey: Uint8Array;
  /** Encrypts snapshot and index blobs. */
  metadataKey: Uint8Array;
}

/** A fresh 24-word phrase (256 bits of entropy). */
export function generateRecoveryPhrase(): string {
  return generateMnemonic(wordlist, 256);
}

export function normalizePhrase(phrase: string): string {
  return phrase.trim().toLowerCase().split(/\s+/).join(' ');
}

export function deriveKeys(phrase: string): RepoKeys {
  const normalized = normalizePhrase(phrase);
  const words = normalized.split(' ');
  if (words.length !== 24)
    throw new InvalidRecoveryPhraseError(`it has ${words.length} words, not 24`);
  const unknown = words.find((w) => !wordlist.includes(w));
  if (unknown) throw new InvalidRecoveryPhraseError(`"${unknown}" is not a BIP39 word`);
  if (!validateMnemonic(normalized, wordlist))
    throw new InvalidRecoveryPhraseError(
      'its checksum does not match (a word is wrong or out of order)',
    );
  const seed = bip39Seed(normalized);
  const account = Ed25519Keypair.deriveKeypairFromSeed(seed);
  const masterKey = hkdf(sha256, seed, label('floe'), label('floe/v1/master'), 32);
  return {
    account,
    address: account.toSuiAddress(),
    masterKey,
    chunkIdKey: subKey(masterKey, 'floe/v1/chunk-id'),
    metadataKey: subKey(masterKey, 'floe/v1/metadata'),
  };
}

/**
 * The BIP39 seed: PBKDF2-HMAC-SHA512 over the phrase, salt "mnemonic", 2048 rounds, as
 * the standard defines it — in node:crypto, where @scure/bip39's JavaScript took about
 * 0.35 s of every command's CPU (twice, with the Sui key derived from the phrase too).
 */
export function bip39Seed(phrase: string): Uint8Array {
  return new Uint8Array(
    pbkdf2Sync(phrase.normalize('NFKD'), 'mnemonic'.normalize('NFKD'), 2048, 64, 'sha512'),
  );
}

export function subKey(masterKey: Uint8Array, purpose: string, salt?: Uint8Array): Uint8Array {
  return hkdf(sha256, masterKey, salt, label(purpose), 32);
}

/** Each pack is encrypted under its own key, so one leaked pack key exposes one pack. */
export function packKey(keys: RepoKeys, packId: Uint8Array): Uint8Array {
  return subKey(keys.masterKey, 'floe/v1/pack', packId);
}
