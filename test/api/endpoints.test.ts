import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiServer } from '../../core/api/server.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { call, startStack, type Stack } from './fixture.js';

/** `café.txt` in Latin-1: not UTF-8, so its text form escapes the é byte. */
const LATIN1_NAME = Buffer.from('caf\xe9.txt', 'latin1');

describe('the API over a running engine', () => {
  let s: Stack;
  let src: string;
  const api = (method: string, path: string, body?: unknown) =>
    call(s.api, method, path, body === undefined ? {} : { body });
  const ok = async (method: string, path: string, body?: unknown) => {
    const a = await api(method, path, body);
    assert.ok(a.status < 300, `${method} ${path}: ${a.status} ${a.text}`);
    return a.json;
  };
  const newestSnapshot = async () => (await ok('GET', '/api/snapshots')).snapshots[0];
  const waitForJob = async (id: string) => {
    for (;;) {
      const job = await ok('GET', `/api/restores/${id}`);
      if (job.state !== 'running') return job;
      await sleep(50);
    }
  };

  before(async () => {
    s = await startStack({ startEngine: true });
    src = join(s.dir, 'folders', 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await mkdir(join(src, 'a%b'));
    await writeFile(join(src, 'hello.txt'), 'hello');
    await writeFile(join(src, 'sub', 'deep.txt'), 'deep');
    await writeFile(join(src, 'a%b', 'x.txt'), 'x');
    await writeFile(Buffer.concat([Buffer.from(src + '/'), LATIN1_NAME]), 'latin');
    // Two names that differ only in a byte that is not UTF-8: both decode to "f\ufffd".
    await writeFile(Buffer.concat([Buffer.from(src + '/f'), Buffer.from([0xfe])]), 'fe');
    await writeFile(Buffer.concat([Buffer.from(src + '/f'), Buffer.from([0xff])]), 'ff');
  });
  after(() => s.close());

  test('status reports folders, the last snapshot, storage and whether the engine is paused', async () => {
    const status = await ok('GET', '/api/status');
    assert.deepEqual(status.folders, []);
    assert.equal(status.paused, false);
    assert.equal(status.lastSnapshot, null, 'no folders yet: nothing to snapshot');
    assert.equal(status.storage.epoch, 1);
    assert.match(status.storage.walFrost, /^\d+$/);
  });

  test('a folder added through the API is saved, watched and backed up', async () => {
    const backedUp = once(s.engine, 'backup');
    const a = await api('POST', '/api/folders', { path: src });
    assert.equal(a.status, 201);
    assert.equal(a.json.path, src);
    const [result] = await backedUp;
    assert.deepEqual(
      result.snapshot.roots.map((r: { path: string }) => r.path),
      [src],
    );
    assert.deepEqual(
      (await ok('GET', '/api/folders')).folders.map((f: { path: string }) => f.path),
      [src],
    );
  });

  test('a folder already chosen, or inside one, is refused with 409', async () => {
    assert.equal((await api('POST', '/api/folders', { path: src })).status, 409);
    assert.equal((await api('POST', '/api/folders', { path: join(src, 'sub') })).status, 409);
    assert.equal((await ok('GET', '/api/folders')).folders.length, 1);
  });

  test('POST /api/backup backs up now', async () => {
    await s.engine.settled();
    const before = (await ok('GET', '/api/snapshots')).snapshots.length;
    await writeFile(join(src, 'new.txt'), 'new');
    const backedUp = once(s.engine, 'backup');
    assert.deepEqual(await ok('POST', '/api/backup'), { requested: true });
    await backedUp;
    await s.engine.settled();
    assert.ok((await ok('GET', '/api/snapshots')).snapshots.length > before);
  });

  test('snapshots are listed newest first, with their folders and stats', async () => {
    const { snapshots } = await ok('GET', '/api/snapshots');
    const times = snapshots.map((x: { time: string }) => x.time);
    assert.deepEqual(times, times.toSorted().reverse());
    assert.deepEqual(snapshots[0].folders, [src]);
    assert.equal(snapshots[0].retained, true);
    assert.equal(typeof snapshots[0].stats.files, 'number');
  });

  test("a snapshot's tree lists one directory, non-UTF-8 names escaped losslessly", async () => {
    const { id } = await newestSnapshot();
    const root = await ok('GET', `/api/snapshots/${id}/tree`);
    assert.equal(root.folder, src);
    assert.equal(root.path, '');
    const byName = new Map(root.entries.map((e: { name: string }) => [e.name, e]));
    assert.deepEqual([...byName.keys()].sort(), [
      'a%25b',
      'caf%E9.txt',
      'f%FE',
      'f%FF',
      'hello.txt',
      'new.txt',
      'sub',
    ]);
    assert.equal((byName.get('hello.txt') as { size: number }).size, 5);
    assert.equal((byName.get('sub') as { type: string }).type, 'dir');

    const sub = await ok('GET', `/api/snapshots/${id}/tree?path=sub`);
    assert.deepEqual(
      sub.entries.map((e: { name: string }) => e.name),
      ['deep.txt'],
    );
    // The text form 'a%25b', URL-encoded.
    const pct = await ok('GET', `/api/snapshots/${id}/tree?path=${encodeURIComponent('a%25b')}`);
    assert.equal(pct.path, 'a%25b');
    assert.deepEqual(
      pct.entries.map((e: { name: string }) => e.name),
      ['x.txt'],
    );
  });

  test('browsing a path that is not a folder of the snapshot is refused', async () => {
    const { id } = await newestSnapshot();
    assert.equal((await api('GET', `/api/snapshots/${id}/tree?path=nope`)).status, 404);
    assert.equal((await api('GET', `/api/snapshots/${id}/tree?path=hello.txt`)).status, 404);
    assert.equal((await api('GET', `/api/snapshots/${id}/tree?folder=/elsewhere`)).status, 404);
    assert.equal((await api('GET', '/api/snapshots/0000/tree')).status, 404);
    const up = await api('GET', `/api/snapshots/${id}/tree?path=sub/../..`);
    assert.equal(up.status, 400);
    assert.equal(up.json.field, 'path');
    assert.equal((await api('GET', `/api/snapshots/${id}/tree?path=%25zz`)).json.field, 'path');
  });

  test('a restore job restores the whole folder to disk', async () => {
    const { id } = await newestSnapshot();
    const target = join(s.dir, 'restored-all');
    const a = await api('POST', '/api/restores', { snapshot: id, target });
    assert.equal(a.status, 202);
    assert.equal(a.json.state, 'running');
    const job = await waitForJob(a.json.id);
    assert.equal(job.state, 'done', job.error);
    assert.equal(job.result.files, 7);
    assert.equal(job.progress.filesDone, 7);
    assert.equal(await readFile(join(target, 'hello.txt'), 'utf8'), 'hello');
    assert.equal(await readFile(join(target, 'sub', 'deep.txt'), 'utf8'), 'deep');
    assert.equal(await readFile(join(target, 'a%b', 'x.txt'), 'utf8'), 'x');
    const names = await readdir(Buffer.from(target), { encoding: 'buffer' });
    assert.ok(
      names.some((n) => n.equals(LATIN1_NAME)),
      'the Latin-1 name came back byte for byte',
    );
  });

  test('a restore job restores one file named in the text form', async () => {
    const { id } = await newestSnapshot();
    const target = join(s.dir, 'restored-one');
    const a = await api('POST', '/api/restores', { snapshot: id, path: 'caf%E9.txt', target });
    const job = await waitForJob(a.json.id);
    assert.equal(job.state, 'done', job.error);
    assert.equal(job.path, 'caf%E9.txt');
    const names = await readdir(Buffer.from(target), { encoding: 'buffer' });
    assert.deepEqual(names, [LATIN1_NAME]);
    assert.equal(
      await readFile(Buffer.concat([Buffer.from(target + '/'), LATIN1_NAME]), 'utf8'),
      'latin',
    );
  });

  test('of two names that differ only in a non-UTF-8 byte, exactly the one asked for is restored', async () => {
    const { id } = await newestSnapshot();
    const target = join(s.dir, 'restored-ff');
    const a = await api('POST', '/api/restores', { snapshot: id, path: 'f%FF', target });
    const job = await waitForJob(a.json.id);
    assert.equal(job.state, 'done', job.error);
    const names = await readdir(Buffer.from(target), { encoding: 'buffer' });
    assert.deepEqual(names, [Buffer.from([0x66, 0xff])]);
    assert.equal(
      await readFile(Buffer.concat([Buffer.from(target + '/'), names[0]!]), 'utf8'),
      'ff',
    );
  });

  test('a restore of a path or snapshot that does not exist starts no job', async () => {
    const { id } = await newestSnapshot();
    const target = join(s.dir, 'never');
    assert.equal(
      (await api('POST', '/api/restores', { snapshot: id, path: 'nope', target })).status,
      404,
    );
    assert.equal((await api('POST', '/api/restores', { snapshot: 'f00', target })).status, 404);
    assert.equal((await api('GET', '/api/restores/f00')).status, 404);
    await assert.rejects(readdir(target), { code: 'ENOENT' });
  });

  test('a paused folder is left out of backups until it is resumed', async () => {
    const [folder] = (await ok('GET', '/api/folders')).folders;
    const paused = await ok('POST', `/api/folders/${folder.id}/pause`);
    assert.equal(paused.paused, true);
    assert.equal(paused.state, 'paused');
    const before = (await ok('GET', '/api/status')).lastSnapshot;
    const idle = once(s.engine, 'idle');
    await ok('POST', '/api/backup');
    await idle;
    assert.deepEqual(
      (await ok('GET', '/api/status')).lastSnapshot,
      before,
      'nothing is scanned or stored while the only folder is paused',
    );

    const resumedBackup = once(s.engine, 'backup');
    const resumed = await ok('POST', `/api/folders/${folder.id}/resume`);
    assert.equal(resumed.paused, false);
    const [after] = await resumedBackup;
    assert.deepEqual(
      after.snapshot.roots.map((r: { path: string }) => r.path),
      [src],
    );
    await s.engine.settled();
  });

  test('the whole engine pauses and resumes through the API', async () => {
    assert.deepEqual(await ok('POST', '/api/pause'), { paused: true });
    assert.equal(s.engine.paused, true);
    assert.equal((await ok('GET', '/api/status')).paused, true);
    assert.equal((await api('POST', '/api/backup')).status, 409);
    const idle = once(s.engine, 'idle');
    assert.deepEqual(await ok('POST', '/api/resume'), { paused: false });
    await idle;
    assert.equal((await ok('GET', '/api/status')).paused, false);
  });

  test('POST /api/backup is refused with 409 while the engine is paused', async () => {
    s.engine.paused = true;
    try {
      assert.equal((await api('POST', '/api/backup')).status, 409);
    } finally {
      s.engine.paused = false;
    }
  });

  test('settings round-trip: a PUT changes the fields it names and keeps the others', async () => {
    const defaults = await ok('GET', '/api/settings');
    assert.equal(defaults.network, 'localnet');
    assert.equal(defaults.startAtLogin, false);
    const changes = {
      retention: { last: 3, daily: 7 },
      startAtLogin: true,
      packMaxWaitMs: 5_000,
      excludes: { presets: ['nodeModules'], patterns: ['*.iso', 'build/'] },
      uploadRelayUrl: 'https://upload-relay.example.com',
      uploadRelayMaxTipMist: 2_000_000,
    };
    const updated = await ok('PUT', '/api/settings', changes);
    assert.deepEqual(updated, { ...defaults, ...changes });
    assert.deepEqual(await ok('GET', '/api/settings'), updated);
  });

  test('the renewals view lists the live blobs by expiry, the cost per epoch and the balance', async () => {
    const view = await ok('GET', '/api/renewals');
    assert.ok(view.blobs.length > 0);
    const ends = view.blobs.map((b: { endEpoch: number }) => b.endEpoch);
    assert.deepEqual(
      ends,
      ends.toSorted((x: number, y: number) => x - y),
    );
    assert.ok(
      view.blobs.every((b: { kind: string }) => ['pack', 'index', 'snapshot'].includes(b.kind)),
    );
    assert.equal(view.storage.liveBlobs, view.blobs.length);
    assert.ok(BigInt(view.storage.costPerEpochFrost) > 0n);
    assert.ok(BigInt(view.storage.walFrost) > 0n);
    assert.deepEqual(view.policy, { windowEpochs: 2, termEpochs: 5 });
    assert.ok(Array.isArray(view.log));
  });

  test('a renewal dry run changes nothing; a real run under the set policy extends and logs', async () => {
    await ok('PUT', '/api/settings', { renewal: { windowEpochs: 5, termEpochs: 2 } });
    const before = await ok('GET', '/api/renewals');
    const dry = await ok('POST', '/api/renewals/run', { dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.equal(dry.extended, 0);
    const extends_ = dry.plan.filter((p: { action: string }) => p.action === 'extend');
    assert.equal(extends_.length, before.blobs.length, 'every live blob ends within 5 epochs');
    assert.ok(extends_.every((p: { epochs: number }) => p.epochs === 2));
    assert.deepEqual((await ok('GET', '/api/renewals')).blobs, before.blobs);
    assert.equal((await ok('GET', '/api/renewals')).log.length, before.log.length);

    const run = await ok('POST', '/api/renewals/run', {});
    assert.equal(run.extended, extends_.length);
    assert.deepEqual(run.errors, []);
    assert.ok(BigInt(run.costFrost) > 0n);
    const afterView = await ok('GET', '/api/renewals');
    const endBefore = new Map(
      before.blobs.map((b: { blobId: string; endEpoch: number }) => [b.blobId, b.endEpoch]),
    );
    for (const b of afterView.blobs)
      assert.equal(b.endEpoch, (endBefore.get(b.blobId) as number) + 2);
    assert.equal(afterView.log.length, before.log.length + run.extended);
    assert.equal(afterView.log[0].action, 'extend');
  });

  test('the network view shows the account, the epoch, prices and the committee', async () => {
    const net = await ok('GET', '/api/network');
    assert.equal(net.configured, 'localnet');
    assert.equal(net.address, s.keys.address);
    assert.equal(net.epoch, 1);
    assert.equal(net.committee.length, 4);
    assert.equal(
      net.committee.reduce((n: number, m: { shards: number }) => n + m.shards, 0),
      net.nShards,
    );
  });

  test('a removed folder is no longer backed up; its snapshots stay', async () => {
    const [folder] = (await ok('GET', '/api/folders')).folders;
    const snapshots = (await ok('GET', '/api/snapshots')).snapshots.length;
    const a = await ok('DELETE', `/api/folders/${folder.id}`);
    assert.equal(a.removed.path, src);
    assert.deepEqual((await ok('GET', '/api/folders')).folders, []);
    assert.equal((await ok('GET', '/api/snapshots')).snapshots.length, snapshots);
    assert.equal((await api('DELETE', `/api/folders/${folder.id}`)).status, 404);
  });

  test('when the chain cannot be reached, network answers are 503 and status says why', async () => {
    const dead = new WalrusClient({
      chain: new LocalChain('http://127.0.0.1:1', s.keys.account),
      pool: s.t.pool,
    });
    const offline = await ApiServer.start({
      engine: s.engine,
      index: s.index,
      client: dead,
      keys: s.keys,
      dataDir: join(s.dir, 'data'),
      network: 'localnet',
    });
    try {
      const net = await call(offline, 'GET', '/api/network');
      assert.equal(net.status, 503);
      assert.match(net.json.error, /cannot be reached/);
      assert.equal((await call(offline, 'GET', '/api/renewals')).status, 503);
      const status = await call(offline, 'GET', '/api/status');
      assert.equal(status.status, 200);
      assert.equal(status.json.storage, null);
      assert.match(status.json.networkError, /cannot be reached/);
    } finally {
      await offline.close();
    }
  });
});
