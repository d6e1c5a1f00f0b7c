import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../../core/api/daemon.js';
import { Localnet } from '../../core/localnet/network.js';
import type { FolderRow } from '../../core/index/index.js';
import { generateRecoveryPhrase } from '../../core/repo/keys.js';
import { call } from './fixture.js';

async function until<T>(what: string, probe: () => Promise<T | null | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('first run through the API: create and confirm an account, back up; a second machine restores from the phrase', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-daemon-'));
  const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  const running: Daemon[] = [];
  // Both machines on one network of this test's own.
  const net = await Localnet.start({ dir: join(dir, 'network'), nodes: 4, nShards: 10 });
  const start = async (dataDir: string) => {
    const d = await startDaemon({ dataDir, localnetUrl: net.url, keyPassphrase: 'test' });
    running.push(d);
    return d;
  };
  try {
    const home1 = join(dir, 'one');
    const src = join(dir, 'Documents');
    await mkdir(src);
    await writeFile(join(src, 'hello.txt'), 'hello from machine one');
    const one = await start(home1);

    assert.equal((await call(one, 'GET', '/api/status')).status, 409, 'no account yet');
    assert.deepEqual((await call(one, 'GET', '/api/account')).json, {
      account: null,
      pending: false,
      network: 'localnet',
    });
    assert.equal(
      (await call(one, 'POST', '/api/account/confirm', { body: { phrase: 'x' } })).status,
      409,
    );
    const created = (await call(one, 'POST', '/api/account/create', { body: {} })).json as {
      phrase: string;
      address: string;
    };
    assert.equal(created.phrase.split(' ').length, 24);
    const words = created.phrase.split(' ');
    const swapped = [words[1], words[0], ...words.slice(2)].join(' ');
    assert.equal(
      (await call(one, 'POST', '/api/account/confirm', { body: { phrase: swapped } })).status,
      400,
    );
    assert.equal((await call(one, 'GET', '/api/account')).json!.constructor, Object);
    const confirmed = await call(one, 'POST', '/api/account/confirm', {
      body: { phrase: ` ${created.phrase.toUpperCase()} ` },
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal((confirmed.json as { account: string }).account, created.address);
    assert.equal(
      (await call(one, 'POST', '/api/account/create', { body: {} })).status,
      409,
      'one account per machine',
    );

    assert.equal((await call(one, 'POST', '/api/folders', { body: { path: src } })).status, 201);
    await until('a snapshot', async () => {
      const r = await call(one, 'GET', '/api/snapshots');
      return (r.json as { snapshots: unknown[] }).snapshots.length > 0;
    });
    await one.stop();
    running.pop();

    // The same data directory again: the account is remembered and the engine starts at once.
    const again = await start(home1);
    assert.equal((await call(again, 'GET', '/api/status')).status, 200);
    // "Restart the engine now" (after a network change): the engine comes back by itself.
    const net = (await call(again, 'GET', '/api/network')).json as {
      running: string;
      restartable: boolean;
    };
    assert.deepEqual([net.running, net.restartable], ['localnet', true]);
    assert.equal((await call(again, 'POST', '/api/engine/restart', { body: {} })).status, 202);
    await until('the engine back', async () => {
      const r = await call(again, 'GET', '/api/folders');
      return r.status === 200 && (r.json as { folders: unknown[] }).folders.length === 1;
    });
    await again.stop();
    running.pop();

    // A second machine on the same network knows only the phrase.
    const home2 = join(dir, 'two');
    const two = await start(home2);
    const bad = await call(two, 'POST', '/api/account/restore', {
      body: { phrase: 'nine words that are not a recovery phrase at all' },
    });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /not a valid recovery phrase/);
    // A mistyped phrase whose checksum happens to be valid is another, empty account.
    const stranger = await call(two, 'POST', '/api/account/restore', {
      body: { phrase: generateRecoveryPhrase() },
    });
    assert.equal(stranger.status, 404, stranger.text);
    assert.match((stranger.json as { error: string }).error, /no Floe backups were found/);
    assert.equal(
      ((await call(two, 'GET', '/api/account')).json as { account: string | null }).account,
      null,
      'nothing was saved: the words can be checked and tried again',
    );

    // On the new machine the folder's path exists but is empty (a fresh home).
    await rm(src, { recursive: true });
    await mkdir(src);
    const restored = await call(two, 'POST', '/api/account/restore', {
      body: { phrase: created.phrase },
    });
    assert.equal(restored.status, 200, restored.text);
    assert.deepEqual(restored.json, { account: created.address, restored: 1 });
    const listFolders = async () =>
      ((await call(two, 'GET', '/api/folders')).json as { folders: FolderRow[] }).folders;
    const [back] = await listFolders();
    assert.equal(back!.path, src, 'folders come back with the index');
    assert.equal(back!.state, 'not-restored');
    // The engine runs, and backs up nothing of a folder not yet restored.
    await two.ready();
    await new Promise((r) => setTimeout(r, 3_000));
    const count = async () =>
      ((await call(two, 'GET', '/api/snapshots')).json as { snapshots: unknown[] }).snapshots
        .length;
    assert.equal(await count(), 1, 'no empty snapshot over the newest one');

    // "Restore it here": the folder comes back, and is backed up from there on.
    const job = await call(two, 'POST', `/api/folders/${back!.id}/restore`, { body: {} });
    assert.equal(job.status, 202, job.text);
    await until('the folder restored', async () => (await listFolders())[0]!.state === 'idle');
    assert.equal(await readFile(join(src, 'hello.txt'), 'utf8'), 'hello from machine one');
    await writeFile(join(src, 'new.txt'), 'written on machine two');
    await until('a snapshot from machine two', async () => (await count()) === 2);

    // A phrase with no backups starts a new account when the user asks for that.
    const three = await start(join(dir, 'three'));
    const fresh = await call(three, 'POST', '/api/account/restore', {
      body: { phrase: generateRecoveryPhrase(), startNew: true },
    });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal((fresh.json as { restored: number }).restored, 0);
  } finally {
    for (const d of running) await d.stop();
    await net.stop();
    if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    await rm(dir, { recursive: true, force: true });
  }
});
