/**
 * Where the recovery phrase lives on this machine after `floe init` or a restore: the
 * OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux)
 * through keytar. A headless server has no keychain service; there the phrase goes into
 * a file encrypted under a passphrase (scrypt), and Floe says so plainly.
 */
import { scryptSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { open, seal } from './crypto.js';

export interface SecretStore {
  readonly kind: 'keychain' | 'file';
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
}

const SERVICE = 'Floe';

export class KeychainUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `no OS keychain is available (${(cause as Error)?.message ?? cause}). On a server without a desktop session, ` +
        'keep the secret in an encrypted key file instead: set FLOE_KEY_PASSPHRASE (or pass --passphrase) and run again',
    );
    this.name = 'KeychainUnavailableError';
  }
}

export class WrongPassphraseError extends Error {
  constructor(path: string) {
    super(`the passphrase does not open the key file ${path}`);
    this.name = 'WrongPassphraseError';
  }
}

/** The calls Floe makes into keytar. */
interface Keytar {
  findCredentials(service: string): Promise<{ account: string; password: string }[]>;
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/**
 * keytar is an optional dependency: npm leaves it out where it cannot build (on Linux it
 * needs libsecret-1-dev), so it is imported by a name TypeScript does not resolve.
 */
const KEYTAR: string = 'keytar';

/** The OS keychain via keytar; probing it once tells whether a keychain service runs. */
export async function openKeychain(): Promise<SecretStore> {
  let keytar: Keytar;
  try {
    const mod = (await import(KEYTAR).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      throw new Error(
        'keytar is not installed: it did not build at npm install (on Debian/Ubuntu it needs libsecret-1-dev)',
      );
    })) as Keytar & { default?: Keytar };
    keytar = mod.default ?? mod;
    await keytar.findCredentials(SERVICE);
  } catch (error) {
    throw new KeychainUnavailableError(error);
  }
  return {
    kind: 'keychain',
    get: (account) => keytar.getPassword(SERVICE, account),
    set: (account, secret) => keytar.setPassword(SERVICE, account, secret),
    delete: async (account) => {
      await keytar.deletePassword(SERVICE, account);
    },
  };
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const FILE_AAD = new TextEncoder().encode('floe-keyfile-v1');

/**
 * A JSON file of secrets sealed under a key stretched from the passphrase with scrypt
 * (N = 2^15: about 100 ms here, so guessing passphrases offline is slow).
 */
export function openKeyFile(path: string, passphrase: string): SecretStore {
  const load = async (): Promise<Record<string, string>> => {
    const raw = await readFile(path, 'utf8').catch(() => null);
    if (raw === null) return {};
    const doc = JSON.parse(raw) as { v: number; salt: string; sealed: string };
    const key = scryptSync(passphrase, Buffer.from(doc.salt, 'base64'), 32, SCRYPT);
    try {
      return JSON.parse(
        new TextDecoder().decode(
          open(key, Buffer.from(doc.sealed, 'base64'), 'key file', FILE_AAD),
        ),
      ) as Record<string, string>;
    } catch {
      throw new WrongPassphraseError(path);
    }
  };
  const save = async (secrets: Record<string, string>) => {
    const salt = randomBytes(16);
    const key = scryptSync(passphrase, salt, 32, SCRYPT);
    const sealed = seal(key, new TextEncoder().encode(JSON.stringify(secrets)), FILE_AAD);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    await writeFile(
      tmp,
      JSON.stringify({
        v: 1,
        salt: salt.toString('base64'),
        sealed: Buffer.from(sealed).toString('base64'),
      }),
      { mode: 0o600 },
    );
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  };
  return {
    kind: 'file',
    get: async (account) => (await load())[account] ?? null,
    set: async (account, secret) => save({ ...(await load()), [account]: secret }),
    delete: async (account) => {
      const secrets = await load();
      delete secrets[account];
      if (Object.keys(secrets).length === 0) await rm(path, { force: true });
      else await save(secrets);
    },
  };
}

/** The keychain when there is one; otherwise the key file, which needs a passphrase. */
export async function openSecretStore(
  keyFilePath: string,
  passphrase?: string,
): Promise<SecretStore> {
  try {
    return await openKeychain();
  } catch (error) {
    if (passphrase) return openKeyFile(keyFilePath, passphrase);
    throw error;
  }
}
