import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { startTestAccount } from '../support/account.js';

test('a file that keeps changing while it is read is reported and retried, never stored torn', async () => {
  const a = await startTestAccount();
  const { dir, keys, client, src, index } = a;
  try {
    await writeFile(join(src, 'steady.txt'), 'steady');
    const log = join(src, 'busy.log');
    await writeFile(log, randomBytes(4_000_000));

    // A writer appending all the time, as a log or a download in progress would.
    let writing = true;
    const writer = (async () => {
      while (writing) await appendFile(log, 'x');
    })();
    const first = await runBackup({ index, keys, client, epochs: 5 });
    writing = false;
    await writer;
    const issue = first.issues.find((i) => Buffer.from(i.relPath).toString() === 'busy.log');
    assert.ok(issue, 'the busy file is reported');
    assert.match(issue.message, /kept changing while it was read 3 times; it will be retried/);
    assert.equal(first.files, 1, 'the steady file was backed up anyway');

    // Once it is quiet, the next backup takes it whole.
    const second = await runBackup({ index, keys, client, epochs: 5 });
    assert.deepEqual(second.issues, []);
    const [newest] = await findSnapshots(client, keys);
    const out = join(dir, 'out');
    await restoreSnapshot(client, keys, newest!.snapshot, { target: out });
    assert.deepEqual(await readFile(join(out, 'busy.log')), await readFile(log));
  } finally {
    await a.close();
  }
});
