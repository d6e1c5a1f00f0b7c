import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadAhead, readSmallFile } from '../../core/sync/read-ahead.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'floe-read-ahead-'));
}

test('files come in order, the small ones whole and the larger ones left to the caller, whatever the budget', async () => {
  const dir = await scratch();
  try {
    const sizes = [0, 100, 5000, 70_000, 3, 64_000, 200_000, 1, 9999, 65_536];
    const contents = sizes.map((n) => randomBytes(n));
    const files = await Promise.all(
      contents.map(async (bytes, i) => {
        const path = Buffer.from(join(dir, `f${i}`));
        await writeFile(path, bytes);
        return { path, size: bytes.length };
      }),
    );
    for (const budgetBytes of [1, 10_000, 1 << 20]) {
      for (const concurrency of [1, 3, 8]) {
        const ahead = new ReadAhead(files, {
          maxFileBytes: 65_536,
          budgetBytes,
          concurrency,
          maxFiles: 4,
        });
        for (const [i, bytes] of contents.entries()) {
          const got = await ahead.take(i);
          const label = `file ${i}, budget ${budgetBytes}, ${concurrency} at once`;
          if (bytes.length > 65_536) assert.equal(got, null, label);
          else {
            assert.ok(got, label);
            assert.ok(Buffer.from(got.bytes).equals(bytes), label);
            assert.equal(got.stat.size, BigInt(bytes.length), label);
          }
        }
      }
    }
    // Stopped, it reads nothing more: what was not read yet is the caller's to read.
    const ahead = new ReadAhead(files, {
      maxFileBytes: 65_536,
      budgetBytes: 1,
      concurrency: 1,
      maxFiles: 1,
    });
    assert.ok(await ahead.take(0));
    ahead.stop();
    assert.equal(await ahead.take(2), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('only a plain file that holds still and is what its size says is read ahead', async () => {
  const dir = await scratch();
  try {
    const file = Buffer.from(join(dir, 'file'));
    await writeFile(file, 'hello');
    const empty = Buffer.from(join(dir, 'empty'));
    await writeFile(empty, '');
    const link = Buffer.from(join(dir, 'link'));
    await symlink(file, link);
    const sub = Buffer.from(join(dir, 'sub'));
    await mkdir(sub);

    assert.equal(Buffer.from((await readSmallFile(file, 100))!.bytes).toString(), 'hello');
    assert.equal((await readSmallFile(empty, 100))!.bytes.length, 0);
    assert.equal(await readSmallFile(file, 4), null, 'larger than the limit');
    assert.equal(await readSmallFile(link, 100), null, 'a symlink is not followed');
    assert.equal(await readSmallFile(sub, 100), null, 'a folder');
    assert.equal(await readSmallFile(Buffer.from(join(dir, 'gone')), 100), null);
    // procfs says 0 bytes and holds more: the caller reads it to its end instead.
    assert.equal(await readSmallFile(Buffer.from('/proc/self/status'), 100_000), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
