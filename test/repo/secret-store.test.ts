import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KeychainUnavailableError,
  openKeyFile,
  openSecretStore,
  WrongPassphraseError,
} from '../../core/repo/secret-store.js';

const PHRASE = 'word '.repeat(24).trim();

test('the key file keeps secrets sealed under the passphrase, readable only by its owner', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-keys-'));
  try {
    const path = join(dir, 'keys.json');
    const store = openKeyFile(path, 'correct horse');
    await store.set('0xabc', PHRASE);
    assert.equal(await store.get('0xabc'), PHRASE);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await readFile(path, 'utf8')).includes('word'), false);
    await assert.rejects(openKeyFile(path, 'wrong').get('0xabc'), WrongPassphraseError);
    await store.delete('0xabc');
    assert.equal(await store.get('0xabc'), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('without a keychain service the error says what to do, and a passphrase selects the key file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-keys-'));
  const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  try {
    await assert.rejects(
      openSecretStore(join(dir, 'keys.json')),
      (e: unknown) =>
        e instanceof KeychainUnavailableError && /FLOE_KEY_PASSPHRASE/.test((e as Error).message),
    );
    const store = await openSecretStore(join(dir, 'keys.json'), 'pass');
    assert.equal(store.kind, 'file');
  } finally {
    if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    await rm(dir, { recursive: true, force: true });
  }
});

const hasKeyring =
  spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'])
    .status === 0;
/** keytar is optional: npm leaves it out where it cannot build (no libsecret-1-dev). */
const KEYTAR: string = 'keytar';
const hasKeytar = await import(KEYTAR).then(
  () => true,
  () => false,
);

test(
  'the OS keychain stores, returns and forgets the phrase (Secret Service via gnome-keyring)',
  {
    skip:
      (!hasKeyring && 'dbus-run-session or gnome-keyring is not installed') ||
      (!hasKeytar && 'keytar is not installed (it did not build at npm install)'),
  },
  async () => {
    const home = await mkdtemp(join(tmpdir(), 'floe-keyring-'));
    try {
      const run = spawnSync(
        'dbus-run-session',
        ['--', process.execPath, '--import', 'tsx', 'test/support/keychain-child.ts'],
        {
          encoding: 'utf8',
          env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: home },
          timeout: 30_000,
        },
      );
      const last = run.stdout.trim().split('\n').pop() ?? '';
      assert.deepEqual(
        JSON.parse(last),
        { kind: 'keychain', got: PHRASE, afterDelete: null },
        run.stderr,
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  },
);
