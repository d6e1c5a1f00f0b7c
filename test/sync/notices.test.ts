import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, type FolderRow } from '../../core/index/index.js';
import { newNotices, notices } from '../../core/sync/notices.js';
import { ProblemLog } from '../../core/sync/problems.js';
import type { FloeStatus } from '../../core/sync/status.js';

function folder(o: Partial<FolderRow>): FolderRow {
  return {
    id: 1,
    path: '/home/u/Photos',
    addedAt: 0,
    paused: false,
    state: 'idle',
    stateSince: 1000,
    detail: {},
    lastScanAt: null,
    lastError: null,
    dirty: false,
    changesSeen: 0,
    changesSaved: 0,
    deletionsConfirmed: false,
    ...o,
  };
}

function status(folders: FolderRow[], epochsAffordable: number | null = 100): FloeStatus {
  return {
    folders,
    pendingJournal: 0,
    lastSnapshot: null,
    lastRenewal: null,
    renewalFailures: [],
    storage: {
      epoch: 1,
      epochDurationMs: 60_000,
      epochEndsAt: 0,
      liveBlobs: 1,
      liveStorageBytes: 1,
      nextExpiryEpoch: 5,
      costPerEpochFrost: '1',
      walFrost: '100',
      suiMist: '1',
      epochsAffordable,
      unusedStorage: { resources: 0, bytes: 0 },
    },
    networkError: null,
    lapsed: null,
    unrenewed: null,
  };
}

test('a notice is shown once when its condition starts, and again only when it comes back', () => {
  const held = folder({ state: 'held', detail: { held: { deleted: 9, total: 10 } } });
  let seen = new Set<string>();
  const look = (s: FloeStatus) => {
    const r = newNotices(notices(s), seen);
    seen = r.seen;
    return r.show.map((n) => n.title);
  };
  assert.deepEqual(look(status([held])), ['Deletions in Photos are waiting for you']);
  assert.deepEqual(look(status([held])), [], 'the same condition is not news');
  assert.deepEqual(look(status([held], 2)), ['Your balance is running low']);
  assert.deepEqual(look(status([folder({})], 100)), [], 'conditions ending are not news');
  const missing = folder({ state: 'missing', stateSince: 2000, lastError: 'cannot be read' });
  assert.deepEqual(look(status([missing])), ['Photos is missing']);
  const failed = folder({ state: 'failed', stateSince: 3000, lastError: 'disk full' });
  assert.deepEqual(look(status([failed])), ['Backup of Photos failed']);
  assert.deepEqual(look(status([missing])), ['Photos is missing'], 'missing again is news again');
  assert.deepEqual(
    look(status([folder({ state: 'failed', paused: true })])),
    [],
    'paused folders are quiet',
  );
});

test('problems are one entry per condition, counted, resolved, and kept across a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-problems-'));
  let t = 1_000;
  try {
    const path = join(dir, 'index.db');
    const index = Index.open(path);
    const log = new ProblemLog(index, () => t);
    for (let i = 0; i < 5; i++, t += 30_000)
      log.report('network', 'network', 'the chain cannot be reached');
    log.report('file:/d:a.txt', 'file', 'a.txt: permission denied', '/d');
    log.report('file:/d:b.txt', 'file', 'b.txt: permission denied', '/d');
    assert.deepEqual(
      log.list().map((p) => [p.key, p.count]),
      [
        ['file:/d:b.txt', 1],
        ['file:/d:a.txt', 1],
        ['network', 5],
      ],
    );
    t += 1000;
    assert.deepEqual(
      log
        .resolve('file:/d')
        .map((p) => p.key)
        .sort(),
      ['file:/d:a.txt', 'file:/d:b.txt'],
    );
    index.close();

    const reopened = Index.open(path);
    try {
      const again = new ProblemLog(reopened, () => t);
      const listed = again.list();
      assert.equal(listed[0]!.key, 'network', 'unresolved first');
      assert.equal(listed[0]!.count, 5);
      assert.ok(listed.slice(1).every((p) => p.resolvedAt !== null));
      // A condition that returns after it was resolved starts a new count.
      t += 1000;
      assert.equal(
        again.report('file:/d:a.txt', 'file', 'a.txt: permission denied', '/d').count,
        1,
      );
      t += 8 * 86_400_000;
      assert.deepEqual(
        again
          .list()
          .map((p) => p.key)
          .sort(),
        ['file:/d:a.txt', 'network'],
        'resolved problems are dropped after a week',
      );
    } finally {
      reopened.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
