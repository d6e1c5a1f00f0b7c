import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../../core/api/daemon.js';
import { call } from './fixture.js';

const SMALL = { nodes: 4, nShards: 10 };

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
  const start = async (dataDir: string) => {
    const d = await startDaemon({ dataDir, localnet: SMALL, keyPassphrase: 'test' });
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
    await again.stop();
    running.pop();

    // A second machine on the same network knows only the phrase.
    const home2 = join(dir, 'two');
    await cp(join(home1, 'localnet'), join(home2, 'localnet'), { recursive: true });
    const two = await start(home2);
    const bad = await call(two, 'POST', '/api/account/restore', {
      body: { phrase: 'nine words that are not a recovery phrase at all' },
    });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /not a valid recovery phrase/);
    const restored = await call(two, 'POST', '/api/account/restore', {
      body: { phrase: created.phrase },
    });
    assert.equal(restored.status, 200, restored.text);
    assert.deepEqual(restored.json, { account: created.address, restored: 1 });
    const folders = (await call(two, 'GET', '/api/folders')).json as {
      folders: { path: string }[];
    };
    assert.deepEqual(
      folders.folders.map((f) => f.path),
      [src],
      'folders come back with the index',
    );
  } finally {
    for (const d of running) await d.stop();
    if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    await rm(dir, { recursive: true, force: true });
  }
});
