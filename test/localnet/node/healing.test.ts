/**
 * Nodes that heal (issue 13, item 8): sliver files damaged on disk are found — by the
 * scrub at start and on its timer, by a read, by a challenge — and recovered from the
 * other nodes, so challenges are answered again and nothing stays corrupt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChainEvent } from '../../../core/walrus/chain/chain.js';
import { verifySliver } from '../../../core/walrus/encoding/index.js';
import type { StorageNode } from '../../../core/localnet/node/server.js';
import { NodeRejectedError, StorageNodeClient } from '../../../core/walrus/storage-node-client.js';
import { startTestNetwork, type TestNetwork } from '../../support/localnet.js';

/** Flips a byte in every sliver file of the blob on node `i`, as bit rot or a stray write would. */
async function corrupt(t: TestNetwork, i: number, blobId: string): Promise<number> {
  const dir = join(t.net.dir, 'nodes', `node-${i}`, 'blobs', blobId);
  const files = (await readdir(dir)).filter((f) => /\.(primary|secondary)$/.test(f));
  for (const f of files) {
    const bytes = await readFile(join(dir, f));
    bytes[bytes.length - 10]! ^= 0x55;
    await writeFile(join(dir, f), bytes);
  }
  return files.length;
}

/** Every sliver the node should hold verifies against the blob's metadata. */
async function assertWhole(node: StorageNode, blobId: string, expected: number) {
  const metadata = (await node.api.storedMetadata(blobId))!;
  const slivers = await node.store.sliversOf(blobId);
  assert.equal(slivers.length, expected, 'every sliver is back');
  for (const { pair, kind } of slivers)
    verifySliver(metadata, pair, kind, (await node.store.getSliver(blobId, pair, kind))!);
}

async function answers(t: TestNetwork, count: number): Promise<ChainEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answered = (await t.chain.events(0, 500)).events.filter(
      (e) => e.type === 'ChallengeAnswered',
    );
    if (answered.length >= count || Date.now() > deadline) return answered;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('slivers corrupted on two nodes are repaired and every challenge is answered', async () => {
  const t = await startTestNetwork();
  try {
    const stored = await t.client.store(randomBytes(40_000), { epochs: 5, deletable: false });
    const counts = [await corrupt(t, 1, stored.blobId), await corrupt(t, 2, stored.blobId)];
    t.net.ledger.advanceEpoch(); // one challenge per node
    const answered = await answers(t, 4);
    assert.deepEqual(answered.map((e) => [e.data.nodeId, e.data.passed]).sort(), [
      ['node-0', true],
      ['node-1', true],
      ['node-2', true],
      ['node-3', true],
    ]);
    for (const [k, i] of [1, 2].entries()) {
      const node = t.net.nodes[i]!;
      await node.scrubNow();
      await assertWhole(node, stored.blobId, counts[k]!);
    }
    t.net.ledger.advanceEpoch(); // settles the challenges: nobody is penalised
    assert.deepEqual(
      (await t.chain.events(0, 500)).events.filter((e) => e.type === 'NodePenalised'),
      [],
    );
  } finally {
    await t.close();
  }
});

test('the scrub finds corrupted slivers and the node recovers them from its peers', async () => {
  const t = await startTestNetwork();
  try {
    const stored = await t.client.store(randomBytes(30_000), { epochs: 5, deletable: false });
    const count = await corrupt(t, 0, stored.blobId);
    const node = t.net.nodes[0]!;
    await node.scrubNow();
    const last = node.scrubLog.at(-1)!;
    assert.equal(last.damaged.length, count);
    await assertWhole(node, stored.blobId, count);
  } finally {
    await t.close();
  }
});

test('corrupted slivers do not survive a restart', async () => {
  const t = await startTestNetwork();
  try {
    const stored = await t.client.store(randomBytes(30_000), { epochs: 5, deletable: false });
    const count = await corrupt(t, 3, stored.blobId);
    const node = await t.net.restartNode(3);
    await node.recoveryIdle();
    await assertWhole(node, stored.blobId, count);
  } finally {
    await t.close();
  }
});

test('a read that meets a corrupted sliver is refused, served elsewhere, and the node repairs it', async () => {
  const t = await startTestNetwork();
  try {
    const data = randomBytes(30_000);
    const stored = await t.client.store(Uint8Array.from(data), { epochs: 5, deletable: false });
    const count = await corrupt(t, 0, stored.blobId);
    const node = t.net.nodes[0]!;
    const { pair } = (await node.store.sliversOf(stored.blobId)).find((s) => s.kind === 'primary')!;
    // The node checks what it serves: a damaged sliver is answered as one it lacks.
    await assert.rejects(
      new StorageNodeClient(node.url).getSliver(stored.blobId, pair, 'primary'),
      (e: unknown) => e instanceof NodeRejectedError && e.reason === 'SLIVER_NOT_FOUND',
    );
    assert.deepEqual(Buffer.from(await t.client.read(stored.blobId)), data);
    await node.recoveryIdle();
    await assertWhole(node, stored.blobId, count);
  } finally {
    await t.close();
  }
});

test('one lost sliver is rebuilt from its peers symbols, byte for byte', async () => {
  const t = await startTestNetwork();
  try {
    const stored = await t.client.store(randomBytes(50_000), { epochs: 5, deletable: false });
    const node = t.net.nodes[1]!;
    // The node recovers only what it knows certified: wait until it has followed the
    // certification (its blob status says so), and for the recovery that follows it.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const status = await new StorageNodeClient(node.url).getBlobStatus(stored.blobId);
      if (typeof status === 'object' && 'permanent' in status && status.permanent.isCertified)
        break;
      assert.ok(Date.now() < deadline, 'the node never saw the certification');
      await new Promise((r) => setTimeout(r, 50));
    }
    await node.recoveryIdle();
    for (const kind of ['primary', 'secondary'] as const) {
      const { pair } = (await node.store.sliversOf(stored.blobId)).find((s) => s.kind === kind)!;
      const original = await node.store.getSliver(stored.blobId, pair, kind);
      await node.store.removeSliver(stored.blobId, pair, kind);
      await node.scrubNow();
      assert.equal(node.recoveryLog.at(-1)!.blobId, stored.blobId);
      assert.equal((node.recoveryLog.at(-1) as { route: string }).route, 'symbols');
      assert.deepEqual(await node.store.getSliver(stored.blobId, pair, kind), original);
    }
  } finally {
    await t.close();
  }
});
