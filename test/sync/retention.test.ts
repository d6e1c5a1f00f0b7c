import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSettings } from '../../core/index/settings.js';
import { Engine } from '../../core/sync/engine.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import type { RetentionRun } from '../../core/sync/retention-schedule.js';
import { startTestAccount } from '../support/account.js';

test('the engine applies the retention settings: the plan first, then on its own; forgotten data is deleted and what is kept restores exactly', async () => {
  const a = await startTestAccount({
    epochDurationMs: 2_000,
    autoAdvance: true,
    maxEpochsAhead: 6,
  });
  const { t, dir, keys, client, src, index } = a;
  index.setSetting('retention', { last: 2 });
  index.setSetting('renewal', { windowEpochs: 3, termEpochs: 3 });
  const engine = new Engine({
    index,
    keys,
    client,
    settings: readSettings(index),
    epochs: 3,
    debounceMs: 100,
    epochPollMs: 100,
    retentionIntervalMs: 0,
  });
  const retention: RetentionRun[] = [];
  engine.on('retention', (r) => retention.push(r));
  const deleted = new Set<string>();
  const unsubscribe = t.net.ledger.ledger.subscribe((type, data) => {
    if (type === 'BlobDeleted') deleted.add(data.blobId as string);
  });
  const versions: Buffer[] = [];
  const edit = async () => {
    const bytes = randomBytes(40_000);
    versions.push(bytes);
    const backedUp = once(engine, 'backup');
    await writeFile(join(src, 'f.bin'), bytes);
    await backedUp;
    await engine.settled();
  };
  try {
    versions.push(randomBytes(40_000));
    await writeFile(join(src, 'f.bin'), versions[0]!);
    const first = once(engine, 'backup');
    await engine.start();
    await first;
    await engine.settled();
    for (let i = 0; i < 3; i++) await edit();
    const retained = () => index.snapshots().filter((s) => s.retained);
    assert.equal(retained().length, 4, 'nothing is forgotten before the user has seen the plan');
    const waiting = retention.findLast((r) => !r.ran);
    assert.ok(waiting && !waiting.ran && waiting.waitingForApproval);
    assert.equal(waiting.plan.forgotten.length, 2);

    const forgottenIds = new Set(waiting.plan.forgotten.map((f) => f.id));
    const forgottenBlobs = index
      .snapshots()
      .filter((s) => forgottenIds.has(s.id))
      .map((s) => s.blobId!);
    const run = await engine.retentionNow({ approve: true });
    assert.ok(run.ran);
    assert.equal(run.report.forgotten.length, 2);
    assert.ok(run.report.deadPacks > 0, 'the packs only old versions needed are dead');
    assert.equal(retained().length, 2);
    assert.equal(index.renewals(50).filter((r) => r.action === 'forget').length, 2);
    for (const blob of forgottenBlobs) assert.ok(deleted.has(blob), `${blob} was deleted`);

    // Approved once: the next backup's retention runs by itself.
    await edit();
    assert.equal(retained().length, 2);
    assert.ok(retention.at(-1)!.ran);

    // Epochs go by; what is kept stays alive and restores exactly, on a new machine.
    const { epoch } = await client.chain.systemState();
    while ((await client.chain.systemState()).epoch < epoch + 4)
      await new Promise((r) => setTimeout(r, 250));
    const found = await findSnapshots(client, keys);
    assert.equal(found.length, 2, 'only the retained snapshots are on the chain');
    for (const [i, f] of found.entries()) {
      const target = join(dir, `restore-${i}`);
      await restoreSnapshot(client, keys, f.snapshot, { target });
      assert.deepEqual(await readFile(join(target, 'f.bin')), versions.at(-1 - i));
    }
  } finally {
    unsubscribe();
    await engine.stop();
    await a.close();
  }
});
