/**
 * Storage that ends while a command runs: a reader opened while a pack was still paid for
 * meets it gone once the epoch passed its end. (Found trying cron backups on 3-second
 * epochs: `floe check` and a new machine's restore stopped with "no storage node returned
 * valid metadata … it may be expired, deleted or never stored", exit 3 — the code for a
 * network that cannot be reached, and a retry would never help.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { RepoReader, StorageEndedError } from '../../core/sync/repo-reader.js';
import { startTestAccount, type TestAccount } from '../support/account.js';

let a: TestAccount;
before(async () => {
  a = await startTestAccount();
});
after(() => a.close());

test('a pack whose storage ends after the reader opened is named as storage that ended', async () => {
  await writeFile(join(a.src, 'photo.bin'), randomBytes(50_000));
  await runBackup({ index: a.index, keys: a.keys, client: a.client, epochs: 2 });
  const reader = await RepoReader.open(a.client, a.keys);
  const pack = reader.packs[0]!.blobId;
  const end = (await a.client.listOwned()).find((b) => b.blobId === pack)!.endEpoch;
  while ((await a.chain.systemState()).epoch < end) a.t.net.ledger.advanceEpoch();
  // The nodes drop what expired as they follow the chain.
  await new Promise((r) => setTimeout(r, 1_500));
  await assert.rejects(reader.readPack(pack), (error: Error) => {
    assert.ok(error instanceof StorageEndedError, `${error.name}: ${error.message}`);
    assert.match(error.message, new RegExp(`storage ended at epoch ${end}`));
    return true;
  });
});
