import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../core/api/daemon.js';
import { call } from './fixture.js';

test('before an account exists, onboarding names the network and the choice made with create is kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-network-choice-'));
  const daemon = await startDaemon({ dataDir: join(dir, 'data'), keyPassphrase: 'test' });
  try {
    const account = async () =>
      (await call(daemon, 'GET', '/api/account')).json as { network: string };
    assert.equal((await account()).network, 'localnet', 'the local test network by default');
    const bogus = await call(daemon, 'POST', '/api/account/create', { body: { network: 'moon' } });
    assert.equal(bogus.status, 400);
    assert.equal((await account()).network, 'localnet', 'a refused choice changes nothing');
    const created = await call(daemon, 'POST', '/api/account/create', {
      body: { network: 'testnet' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((await account()).network, 'testnet');
  } finally {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
