import { readSettings } from '../../core/index/settings.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { Engine } from '../../core/sync/engine.js';
import { liveBlobIds, runRenewals } from '../../core/sync/renewals.js';
import { startTestAccount } from '../support/account.js';

test('over many epochs no live blob expires and forgotten ones stop being paid for', async () => {
  const a = await startTestAccount({ maxEpochsAhead: 6 });
  const { t, keys, chain, client, src, index } = a;
  try {
    await writeFile(join(src, 'a.bin'), randomBytes(50_000));
    // Blobs bought for two epochs only: renewal must keep them alive.
    const first = await runBackup({ index, keys, client, epochs: 2 });
    await writeFile(join(src, 'b.bin'), randomBytes(20_000));
    await runBackup({ index, keys, client, epochs: 2 });
    index.setSnapshotRetained(first.snapshot.id, false);
    const forgotten = first.snapshotBlobId;
    const live = liveBlobIds(index);
    assert.equal(live.has(forgotten), false);

    for (let round = 0; round < 12; round++) {
      const report = await runRenewals(client, index, { windowEpochs: 1, termEpochs: 3 });
      assert.deepEqual(report.errors, []);
      t.net.ledger.advanceEpoch();
      const { epoch } = await chain.systemState();
      for (const b of await client.listOwned()) {
        if (live.has(b.blobId))
          assert.ok(
            b.state === 'certified' && b.endEpoch > epoch,
            `live blob ${b.blobId} ${b.state} at epoch ${epoch}`,
          );
      }
    }
    const dead = (await client.listOwned()).find((b) => b.blobId === forgotten)!;
    assert.equal(dead.state, 'deleted', 'the forgotten snapshot was deleted, not renewed');
    const actions = index.renewals(500).map((r) => r.action);
    assert.ok(actions.includes('extend') && actions.includes('delete'));
  } finally {
    await a.close();
  }
});

test('a backup never deduplicates against a pack whose storage ends within the renewal window', async () => {
  const a = await startTestAccount();
  const { keys, client, src, index } = a;
  try {
    const data = randomBytes(40_000);
    await writeFile(join(src, 'a.bin'), data);
    // Two epochs: within the default two-epoch window from the start.
    await runBackup({ index, keys, client, epochs: 2 });
    await writeFile(join(src, 'copy-1.bin'), data);
    const soon = await runBackup({ index, keys, client, epochs: 5 });
    assert.ok(soon.newBytes >= data.length, `stored anew: ${soon.newBytes} new bytes`);
    // Now held by a pack that outlives the window: the next copy builds on it.
    await writeFile(join(src, 'copy-2.bin'), data);
    const later = await runBackup({ index, keys, client, epochs: 5 });
    assert.ok(later.dedupedBytes >= data.length, `${later.dedupedBytes} deduplicated`);
    assert.ok(later.newBytes < data.length, `${later.newBytes} new bytes`);
  } finally {
    await a.close();
  }
});

test('a short balance is logged as an error the user sees, and nothing is lost yet', async () => {
  const a = await startTestAccount();
  const { keys, chain, client, src, index } = a;
  try {
    await writeFile(join(src, 'a.bin'), randomBytes(10_000));
    await runBackup({ index, keys, client, epochs: 1 });
    const { wal } = await chain.balances(chain.address);
    await chain.execute({ kind: 'transfer_wal', to: '0x' + '1'.repeat(64), amount: wal });
    const report = await runRenewals(client, index);
    assert.ok(report.errors.length > 0);
    assert.match(report.errors[0]!, /InsufficientBalance|needs .* FROST/);
    assert.equal(index.renewals()[0]!.action, 'error');
  } finally {
    await a.close();
  }
});

test('on a localnet with 2-second epochs the engine keeps every live blob alive for many epochs', async () => {
  const a = await startTestAccount({
    autoAdvance: true,
    epochDurationMs: 2_000,
    maxEpochsAhead: 6,
  });
  const { t, keys, chain, client, src, index } = a;
  const expired: string[] = [];
  const unsubscribe = t.net.ledger.ledger.subscribe((type, data) => {
    if (type === 'BlobExpired') expired.push(data.blobId as string);
  });
  await writeFile(join(src, 'a.bin'), randomBytes(30_000));
  // A three-epoch window: a renewal that runs late on a loaded machine (the full suite on
  // two cores) still has two epochs to spare.
  index.setSetting('renewal', { windowEpochs: 3, termEpochs: 3 });
  // Blobs bought for three epochs: without renewal they would expire within six seconds.
  const engine = new Engine({
    index,
    keys,
    client,
    settings: readSettings(index),
    epochs: 3,
    epochPollMs: 100,
  });
  // Renewal must never fail; a backup that crosses an epoch change under load may, and is
  // retried by the engine (the backup event below proves one landed).
  const failures: string[] = [];
  engine.on('failure', (f) => f.during === 'renewal' && failures.push(f.message));
  try {
    const backedUp = once(engine, 'backup');
    await engine.start();
    await backedUp;
    const live = liveBlobIds(index);
    const { epoch: first } = await chain.systemState();
    while ((await chain.systemState()).epoch < first + 8)
      await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(
      expired.filter((id) => live.has(id)),
      [],
      'no live blob expired',
    );
    const { epoch } = await chain.systemState();
    for (const b of await client.listOwned())
      if (live.has(b.blobId)) assert.ok(b.endEpoch > epoch, `${b.blobId} ends at ${b.endEpoch}`);
    assert.ok(index.renewals(500).filter((r) => r.action === 'extend').length >= 4);
    assert.deepEqual(failures, []);
  } finally {
    unsubscribe();
    await engine.stop();
    await a.close();
  }
});
