import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadAhead, readSmallFile, type ReadAheadFile } from '../../core/sync/read-ahead.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'floe-read-ahead-'));
}

/** The file as a scan records it. */
async function scanned(path: string): Promise<ReadAheadFile> {
  const st = await lstat(path, { bigint: true });
  return {
    path: Buffer.from(path),
    size: Number(st.size),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
  };
}

test('files come in order, the small ones whole and the larger ones left to the caller, whatever the budget', async () => {
  const dir = await scratch();
  try {
    const sizes = [0, 100, 5000, 70_000, 3, 64_000, 200_000, 1, 9999, 65_536];
    const contents = sizes.map((n) => randomBytes(n));
    const files: ReadAheadFile[] = [];
    for (const [i, bytes] of contents.entries()) {
      await writeFile(join(dir, `f${i}`), bytes);
      files.push(await scanned(join(dir, `f${i}`)));
    }
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

test('only the plain file the scan saw, unchanged, and what its size says, is read ahead', async () => {
  const dir = await scratch();
  try {
    const file = join(dir, 'file');
    await writeFile(file, 'hello');
    const empty = join(dir, 'empty');
    await writeFile(empty, '');
    assert.equal(
      Buffer.from((await readSmallFile(await scanned(file)))!.bytes).toString(),
      'hello',
    );
    assert.equal((await readSmallFile(await scanned(empty)))!.bytes.length, 0);

    // Changed since the scan: the same size, new bytes, a new time.
    const seen = await scanned(file);
    await writeFile(file, 'jello');
    await utimes(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(await readSmallFile(seen), null, 'rewritten since the scan');
    // Grown or shrunk since the scan.
    assert.equal(await readSmallFile({ ...(await scanned(file)), size: 4 }), null);
    assert.equal(await readSmallFile({ ...(await scanned(file)), size: 6 }), null);

    const link = join(dir, 'link');
    await symlink(file, link);
    assert.equal(await readSmallFile({ ...(await scanned(file)), path: Buffer.from(link) }), null);
    const sub = join(dir, 'sub');
    await mkdir(sub);
    assert.equal(await readSmallFile(await scanned(sub)), null, 'a folder');
    assert.equal(await readSmallFile({ ...seen, path: Buffer.from(join(dir, 'gone')) }), null);
    // procfs says 0 bytes and holds more: the caller reads it to its end instead.
    assert.equal(await readSmallFile(await scanned('/proc/self/status')), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
