import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSettings } from '../../core/index/settings.js';
import { Engine } from '../../core/sync/engine.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { startTestAccount } from '../support/account.js';

test('the engine backs up at start, again on a change, and renews after an epoch change', async () => {
  const a = await startTestAccount();
  const { t, dir, keys, client, src, index } = a;
  await writeFile(join(src, 'first.txt'), 'one');
  const engine = new Engine({
    index,
    keys,
    client,
    settings: readSettings(index),
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
    await a.close();
  }
});
