/**
 * The proof endpoints on a running engine over a real localnet: a snapshot's proof lists
 * its blobs with what the chain records for each, and a spot-check run through the API
 * reports every node, is logged, announced on the event stream and listed afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, EventReader, startStack, type Stack } from './fixture.js';

describe('proof and spot-checks through the API', () => {
  let s: Stack;
  let snapshot: string;
  const api = (method: string, path: string, body?: unknown) =>
    call(s.api, method, path, body === undefined ? {} : { body });

  before(async () => {
    s = await startStack({ startEngine: true });
    const src = join(s.dir, 'folders', 'src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'photo.jpg'), randomBytes(400_000));
    await writeFile(join(src, 'notes.txt'), 'notes');
    const backedUp = once(s.engine, 'backup');
    assert.equal((await api('POST', '/api/folders', { path: src })).status, 201);
    await backedUp;
    await s.engine.settled();
    snapshot = (await api('GET', '/api/snapshots')).json.snapshots[0].id;
  });
  after(() => s.close());

  test("a snapshot's proof lists its blobs with the chain's certificate and storage end", async () => {
    const a = await api('GET', `/api/snapshots/${snapshot}/proof`);
    assert.equal(a.status, 200, a.text);
    const p = a.json;
    assert.equal(p.snapshot.id, snapshot);
    assert.equal(p.nodes, 4);
    assert.equal(p.nShards, 10);
    assert.equal(p.summary.complete, true);
    const kinds = p.blobs.map((b: { kind: string }) => b.kind);
    assert.equal(kinds.filter((k: string) => k === 'snapshot').length, 1);
    assert.ok(kinds.includes('pack') && kinds.includes('index'));
    const owned = new Map((await s.client.listOwned()).map((b) => [b.blobId, b]));
    for (const b of p.blobs) {
      const onChain = owned.get(b.blobId)!;
      assert.equal(b.objectId, onChain.objectId);
      assert.equal(b.endEpoch, onChain.endEpoch);
      assert.equal(b.certifiedEpoch, onChain.certifiedEpoch);
      assert.equal(b.certificate.check, 'verified');
      assert.ok(b.certificate.signerShards >= b.certificate.quorumShards);
    }
    assert.equal((await api('GET', '/api/snapshots/nosuch/proof')).status, 404);
  });

  test('a spot-check run now reports every node, is announced and listed; bad input is refused', async () => {
    const before = await api('GET', '/api/spot-checks');
    assert.equal(before.status, 200);
    assert.deepEqual(before.json.history, []);
    assert.equal(before.json.running, false);
    assert.equal(before.json.setting.samplePercent, 1);
    assert.ok(before.json.nextAt > 0, 'due: none has run yet');

    const events = await EventReader.open(s.api);
    let r;
    try {
      const a = await api('POST', '/api/spot-checks', { snapshot, samplePercent: 100 });
      assert.equal(a.status, 200, a.text);
      r = a.json;
      assert.equal(r.trigger, 'manual');
      assert.equal(r.samplePercent, 100);
      assert.deepEqual(
        r.nodes.map((n: { verdict: string }) => n.verdict),
        ['answered', 'answered', 'answered', 'answered'],
      );
      // 4 nodes of 10 shards (n = 10, f = 3: 4 shards rebuild): 2 or more may fail.
      assert.ok(r.failuresTolerated >= 1);
      assert.equal(r.slivers, r.blobs * 10 * 2, 'both slivers of every shard of every blob');
      const announced = await events.next('spot-check');
      assert.equal(announced.data.time, r.time);

      const listed = (await api('GET', '/api/spot-checks')).json;
      assert.equal(listed.history.length, 1);
      assert.equal(listed.history[0].time, r.time);

      await s.t.net.stopNode(0);
      const down = (await api('POST', '/api/spot-checks', {})).json;
      assert.equal(down.samplePercent, 1, "the setting's sample");
      assert.equal(
        down.nodes.find((n: { name: string }) => n.name === 'node-0').verdict,
        'unreachable',
      );
      assert.match(down.summary, /node-0 did not answer/);
      await s.t.net.restartNode(0);
    } finally {
      events.close();
    }

    // Node health: node-0's last answer is the check it missed; it was last seen in the first.
    const health = (await api('GET', '/api/nodes')).json;
    const node0 = health.nodes.find((n: { name: string }) => n.name === 'node-0');
    assert.equal(node0.lastCheck.verdict, 'unreachable');
    assert.equal(node0.lastSeen, r.time);
    assert.ok(health.nodes.every((n: { shards: number }) => n.shards > 0));

    const zero = await api('POST', '/api/spot-checks', { samplePercent: 0 });
    assert.equal(zero.status, 400);
    assert.equal(zero.json.field, 'samplePercent');
    assert.equal((await api('POST', '/api/spot-checks', { snapshot: 'nosuch' })).status, 404);
  });

  test("each node's challenges, from the chain: the localnet challenges every node each epoch", async () => {
    s.t.net.ledger.advanceEpoch();
    for (let i = 0; ; i++) {
      const health = (await api('GET', '/api/nodes')).json;
      assert.equal(health.challengesSince, 0);
      if (
        health.nodes.every((n: { challenges: { passed: number } }) => n.challenges.passed === 1)
      ) {
        assert.ok(
          health.nodes.every((n: { challenges: { failed: number } }) => n.challenges.failed === 0),
        );
        assert.ok(health.nodes.every((n: { stake: string }) => BigInt(n.stake) > 0n));
        break;
      }
      assert.ok(i < 200, `every node answered its challenge: ${JSON.stringify(health.nodes)}`);
      await sleep(50);
    }
  });
});
