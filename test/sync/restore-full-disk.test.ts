/**
 * A restore onto a disk that fills up: it stops with an error that says which file and
 * why, leaves no half-written file under a real name, and run again it finishes. The
 * child runs under `ulimit -f` (a per-process file size limit the kernel enforces with
 * EFBIG), or on a tiny tmpfs of its own (support/tmpfs.ts): a real ENOSPC, out of space
 * or out of inodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { startTestAccount } from '../support/account.js';
import { inTmpfs, tmpfsAvailable } from '../support/tmpfs.js';

interface ChildOutcome {
  result?: { files: number; alreadyRestored: number };
  error?: { name: string; message: string };
  /** Every name left under the target. */
  left: string[];
}

function restoreInChild(
  ledger: string,
  target: string,
  phrase: string,
  limitKiB?: number,
): Promise<ChildOutcome> {
  const command = limitKiB ? `ulimit -f ${limitKiB * 2}; exec "$@"` : 'exec "$@"';
  return runChild(['sh', '-c', command, 'sh'], ledger, target, phrase);
}

function runChild(
  wrapper: string[],
  ledger: string,
  target: string,
  phrase: string,
): Promise<ChildOutcome> {
  const node = [
    process.execPath,
    '--import',
    'tsx',
    'test/support/restore-child.ts',
    ledger,
    target,
  ];
  const child = spawn(wrapper[0]!, [...wrapper.slice(1), ...node], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(phrase + '\n');
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  return new Promise<ChildOutcome>((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${out}`)),
    ),
  );
}

test('a restore that hits a full disk says so, leaves nothing half-written, and finishes when run again', async () => {
  const a = await startTestAccount();
  const { t, dir, keys, client, src, index, phrase } = a;
  try {
    await writeFile(join(src, 'a-small.txt'), 'fits');
    const big = randomBytes(300_000);
    await writeFile(join(src, 'b-big.bin'), big);
    await runBackup({ index, keys, client, epochs: 5 });

    const target = join(dir, 'target');
    const full = await restoreInChild(t.net.url, target, phrase, 100);
    assert.equal(full.error?.name, 'RestoreWriteError', JSON.stringify(full));
    assert.match(full.error!.message, /cannot write .*b-big\.bin: the file is larger than/);
    assert.deepEqual(await readdir(target), ['a-small.txt'], 'no partial or half-written file');

    const again = await restoreInChild(t.net.url, target, phrase);
    assert.equal(again.result?.files, 1);
    assert.equal(again.result?.alreadyRestored, 1, 'the file restored before the failure is kept');
    assert.deepEqual(await readFile(join(target, 'b-big.bin')), big);
    assert.deepEqual((await readdir(target)).sort(), ['a-small.txt', 'b-big.bin']);
  } finally {
    await a.close();
  }
});

test('a disk that is really full (no space, no inodes) stops the restore with the path and what to do, and leaves no partial file', async (t) => {
  const a = await startTestAccount();
  const { t: net, dir, keys, client, src, index, phrase } = a;
  try {
    const target = join(dir, 'small-disk');
    await mkdir(target);
    if (!(await tmpfsAvailable(target))) return t.skip('user namespaces are not available here');
    await mkdir(join(src, 'docs'));
    await writeFile(join(src, 'docs', 'a-small.txt'), 'fits');
    await writeFile(join(src, 'docs', 'b-big.bin'), randomBytes(600_000));
    await runBackup({ index, keys, client, epochs: 5 });

    const full = await runChild(inTmpfs(target, 'size=256k'), net.net.url, target, phrase);
    assert.equal(full.error?.name, 'RestoreWriteError', JSON.stringify(full));
    assert.match(
      full.error!.message,
      new RegExp(`cannot write ${join(target, 'docs', 'b-big.bin')}: the disk is full`),
    );
    assert.match(full.error!.message, /free space and run the restore again/);
    assert.deepEqual(full.left.sort(), ['docs', 'docs/a-small.txt'], 'no partial file left');

    // Out of inodes: creating the next file is what fails.
    await writeFile(join(src, 'docs', 'c.txt'), 'c');
    await writeFile(join(src, 'docs', 'd.txt'), 'd');
    await runBackup({ index, keys, client, epochs: 5 });
    const noInodes = await runChild(
      inTmpfs(target, 'size=4m,nr_inodes=4'),
      net.net.url,
      target,
      phrase,
    );
    assert.equal(noInodes.error?.name, 'RestoreWriteError', JSON.stringify(noInodes));
    assert.match(noInodes.error!.message, /cannot write .*docs\/[a-d][^/]*: the disk is full/);
    assert.doesNotMatch(noInodes.error!.message, /\.partial/);
    assert.ok(!noInodes.left.some((n) => n.includes('.floe-')), JSON.stringify(noInodes.left));
  } finally {
    await a.close();
  }
});
