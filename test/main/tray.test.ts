import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import type { FolderRow } from '../../core/index/index.js';
import type { FloeStatus } from '../../core/sync/status.js';
import type { ProgressSnapshot } from '../../core/sync/progress.js';
import { renderTrayIcon, trayIconPng } from '../../main/tray-icon.js';
import { trayView, type TrayIconState, type TrayInput } from '../../main/tray-state.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');

function status(
  o: Partial<FloeStatus> = {},
  storage: Partial<NonNullable<FloeStatus['storage']>> = {},
): FloeStatus {
  return {
    folders: [],
    pendingJournal: 0,
    lastSnapshot: { id: 's1', time: '2026-11-27T11:50:00Z', files: 3 },
    lastRenewal: {
      time: NOW,
      epoch: 4,
      objectId: 'o',
      blobId: 'b',
      action: 'extend',
      epochs: 5,
      costFrost: '10',
      reason: 'ends in 2 epochs',
    },
    renewalFailures: [],
    storage: {
      epoch: 5,
      epochDurationMs: 60_000,
      epochEndsAt: NOW + 30_000,
      liveBlobs: 3,
      liveStorageBytes: 1 << 20,
      nextExpiryEpoch: 9,
      costPerEpochFrost: '100',
      walFrost: '100000',
      suiMist: '1',
      epochsAffordable: 1000,
      unusedStorage: { resources: 0, bytes: 0 },
      ...storage,
    },
    networkError: null,
    lapsed: null,
    unrenewed: null,
    ...o,
  };
}

const progress: ProgressSnapshot = {
  phase: 'uploading',
  filesDone: 3,
  filesTotal: 10,
  bytesDone: 250,
  bytesTotal: 1000,
  rate: 100,
  etaSeconds: 7.5,
  elapsedSeconds: 2,
  currentPath: 'a.txt',
  step: null,
};

function folder(o: Partial<FolderRow>): FolderRow {
  return {
    id: 1,
    path: '/home/u/Photos',
    addedAt: NOW - 86_400_000,
    paused: false,
    state: 'idle',
    stateSince: NOW - 60_000,
    detail: {},
    lastScanAt: NOW - 60_000,
    lastError: null,
    dirty: false,
    changesSeen: 3,
    changesSaved: 3,
    deletionsConfirmed: false,
    ...o,
  };
}

const input = (o: Partial<TrayInput>): TrayInput => ({
  status: status(),
  progress: null,
  engineUnreachable: false,
  paused: false,
  now: NOW,
  ...o,
});

test('each situation maps to its state, worst news first', () => {
  const cases: [string, TrayInput, TrayIconState][] = [
    ['all backed up', input({}), 'synced'],
    ['a backup running', input({ progress }), 'syncing'],
    ['paused', input({ paused: true }), 'paused'],
    [
      'storage ends next epoch',
      input({ status: status({}, { nextExpiryEpoch: 6 }) }),
      'renewal-due',
    ],
    [
      'balance pays for 2 epochs',
      input({ status: status({}, { epochsAffordable: 2 }) }),
      'renewal-due',
    ],
    [
      'the last spot-check found data one node failure from loss',
      input({ status: status({ atRisk: { time: NOW, failuresTolerated: 0, blobs: 3 } }) }),
      'attention',
    ],
    [
      'renewal failed, even while syncing',
      input({
        progress,
        status: status({
          renewalFailures: [
            { ...status().lastRenewal!, action: 'error', reason: 'InsufficientBalance' },
          ],
        }),
      }),
      'renewal-failed',
    ],
    ['no WAL at all', input({ status: status({}, { walFrost: '0' }) }), 'renewal-failed'],
    [
      'network unreachable',
      input({ status: status({ storage: null, networkError: 'connect ECONNREFUSED' }) }),
      'offline',
    ],
    ['engine not answering', input({ engineUnreachable: true, status: null }), 'offline'],
    [
      'a folder with changes no snapshot holds is not synced',
      input({ status: status({ folders: [folder({ dirty: true, changesSeen: 4 })] }) }),
      'pending',
    ],
    [
      'a run failed and waits to retry',
      input({
        status: status({
          folders: [
            folder({
              state: 'retrying',
              dirty: true,
              lastError: 'disk full',
              detail: { retry: { attempt: 1, nextAt: NOW + 4_000 } },
            }),
          ],
        }),
      }),
      'pending',
    ],
    [
      'backups kept failing, even while another folder syncs',
      input({
        progress,
        status: status({ folders: [folder({ state: 'failed', lastError: 'disk full' })] }),
      }),
      'backup-failed',
    ],
    [
      'deletions held',
      input({
        status: status({
          folders: [folder({ state: 'held', detail: { held: { deleted: 9, total: 10 } } })],
        }),
      }),
      'attention',
    ],
    [
      'a folder missing',
      input({ status: status({ folders: [folder({ state: 'missing' })] }) }),
      'attention',
    ],
    [
      'a folder paused with changes is just paused',
      input({ paused: true, status: status({ folders: [folder({ paused: true, dirty: true })] }) }),
      'paused',
    ],
  ];
  for (const [what, i, expected] of cases) assert.equal(trayView(i).icon, expected, what);
});

test('tooltip and menu show the next expiry, the last renewal, and the right actions', () => {
  const synced = trayView(input({}));
  assert.match(synced.tooltip, /^Up to date \(10 min ago\)/);
  // Epoch 5 ends in 30 s; storage to epoch 9 ends when epoch 8 does: 3.5 epochs of 60 s.
  assert.match(synced.tooltip, /Storage paid for 3 min 30 s more \(to epoch 9\)/);
  assert.match(synced.tooltip, /Storage last renewed just now/);
  assert.doesNotMatch(synced.tooltip, /extend at epoch/, 'words, not action names');
  const actions = synced.menu.filter((m) => m.action).map((m) => `${m.action}:${m.enabled}`);
  assert.deepEqual(actions, ['open:true', 'backup-now:true', 'pause:true', 'quit:true']);

  const syncing = trayView(input({ progress }));
  assert.equal(syncing.percent, 25);
  assert.match(syncing.tooltip, /Backing up… 25%/);
  assert.equal(syncing.menu.find((m) => m.action === 'backup-now')!.enabled, false);

  const paused = trayView(input({ paused: true }));
  assert.ok(paused.menu.some((m) => m.action === 'resume' && m.enabled));
  const down = trayView(input({ engineUnreachable: true, status: null }));
  assert.deepEqual(
    down.menu.filter((m) => m.enabled).map((m) => m.action),
    ['open', 'quit'],
    'only what works without the engine',
  );
});

test('every state has its own icon, syncing shows its progress, and the PNG is well-formed', async () => {
  const states: TrayIconState[] = [
    'synced',
    'syncing',
    'pending',
    'paused',
    'attention',
    'backup-failed',
    'renewal-due',
    'renewal-failed',
    'offline',
  ];
  const seen = new Set<string>();
  await mkdir('test-artifacts/tray', { recursive: true });
  for (const state of states) {
    const png = trayIconPng(state, state === 'syncing' ? 40 : null, 32);
    await writeFile(`test-artifacts/tray/${state}.png`, png);
    seen.add(Buffer.from(renderTrayIcon(state, 40, 32)).toString('base64'));
    // Signature, IHDR (32×32 RGBA), and IDAT that inflates to the rendered pixels.
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), 32);
    assert.equal(png.readUInt32BE(20), 32);
    const idatLength = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    const pixels = renderTrayIcon(state, state === 'syncing' ? 40 : null, 32);
    for (let y = 0; y < 32; y++)
      assert.deepEqual(
        raw.subarray(y * 129 + 1, y * 129 + 129),
        Buffer.from(pixels.subarray(y * 128, y * 128 + 128)),
      );
  }
  assert.equal(seen.size, states.length, 'no two states look alike');
  assert.notDeepEqual(renderTrayIcon('syncing', 10, 32), renderTrayIcon('syncing', 90, 32));
});
