/**
 * A user who never runs `floe watch` or the desktop app: `floe backup` from cron. Every
 * command that stores must renew what the backups need, nothing may be built on storage
 * that ends before renewal looks again, and when storage did lapse (nothing ran for
 * longer than the term) every command says so in those words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT } from '../../core/cli/errors.js';
import { deriveKeys } from '../../core/repo/keys.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { startCliNetwork } from '../support/cli-machine.js';
import { manifest } from '../support/manifest.js';

/** Blobs are bought for `floe backup`'s default 5 epochs; renewal looks 2 epochs ahead. */
const TERM = 5;

test('cron-style backups across many storage terms stay restorable on a new machine, and check is clean', async () => {
  const n = await startCliNetwork();
  try {
    const laptop = await n.machine('laptop');
    const src = join(n.dir, 'Documents');
    await mkdir(join(src, 'notes'), { recursive: true });
    // Never changes: only renewal keeps its pack alive, and every backup builds on it.
    await writeFile(join(src, 'photo.bin'), randomBytes(120_000));
    const init = await laptop.json<{ phrase: string }>('init');
    assert.equal(init.code, EXIT.ok);
    assert.equal(await laptop.run('add', src), EXIT.ok);

    for (let day = 0; day < 3 * TERM; day++) {
      n.net.ledger.advanceEpoch();
      await writeFile(join(src, 'notes', 'diary.txt'), `day ${day}\n`.repeat(day + 1));
      await writeFile(join(src, 'notes', `day-${day}.txt`), randomBytes(2_000));
      assert.equal(await laptop.run('backup'), EXIT.ok, laptop.errors.join('\n'));
      const status = await laptop.json<{ storage: { nextExpiryEpoch: number; epoch: number } }>(
        'status',
      );
      assert.equal(status.code, EXIT.ok, `day ${day}: ${JSON.stringify(status.value)}`);
    }

    const desk = await n.machine('new-desk');
    const target = join(n.dir, 'restored');
    assert.equal(
      await desk.run('restore', '--phrase', init.value.phrase, '--target', target),
      EXIT.ok,
      desk.errors.join('\n'),
    );
    assert.deepEqual(await manifest(target), await manifest(src));
    const check = await laptop.json<{ problems: string[]; warnings: string[] }>(
      'check',
      '--read-data',
    );
    assert.deepEqual(check.value.problems, []);
    assert.deepEqual(check.value.warnings, []);
    assert.equal(check.code, EXIT.ok);
  } finally {
    await n.close();
  }
});

test('storage that lapsed while nothing ran is named as such by status, check and restore, and the next backup stores the files anew', async () => {
  const n = await startCliNetwork();
  // Alive for longer than the test can take on a loaded machine: it is killed at the end.
  const sleeper = spawn('sleep', ['3600'], { stdio: 'ignore' });
  try {
    const laptop = await n.machine('laptop');
    const src = join(n.dir, 'Documents');
    await mkdir(src);
    await writeFile(join(src, 'photo.bin'), randomBytes(120_000));
    await writeFile(join(src, 'note.txt'), 'hello');
    const init = await laptop.json<{ phrase: string }>('init');
    assert.equal(await laptop.run('add', src), EXIT.ok);
    assert.equal(await laptop.run('backup'), EXIT.ok);
    const [old] = (await laptop.json<{ id: string; blobId: string }[]>('snapshots')).value;

    // The machine is off: three epochs later the backups are within the renewal window.
    for (let i = 0; i < TERM - 2; i++) n.net.ledger.advanceEpoch();
    const lock = join(laptop.home, 'floe.lock');
    await writeFile(lock, String(sleeper.pid));
    assert.equal(
      (await laptop.json('status')).code,
      EXIT.ok,
      'floe watch (here: whatever holds the lock) will renew them',
    );
    await unlink(lock);
    laptop.lines.length = 0;
    assert.equal(await laptop.run('status'), EXIT.failure, 'nothing will renew them');
    assert.match(laptop.lines.join('\n'), /no floe watch or desktop app.*floe renew/s);

    // A snapshot blob kept alive by hand while its packs and index blob lapse: restoring it
    // meets data whose storage ended.
    const chain = new LocalChain(n.net.url, deriveKeys(init.value.phrase).account);
    const snapshotBlob = (await chain.listOwnedBlobs(chain.address)).blobs.find(
      (b) => b.blobId === old!.blobId,
    )!;
    await chain.extendBlob(snapshotBlob.objectId, 10);
    for (let i = 0; i < 3; i++) n.net.ledger.advanceEpoch();
    const { epoch } = await chain.systemState();
    const ended = epoch - 1;

    const lapsed = await laptop.json<{ lapsed: { blobs: number; lastEndEpoch: number } }>('status');
    assert.equal(lapsed.code, EXIT.failure);
    assert.deepEqual(lapsed.value.lapsed, { blobs: 2, lastEndEpoch: ended });

    const desk = await n.machine('new-desk');
    const target = join(n.dir, 'restored');
    assert.equal(
      await desk.run('restore', '--phrase', init.value.phrase, '--target', target),
      EXIT.failure,
    );
    assert.match(desk.errors.join('\n'), new RegExp(`storage ended at epoch ${ended}`));
    assert.doesNotMatch(desk.errors.join('\n'), /phrase|another key/);

    const check = await laptop.json<{ problems: string[] }>('check');
    assert.equal(check.code, EXIT.failure);
    assert.ok(check.value.problems.length > 0);
    for (const p of check.value.problems)
      assert.match(p, new RegExp(`storage ended at epoch ${ended}.*floe backup`));

    // The next backup builds on nothing that lapsed: every file is stored anew.
    const backup = await laptop.json<{ newBytes: number; files: number }>('backup');
    assert.equal(backup.code, EXIT.failure, 'the lapse is reported, not passed over');
    assert.ok(backup.value.newBytes >= 120_005, `${backup.value.newBytes} new bytes`);
    assert.equal(
      await desk.run('restore', '--phrase', init.value.phrase, '--target', target),
      EXIT.ok,
      desk.errors.join('\n'),
    );
    assert.deepEqual(await manifest(target), await manifest(src));
    assert.equal((await laptop.json('status')).code, EXIT.ok);
  } finally {
    sleeper.kill('SIGKILL');
    await n.close();
  }
});
