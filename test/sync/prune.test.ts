import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup, type BackupContext } from '../../core/sync/backup.js';
import { forgetAndPrune } from '../../core/sync/prune.js';
import { liveBlobIds, runRenewals } from '../../core/sync/renewals.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { startTestAccount } from '../support/account.js';

const SMALL_CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };

test('forget keeps what the policy keeps, deletes dead packs, compacts sparse ones, and restores stay whole', async () => {
  const a = await startTestAccount();
  const { dir, keys, client, src, index } = a;
  try {
    const ctx: BackupContext = {
      index,
      keys,
      client,
      epochs: 5,
      packTargetSize: 1 << 30, // one pack per backup: its fate is easy to follow
      chunker: SMALL_CHUNKS,
    };

    // Backup 1: `gone` alone fills most of the pack beside a small `kept`.
    const gone = randomBytes(600_000);
    await writeFile(join(src, 'gone.bin'), gone);
    await writeFile(join(src, 'kept.bin'), randomBytes(100_000));
    await runBackup(ctx);
    // Backup 2: a file that is later deleted, alone in its pack → that pack dies.
    await writeFile(join(src, 'brief.bin'), randomBytes(200_000));
    await runBackup(ctx);
    await unlink(join(src, 'brief.bin'));
    await unlink(join(src, 'gone.bin'));
    await writeFile(join(src, 'new.bin'), randomBytes(50_000));
    await runBackup(ctx);
    const [pack1, pack2, pack3] = index.packs('certified');
    assert.ok(pack1 && pack2 && pack3);

    const dry = await forgetAndPrune(ctx, { policy: { last: 1 }, dryRun: true });
    assert.equal(dry.forgotten.length, 2);
    assert.equal(dry.deadPacks, 1);
    assert.equal(dry.compactedPacks, 1);
    assert.equal(index.snapshots().filter((s) => s.retained).length, 3, 'dry run changes nothing');

    const report = await forgetAndPrune(ctx, { policy: { last: 1 } });
    assert.deepEqual(
      report.kept.map((k) => k.reasons),
      [['last']],
    );
    assert.equal(report.deadPacks, 1, 'the pack of the deleted file is dead');
    assert.equal(report.compactedPacks, 1, 'the pack mostly made of gone.bin is rewritten');
    assert.ok(report.rewrittenBytes < 200_000, `rewrote ${report.rewrittenBytes} live bytes`);
    assert.equal(index.pack(pack1.id)!.state, 'dead');
    assert.equal(index.pack(pack2.id)!.state, 'dead');
    assert.equal(index.pack(pack3.id)!.state, 'certified');

    // Renewal deletes what is dead and keeps what is live.
    const renewal = await runRenewals(client, index);
    assert.deepEqual(renewal.errors, []);
    const owned = new Map((await client.listOwned()).map((b) => [b.blobId, b]));
    assert.equal(owned.get(pack1.blobId!)!.state, 'deleted');
    assert.equal(owned.get(pack2.blobId!)!.state, 'deleted');
    for (const id of liveBlobIds(index)) assert.equal(owned.get(id)?.state, 'certified', id);

    // A new machine restores the newest snapshot from the compacted packs.
    const [newest] = await findSnapshots(client, keys);
    assert.equal(newest!.snapshot.id, report.kept[0]!.id);
    const out = join(dir, 'out');
    await restoreSnapshot(client, keys, newest!.snapshot, { target: out });
    for (const name of ['kept.bin', 'new.bin'])
      assert.deepEqual(await readFile(join(out, name)), await readFile(join(src, name)));

    // Content that comes back after its pack died is stored again, not referenced dead.
    await writeFile(join(src, 'gone.bin'), gone);
    const again = await runBackup(ctx);
    assert.ok(again.newBytes >= gone.length);
    const [latest] = await findSnapshots(client, keys);
    const out2 = join(dir, 'out2');
    await restoreSnapshot(client, keys, latest!.snapshot, { target: out2 });
    assert.deepEqual(await readFile(join(out2, 'gone.bin')), gone);
  } finally {
    await a.close();
  }
});
