/**
 * The client counts confirmations by the contract's rule: on a 5-shard network (one shard
 * a node) three confirmations are not a quorum — Move needs 4 — so the store stops with
 * NotEnoughConfirmationsError before paying for a certify the chain would refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { NotEnoughConfirmationsError } from '../../../core/walrus/client/errors.js';
import { startTestNetwork } from '../../support/localnet.js';

test('at n = 5, three confirming shards do not certify and four do', async () => {
  const t = await startTestNetwork({ nodes: 5, nShards: 5 });
  try {
    await t.net.stopNode(3);
    await t.net.stopNode(4);
    await assert.rejects(
      t.client.store(randomBytes(3_000), { epochs: 1, deletable: false }),
      (e: unknown) =>
        e instanceof NotEnoughConfirmationsError && e.confirmedShards === 3 && e.quorum === 4,
    );
    await t.net.restartNode(3);
    const stored = await t.client.store(randomBytes(3_000), { epochs: 1, deletable: false });
    assert.equal((await t.chain.getBlob(stored.objectId))!.state, 'certified');
    assert.equal(stored.failedNodes.length, 1);
  } finally {
    await t.close();
  }
});
