import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgnoreRules } from '../../core/sync/ignore.js';
import { FolderWatcher } from '../../core/sync/watcher.js';

function nextBatch(batches: string[][]): Promise<string[]> {
  const start = batches.length;
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const poll = setInterval(() => {
      if (batches.length > start) {
        clearInterval(poll);
        resolve(batches[start]!);
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error('no batch arrived'));
      }
    }, 20);
  });
}

test('a burst of changes arrives as one batch; excluded paths never arrive', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-watch-'));
  const batches: string[][] = [];
  const w = new FolderWatcher({
    debounceMs: 300,
    rules: IgnoreRules.of(['*.log']),
    onChanges: (_f, paths) => batches.push(paths),
  });
  try {
    await writeFile(join(dir, 'old.txt'), 'x');
    await w.add(dir);
    const batch = nextBatch(batches);
    await writeFile(join(dir, 'a.txt'), '1');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'b.txt'), '2');
    await writeFile(join(dir, 'noise.log'), 'ignored');
    assert.deepEqual(await batch, ['a.txt', 'sub', 'sub/b.txt']);

    const second = nextBatch(batches);
    await rename(join(dir, 'a.txt'), join(dir, 'c.txt'));
    await unlink(join(dir, 'old.txt'));
    assert.deepEqual(await second, ['a.txt', 'c.txt', 'old.txt']);
  } finally {
    await w.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder that keeps changing still gets a batch at the maximum wait', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-watch-'));
  const batches: string[][] = [];
  const w = new FolderWatcher({
    debounceMs: 400,
    maxWaitMs: 900,
    onChanges: (_f, paths) => batches.push(paths),
  });
  try {
    await w.add(dir);
    const batch = nextBatch(batches);
    const writer = setInterval(
      () => writeFile(join(dir, `f${Date.now()}.txt`), 'x').catch(() => undefined),
      100,
    );
    try {
      assert.ok((await batch).length >= 3);
    } finally {
      clearInterval(writer);
    }
  } finally {
    await w.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder closed while its watch is still starting reports nothing afterwards', async () => {
  // The daemon stopping during start-up used to leave such a watcher running: its events
  // reached an engine whose index was already closed.
  const dir = await mkdtemp(join(tmpdir(), 'floe-watch-'));
  const seen: string[] = [];
  const w = new FolderWatcher({
    debounceMs: 50,
    onChanges: (_f, paths) => seen.push(...paths),
    onChangeSeen: (f) => seen.push(`seen ${f}`),
  });
  try {
    const adding = w.add(dir);
    await w.close();
    await adding;
    await w.add(dir); // and one asked for after the close is not started
    await writeFile(join(dir, 'late.txt'), 'x');
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(seen, []);
  } finally {
    await w.close();
    await rm(dir, { recursive: true, force: true });
  }
});
