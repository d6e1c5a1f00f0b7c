import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { verifySliver } from '../../../core/walrus/encoding/index.js';
import type { ChainEvent } from '../../../core/walrus/chain/chain.js';
import { startTestNetwork, type TestNetwork } from '../../support/localnet.js';

async function eventsOf(t: TestNetwork, type: string): Promise<ChainEvent[]> {
  return (await t.chain.events(0, 500)).events.filter((e) => e.type === type);
}

async function waitForAnswers(t: TestNetwork, count: number): Promise<ChainEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answered = await eventsOf(t, 'ChallengeAnswered');
    if (answered.length >= count || Date.now() > deadline) return answered;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('honest nodes answer every challenge and keep their stake and rewards', async () => {
  const t = await startTestNetwork();
  try {
    await t.client.store(randomBytes(20_000), { epochs: 5, deletable: false });
    t.net.ledger.advanceEpoch(); // issues one challenge per node
    assert.equal((await eventsOf(t, 'ChallengeIssued')).length, 4);
    const answered = await waitForAnswers(t, 4);
    assert.deepEqual(
      answered.map((e) => e.data.passed),
      [true, true, true, true],
    );
    t.net.ledger.advanceEpoch(); // settles them
    assert.deepEqual(await eventsOf(t, 'NodePenalised'), []);
    for (const n of ['node-0', 'node-1', 'node-2', 'node-3']) {
      const r = t.net.ledger.ledger.nodeRewards(n);
      assert.equal(r.slashed, '0');
      assert.ok(BigInt(r.rewards) > 0n, `${n} earned nothing`);
    }
  } finally {
    await t.close();
  }
});

test('a node that stored wrong slivers fails its challenge, is penalised, and then heals them', async () => {
  const t = await startTestNetwork();
  try {
    const stored = await t.client.store(randomBytes(20_000), { epochs: 5, deletable: false });
    // Wrong bytes written as if they were right (a bug, or a lie): their checksums match,
    // so only the challenge — a proof against the blob's metadata — exposes them.
    const node = t.net.nodes[2]!;
    const primaries = (await node.store.sliversOf(stored.blobId)).filter(
      (s) => s.kind === 'primary',
    );
    for (const { pair } of primaries) {
      const bytes = Uint8Array.from((await node.store.getSliver(stored.blobId, pair, 'primary'))!);
      bytes[bytes.length - 8]! ^= 0x01;
      await node.store.putSliver(stored.blobId, pair, 'primary', bytes);
    }
    const stakeBefore = BigInt(t.net.ledger.ledger.nodeRewards('node-2').stake);
    t.net.ledger.advanceEpoch();
    const answered = await waitForAnswers(t, 4);
    assert.equal(answered.find((e) => e.data.nodeId === 'node-2')!.data.passed, false);
    t.net.ledger.advanceEpoch();
    const penalties = await eventsOf(t, 'NodePenalised');
    assert.deepEqual(
      penalties.map((e) => [e.data.nodeId, e.data.reason]),
      [['node-2', 'wrong proof']],
    );
    const after = t.net.ledger.ledger.nodeRewards('node-2');
    assert.equal(BigInt(after.stake), stakeBefore - stakeBefore / 10n);
    assert.equal(BigInt(after.slashed), stakeBefore / 10n);
    // Its share of that epoch's fees was withheld, while node-3 (same shard count) was paid.
    assert.ok(BigInt(t.net.ledger.ledger.nodeRewards('node-3').rewards) > BigInt(after.rewards));
    // The failed challenge made it check the blob against its metadata and recover it.
    await node.recoveryIdle();
    const metadata = (await node.api.storedMetadata(stored.blobId))!;
    for (const { pair } of primaries)
      verifySliver(
        metadata,
        pair,
        'primary',
        (await node.store.getSliver(stored.blobId, pair, 'primary'))!,
      );
  } finally {
    await t.close();
  }
});

test('a node that is down cannot answer and is penalised for it', async () => {
  const t = await startTestNetwork();
  try {
    await t.client.store(randomBytes(20_000), { epochs: 5, deletable: false });
    await t.net.stopNode(1);
    t.net.ledger.advanceEpoch();
    await waitForAnswers(t, 3);
    t.net.ledger.advanceEpoch();
    const penalties = await eventsOf(t, 'NodePenalised');
    assert.deepEqual(
      penalties.map((e) => [e.data.nodeId, e.data.reason]),
      [['node-1', 'unanswered']],
    );
  } finally {
    await t.close();
  }
});
