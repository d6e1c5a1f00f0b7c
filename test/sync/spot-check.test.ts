/**
 * The spot-check on a real localnet: healthy nodes answer; a node that is down is
 * unreachable; a node that serves wrong bytes under valid checksums (a lying node: its
 * own disk checks cannot see it) is corrupt; and the margin — how many more nodes could
 * fail before data is lost — is computed from the nodes that answered, by shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup } from '../../core/sync/backup.js';
import { liveBlobIds } from '../../core/sync/renewals.js';
import { once } from 'node:events';
import { readSettings } from '../../core/index/settings.js';
import { Engine } from '../../core/sync/engine.js';
import { overallState } from '../../core/sync/overall-state.js';
import { collectStatus } from '../../core/sync/status.js';
import {
  nextSpotCheckAt,
  runSpotCheck,
  spotCheckHistory,
  type SpotCheckRecord,
} from '../../core/sync/spot-check-schedule.js';
import { NothingToCheckError } from '../../core/sync/spot-check.js';
import { startTestAccount, type TestAccount } from '../support/account.js';

async function backedUp(a: TestAccount) {
  await writeFile(join(a.src, 'a.bin'), randomBytes(500_000));
  await writeFile(join(a.src, 'b.bin'), randomBytes(300_000));
  await runBackup({
    index: a.index,
    keys: a.keys,
    client: a.client,
    epochs: 5,
    packTargetSize: 300_000,
  });
  return [...liveBlobIds(a.index)];
}

/** Node `i` rewrites every sliver it holds with one bit flipped, checksummed as if right. */
async function lie(a: TestAccount, i: number, blobIds: string[]): Promise<number> {
  const node = a.t.net.nodes[i]!;
  let count = 0;
  for (const blobId of blobIds)
    for (const { pair, kind } of await node.store.sliversOf(blobId)) {
      const bytes = Uint8Array.from((await node.store.getSliver(blobId, pair, kind))!);
      bytes[bytes.length - 8]! ^= 0x01;
      await node.store.putSliver(blobId, pair, kind, bytes);
      count++;
    }
  return count;
}

const check = (a: TestAccount, samplePercent: number) =>
  runSpotCheck(
    { index: a.index, client: a.client },
    { samplePercent, trigger: 'manual', warnMarginNodes: 2 },
  );

test('with every node healthy, all answer and the margin is what the shards allow', async () => {
  // 5 nodes of 2 shards each; n = 10, f = 3: 4 shards rebuild, so 3 nodes may fail.
  const a = await startTestAccount({ nodes: 5 });
  try {
    const blobs = await backedUp(a);
    const r = await check(a, 100);
    assert.equal(r.blobs, blobs.length);
    assert.deepEqual(
      r.nodes.map((n) => [n.name, n.verdict, n.asked === n.ok]),
      [0, 1, 2, 3, 4].map((i) => [`node-${i}`, 'answered', true]),
    );
    // 100 %: both slivers of every pair of every blob, each from the node holding it.
    assert.equal(r.slivers, blobs.length * 10 * 2);
    assert.equal(r.failuresTolerated, 3);
    assert.equal(r.readShards, 4);
    assert.match(r.summary, /^all 5 nodes answered: 3 more nodes could fail/);
  } finally {
    await a.close();
  }
});

test('a node down is unreachable, a lying node corrupt, one that lost slivers missing, and the margin shrinks', async () => {
  const a = await startTestAccount({ nodes: 5 });
  try {
    const blobs = await backedUp(a);
    assert.ok((await lie(a, 3, blobs)) > 0);
    await a.t.net.stopNode(1);
    // node-4 lost the files of one blob (a disk replaced, a bad restore of its data).
    const lost = join(a.t.net.dir, 'nodes', 'node-4', 'blobs', blobs[0]!);
    for (const f of (await readdir(lost)).filter((f) => /\.(primary|secondary)$/.test(f)))
      await rm(join(lost, f));
    const r = await check(a, 100);
    const verdicts = Object.fromEntries(r.nodes.map((n) => [n.name, n.verdict]));
    assert.deepEqual(verdicts, {
      'node-0': 'answered',
      'node-1': 'unreachable',
      'node-2': 'answered',
      'node-3': 'corrupt',
      'node-4': 'missing',
    });
    const liar = r.nodes.find((n) => n.name === 'node-3')!;
    assert.equal(liar.corrupt, liar.asked, 'every sliver it served was wrong');
    assert.match(liar.detail!, /does not match the blob's metadata/);
    assert.equal(r.nodes.find((n) => n.name === 'node-1')!.ok, 0);
    const forgetful = r.nodes.find((n) => n.name === 'node-4')!;
    assert.equal(forgetful.missing, 4, 'both slivers of its 2 pairs of that blob');
    assert.equal(forgetful.ok, forgetful.asked - 4);
    // Two nodes of 2 shards answered all: 4 shards, and 4 rebuild: not one more may fail.
    assert.equal(r.failuresTolerated, 0);
    for (const b of r.blobChecks) assert.equal(b.servingShards, 4);
    assert.match(
      r.summary,
      /^2 of 5 nodes answered; node-1 did not answer, node-3 served corrupt slivers, node-4 is missing slivers: one more node failing could lose data$/,
    );
    assert.equal(r.record.blobsAtRisk, blobs.length, 'below the warning margin of 2');

    // A small sample still asks every node, and still catches both.
    const small = await check(a, 1);
    assert.ok(small.slivers >= 5 && small.slivers < r.slivers);
    assert.ok(small.nodes.every((n) => n.asked >= 1));
    assert.equal(small.nodes.find((n) => n.name === 'node-3')!.verdict, 'corrupt');
    assert.equal(small.nodes.find((n) => n.name === 'node-1')!.verdict, 'unreachable');
    assert.ok(
      small.failuresTolerated <= 1,
      'node-4 may have answered a small sample of other blobs',
    );
    assert.ok(small.bytes < r.bytes);

    const history = spotCheckHistory(a.index);
    assert.deepEqual(
      history.map((h) => [h.samplePercent, h.failuresTolerated]),
      [
        [1, small.failuresTolerated],
        [100, 0],
      ],
    );
    // Closer to loss than the warning margin (2 more nodes): the tray and status bar say so.
    const status = await collectStatus(a.index, null);
    assert.equal(status.atRisk?.failuresTolerated, small.failuresTolerated);
    const view = overallState({
      status,
      progress: null,
      engineUnreachable: false,
      paused: false,
      now: Date.now(),
    });
    assert.equal(view.state, 'attention');
    assert.match(view.headline, /^Data at risk: the last check found /);
  } finally {
    await a.close();
  }
});

test('with nothing backed up there is nothing to check, said plainly', async () => {
  const a = await startTestAccount();
  try {
    await assert.rejects(check(a, 1), NothingToCheckError);
  } finally {
    await a.close();
  }
});

test('the engine runs the scheduled check once due, and a failed check is a Problem until one finds every node', async () => {
  const a = await startTestAccount({ nodes: 5 });
  await writeFile(join(a.src, 'a.bin'), randomBytes(200_000));
  const engine = new Engine({
    index: a.index,
    keys: a.keys,
    client: a.client,
    settings: readSettings(a.index),
    epochs: 3,
    debounceMs: 100,
    spotCheckPollMs: 100,
  });
  try {
    const backedUpOnce = once(engine, 'backup');
    const scheduled = once(engine, 'spot-check');
    await engine.start();
    await backedUpOnce;
    const [record] = (await scheduled) as [SpotCheckRecord];
    assert.equal(record.trigger, 'scheduled');
    assert.equal(record.samplePercent, 1, "the setting's default sample");
    assert.ok(record.nodes.every((n) => n.verdict === 'answered'));
    // Logged, so the next is due a day later: the engine does not run it again.
    const next = nextSpotCheckAt(a.index, readSettings(a.index))!;
    assert.equal(next, record.time + 24 * 3_600_000);
    assert.equal(await engine.spotChecks.runIfDue(), null);

    await a.t.net.stopNode(2);
    const down = await engine.spotChecks.runNow();
    assert.equal(down.trigger, 'manual');
    const problem = engine.problems.list().find((p) => p.kind === 'spot-check');
    assert.match(problem!.message, /node-2 did not answer/);

    await a.t.net.restartNode(2);
    await engine.spotChecks.runNow();
    assert.equal(
      engine.problems.list().find((p) => p.kind === 'spot-check' && !p.resolvedAt),
      undefined,
    );
    assert.deepEqual(
      spotCheckHistory(a.index).map((r) => r.trigger),
      ['manual', 'manual', 'scheduled'],
    );
  } finally {
    await engine.stop();
    await a.close();
  }
});
