/**
 * The epoch change in Walrus's phases: voting end chooses the next committee, the change
 * hands it the shards while the previous committee is kept (`sync`), and it is done once
 * nodes holding a quorum of the new committee's shards report theirs received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainError, type ChainEvent } from '../../../core/walrus/chain/chain.js';
import { startTestLedger, type TestLedger } from '../../support/ledger.js';

const refusedAs = (code: string) => (e: unknown) => e instanceof ChainError && e.code === code;

async function eventsOf(t: TestLedger, type: string): Promise<ChainEvent[]> {
  return (await t.chain.events(0, 10_000)).events.filter((e) => e.type === type);
}

test('voting end, epoch change, shards reported: the ledger records each phase', async () => {
  const t = await startTestLedger({ nodes: 2, nShards: 10 }); // 5 and 5 shards
  try {
    assert.equal((await t.chain.systemState()).epochState, 'done');
    await t.chain.execute({ kind: 'stake', nodeId: 'node-1', amount: String(2_000_000_000n) });
    t.server.ledger.endVoting();
    const selected = await t.chain.systemState();
    assert.equal(selected.epochState, 'params-selected');
    assert.equal(selected.epoch, 1);
    assert.equal((await eventsOf(t, 'EpochParametersSelected')).length, 1);
    // Stake added after voting end counts from the epoch after next.
    const late = await t.chain.execute({ kind: 'stake', nodeId: 'node-0', amount: '5' });
    const added = (await eventsOf(t, 'StakeAdded')).find((e) => e.data.stakeId === late.stakeId)!;
    assert.equal(added.data.activationEpoch, 3);

    t.server.ledger.changeEpoch();
    const syncing = await t.chain.systemState();
    assert.equal(syncing.epoch, 2);
    assert.equal(syncing.epochState, 'sync');
    assert.deepEqual(
      syncing.committee.map((m) => m.shards.length),
      [3, 7],
    );
    assert.deepEqual(
      syncing.previousCommittee!.map((m) => m.shards),
      [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
      ],
    );
    assert.equal((await eventsOf(t, 'EpochChangeStart')).at(-1)!.data.epoch, 2);

    // Node 0 holds 3 of 10 shards: not a quorum (3w ≥ 2n + 1 needs 7).
    await t.operators[0]!.execute({ kind: 'epoch_sync_done', nodeId: 'node-0', epoch: 2 });
    assert.equal((await t.chain.systemState()).epochState, 'sync');
    await assert.rejects(
      t.operators[0]!.execute({ kind: 'epoch_sync_done', nodeId: 'node-0', epoch: 2 }),
      refusedAs('InvalidState'),
    );
    await assert.rejects(
      t.operators[1]!.execute({ kind: 'epoch_sync_done', nodeId: 'node-1', epoch: 1 }),
      refusedAs('InvalidState'),
    );
    await assert.rejects(
      t.chain.execute({ kind: 'epoch_sync_done', nodeId: 'node-1', epoch: 2 }),
      refusedAs('NotOwner'),
    );
    await t.operators[1]!.execute({ kind: 'epoch_sync_done', nodeId: 'node-1', epoch: 2 });
    const done = await t.chain.systemState();
    assert.equal(done.epochState, 'done');
    assert.equal(done.previousCommittee, null);
    assert.deepEqual(
      (await eventsOf(t, 'EpochChangeDone')).map((e) => e.data),
      [{ epoch: 1 }, { epoch: 2 }],
    );
    assert.deepEqual(
      (await eventsOf(t, 'ShardsReceived')).map((e) => e.data.nodeId),
      ['node-0', 'node-1'],
    );
  } finally {
    await t.close();
  }
});

test('the phases follow each other only in order', async () => {
  const t = await startTestLedger();
  try {
    assert.throws(() => t.server.ledger.changeEpoch(), /only change after voting ends/);
    t.server.ledger.endVoting();
    assert.throws(() => t.server.ledger.endVoting(), /only end once the epoch change is done/);
    t.server.ledger.changeEpoch();
    assert.throws(() => t.server.ledger.endVoting(), /only end once the epoch change is done/);
  } finally {
    await t.close();
  }
});

test('on the clock, the next epoch waits for the shards to be reported', async () => {
  const t = await startTestLedger({ genesis: { epochDurationMs: 300 }, autoAdvance: true });
  try {
    const started = (epoch: number) =>
      new Promise<void>((resolve) => {
        if (t.server.ledger.epoch >= epoch) return resolve();
        const off = t.server.ledger.subscribe((type, data) => {
          if (type === 'EpochChangeStart' && data.epoch === epoch) {
            off();
            resolve();
          }
        });
      });
    await started(2);
    // Three epoch lengths go by: nobody reported, so epoch 3 does not begin.
    await new Promise((r) => setTimeout(r, 900));
    const state = t.server.ledger.systemState();
    assert.deepEqual([state.epoch, state.epochState], [2, 'sync']);
    const next = started(3);
    for (const [i, op] of t.operators.entries())
      await op.execute({ kind: 'epoch_sync_done', nodeId: `node-${i}`, epoch: 2 });
    assert.equal(t.server.ledger.systemState().epochState, 'done');
    await next;
  } finally {
    await t.close();
  }
});
