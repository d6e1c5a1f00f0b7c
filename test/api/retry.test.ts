import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../core/api/daemon.js';
import type { FolderRow } from '../../core/index/index.js';
import { overallState } from '../../core/sync/overall-state.js';
import type { FloeStatus } from '../../core/sync/status.js';
import type { Problem } from '../../core/sync/problems.js';
import { startLocalnetProcess, type LocalnetProcess } from '../support/localnet-process.js';
import { call } from './fixture.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>) {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('an edit made while the network is down lands in a snapshot as soon as it is back, and nothing says "synced" meanwhile', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-retry-'));
  const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  const home = join(dir, 'home');
  const port = String(await freePort());
  let net: LocalnetProcess | null = await startLocalnetProcess(join(home, 'localnet'), [
    '--port',
    port,
  ]);
  const daemon = await startDaemon({ dataDir: home, keyPassphrase: 'test' });
  try {
    const src = join(dir, 'Documents');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'first');
    const created = (await call(daemon, 'POST', '/api/account/create', { body: {} })).json as {
      phrase: string;
    };
    await call(daemon, 'POST', '/api/account/confirm', { body: { phrase: created.phrase } });
    await call(daemon, 'POST', '/api/folders', { body: { path: src } });
    const snapshots = async () =>
      ((await call(daemon, 'GET', '/api/snapshots')).json as { snapshots: unknown[] }).snapshots
        .length;
    await until('the first snapshot', async () => (await snapshots()) === 1);
    const folder = async () =>
      ((await call(daemon, 'GET', '/api/folders')).json as { folders: FolderRow[] }).folders[0]!;
    await until('the folder idle', async () => (await folder()).state === 'idle');

    // The network goes away; the user edits a file.
    await net.stop();
    net = null;
    await writeFile(join(src, 'a.txt'), 'second, written while offline');
    const offline = await until('the folder offline', async () => {
      const f = await folder();
      return f.state === 'offline' ? f : null;
    });
    assert.equal(offline.dirty, true, 'the edit is remembered as unsaved');
    assert.ok(offline.detail.retry, 'the next attempt is scheduled');
    const status = (await call(daemon, 'GET', '/api/status')).json as FloeStatus & {
      paused: boolean;
    };
    const view = overallState({
      status,
      progress: null,
      engineUnreachable: false,
      paused: false,
      now: Date.now(),
    });
    assert.notEqual(view.state, 'synced', `the overall state says ${view.headline}`);
    const problems = async () =>
      ((await call(daemon, 'GET', '/api/problems')).json as { problems: Problem[] }).problems;
    const down = await until('the problem listed', async () => {
      const list = await problems();
      return list.some((p) => p.key === 'network' && p.resolvedAt === null) ? list : null;
    });
    assert.equal(
      down.filter((p) => p.key === 'network').length,
      1,
      'one entry for the condition, however often it failed',
    );

    // Back: the retry runs without waiting for the hourly rescan.
    net = await startLocalnetProcess(join(home, 'localnet'), ['--port', port]);
    await until('a snapshot holding the edit', async () => (await snapshots()) === 2);
    const after = await until('the folder saved', async () => {
      const f = await folder();
      return f.state === 'idle' && !f.dirty ? f : null;
    });
    assert.equal(after.lastError, null);
    const resolved = (await problems()).find((p) => p.key === 'network')!;
    assert.notEqual(resolved.resolvedAt, null, 'the network answering resolves it');
  } finally {
    await daemon.stop();
    await net?.stop();
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
    await rm(dir, { recursive: true, force: true });
  }
});
