/**
 * A restore onto a disk that fills up: it stops with an error that says which file and
 * why, leaves no half-written file under a real name, and run again it finishes. The
 * child runs under `ulimit -f` (a per-process file size limit the kernel enforces with
 * EFBIG), the closest thing to a full disk a test can have without mounting one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { startTestAccount } from '../support/account.js';

function restoreInChild(ledger: string, target: string, phrase: string, limitKiB?: number) {
  const node = [
    process.execPath,
    '--import',
    'tsx',
    'test/support/restore-child.ts',
    ledger,
    target,
  ];
  const command = limitKiB ? `ulimit -f ${limitKiB * 2}; exec "$@"` : 'exec "$@"';
  const child = spawn('sh', ['-c', command, 'sh', ...node], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(phrase + '\n');
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  return new Promise<{
    result?: { files: number; alreadyRestored: number };
    error?: { name: string; message: string };
  }>((resolve, reject) =>
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
