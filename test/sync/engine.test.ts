import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';
import { Engine } from '../../core/sync/engine.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { startTestNetwork } from '../support/localnet.js';

test('the engine backs up at start, again on a change, and renews after an epoch change', async () => {
  const t = await startTestNetwork();
  const dir = await mkdtemp(join(tmpdir(), 'floe-engine-'));
  const keys = deriveKeys(generateRecoveryPhrase());
  const chain = new LocalChain(t.net.url, keys.account);
  await chain.faucet(chain.address);
  const client = new WalrusClient({ chain, pool: t.pool });
  const src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'first.txt'), 'one');
  const index = Index.open(join(dir, 'index.db'));
  index.addFolder(src);
  const engine = new Engine({
    index,
    keys,
    client,
    epochs: 3,
    debounceMs: 100,
    epochPollMs: 100,
  });
  const failures: string[] = [];
  engine.on('failure', (f) => failures.push(f.message));
  try {
    const firstBackup = once(engine, 'backup');
    const firstRenewal = once(engine, 'renewal');
    await engine.start();
    await firstRenewal;
    const [first] = await firstBackup;
    assert.equal(first.files, 1);

    const changed = once(engine, 'backup');
    await writeFile(join(src, 'second.txt'), 'two');
    const [second] = await changed;
    assert.equal(second.files, 1, 'only the new file was read');

    const renewed = once(engine, 'renewal');
    t.net.ledger.advanceEpoch();
    const [report] = await renewed;
    assert.equal(report.epoch, 2);

    const [newest] = await findSnapshots(client, keys);
    await restoreSnapshot(client, keys, newest!.snapshot, { target: join(dir, 'out') });
    assert.equal(await readFile(join(dir, 'out', 'second.txt'), 'utf8'), 'two');
    assert.deepEqual(failures, []);
  } finally {
    await engine.stop();
    index.close();
    await rm(dir, { recursive: true, force: true });
    await t.close();
  }
});
