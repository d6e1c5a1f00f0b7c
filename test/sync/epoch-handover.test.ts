/**
 * A restore and a backup across an epoch change in which shards move to a node that is
 * slow to sync them. While it syncs, the new committee cannot serve the older blobs (the
 * node that received most shards does not hold their slivers yet): Floe reads them from the
 * previous committee, as the official SDK does, and stores new ones to the new committee.
 * When the node has its shards the change is done and reads move to the new committee.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';
import { runBackup } from '../../core/sync/backup.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { ConcurrencyLimiter } from '../../core/walrus/client/limiter.js';
import { readCommittees } from '../../core/walrus/client/read-committee.js';
import { StorageNodeClient } from '../../core/walrus/storage-node-client.js';
import { startTestNetwork } from '../support/localnet.js';

const SMALL_CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };

test('restore and backup during a shard handover to a slow node, then after it', async () => {
  const t = await startTestNetwork(); // 4 nodes, 10 shards: 3, 3, 2, 2
  const dir = await mkdtemp(join(tmpdir(), 'floe-handover-'));
  try {
    const phrase = generateRecoveryPhrase();
    const keys = deriveKeys(phrase);
    const chain = new LocalChain(t.net.url, keys.account);
    for (let i = 0; i < 30; i++) await chain.faucet(chain.address);
    const client = new WalrusClient({ chain, pool: t.pool });
    const src = join(dir, 'src');
    await mkdir(join(src, 'docs'), { recursive: true });
    const files: Record<string, Buffer> = {
      'big.bin': randomBytes(400_000),
      'docs/a.txt': Buffer.from('alpha'),
      'docs/b.bin': randomBytes(90_000),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(src, name), bytes);
    const index = Index.open(join(dir, 'index.db'));
    index.addFolder(src);
    const backup = () =>
      runBackup({
        index,
        keys,
        client,
        epochs: 10,
        packTargetSize: 128 * 1024,
        chunker: SMALL_CHUNKS,
      });
    await backup();

    // Stake moves shards: with stakes 1 : 1 : 1 : 30 node-3 will hold 9 of 10, seven of them
    // new, and node-0 one. Of the new committee's shards only 3 hold their slivers already
    // (node-0's and node-3's own two), fewer than the 4 a read needs.
    await chain.execute({ kind: 'stake', nodeId: 'node-3', amount: String(29_000_000_000_000n) });
    const slow = t.net.nodes[3]!;
    slow.throttleShardSync(20_000);
    t.net.ledger.advanceEpoch();
    const during = await chain.systemState();
    assert.equal(during.epochState, 'sync');
    assert.deepEqual(
      during.committee.map((m) => m.shards.length),
      [1, 0, 0, 9],
    );

    // A new machine restores while node-3 syncs.
    const reader = new WalrusClient({
      chain: new LocalChain(t.net.url, deriveKeys(phrase).account),
      pool: t.pool,
    });
    const restore = async (target: string) => {
      const [latest] = await findSnapshots(reader, keys);
      await restoreSnapshot(reader, keys, latest!.snapshot, { target });
      return target;
    };
    const first = await restore(join(dir, 'during'));
    for (const [name, bytes] of Object.entries(files))
      assert.deepEqual(await readFile(join(first, name)), bytes, name);

    // A backup during the change stores to the new committee, node-3 included.
    files['docs/a.txt'] = Buffer.from('alpha, edited during the handover');
    files['docs/c.bin'] = randomBytes(150_000);
    for (const name of ['docs/a.txt', 'docs/c.bin']) await writeFile(join(src, name), files[name]!);
    const second = await backup();
    assert.equal(second.files, 2);
    // … and its snapshot, mixing old packs and new ones, restores while still syncing.
    const mixed = await restore(join(dir, 'mixed'));
    for (const [name, bytes] of Object.entries(files))
      assert.deepEqual(await readFile(join(mixed, name)), bytes, name);
    assert.equal(
      (await chain.systemState()).epochState,
      'sync',
      'node-3 finished syncing before the restores did: the test proved nothing',
    );

    // Node-3 speeds up, syncs its shards from their previous holders, and reports them.
    slow.throttleShardSync(null);
    const deadline = Date.now() + 60_000;
    while ((await chain.systemState()).epochState !== 'done') {
      assert.ok(
        Date.now() < deadline,
        `the change never finished: ${JSON.stringify(slow.syncLog)}`,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    const log = slow.syncLog.at(-1)!;
    assert.ok('synced' in log && log.synced > 0 && log.failed.length === 0, JSON.stringify(log));

    // Done: reads go to the new committee, where node-3 now serves nine shards.
    const after = await restore(join(dir, 'after'));
    for (const [name, bytes] of Object.entries(files))
      assert.deepEqual(await readFile(join(after, name)), bytes, name);
    index.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  }
});

test('while shards move, a read tries the committee that holds the blob, and both when the nodes cannot say', async () => {
  // Found as a flaky failure of the test above under CI load ("3 of the 4 slivers needed
  // could be fetched"): the node holding most shards was too busy syncing to answer the
  // status request, so a blob certified during the change was read from the previous
  // committee only, which never had it.
  const t = await startTestNetwork();
  try {
    const chain = new LocalChain(t.net.url, deriveKeys(generateRecoveryPhrase()).account);
    for (let i = 0; i < 30; i++) await chain.faucet(chain.address);
    const client = new WalrusClient({ chain, pool: t.pool });
    const before = await client.store(randomBytes(20_000), { epochs: 5, deletable: false });
    await chain.execute({ kind: 'stake', nodeId: 'node-3', amount: String(29_000_000_000_000n) });
    t.net.ledger.advanceEpoch();
    // The system as a reader sees it while shards move (the plan depends on nothing else).
    const state = await chain.systemState();
    assert.equal(state.epochState, 'sync');
    // The nodes see the new epoch as they next look at the chain.
    await new Promise((r) => setTimeout(r, 1_500));
    const written = randomBytes(20_000);
    const during = await client.store(Uint8Array.from(written), { epochs: 5, deletable: false });
    // Read at once, as a restore right after a backup does: the nodes may not say yet in
    // which epoch it was certified, and the previous committee never had it.
    assert.deepEqual(Buffer.from(await client.read(during.blobId)), written);
    const ctx = {
      limiter: new ConcurrencyLimiter(8),
      nodeClient: (url: string) => new StorageNodeClient(url),
    };
    const plan = async (blobId: string) =>
      (await readCommittees(ctx, state, blobId)).map((c) =>
        c === state.committee ? 'current' : 'previous',
      );
    assert.deepEqual(await plan(before.blobId), ['previous']);
    assert.equal((await plan(during.blobId)).at(-1), 'current');
    // A blob no node knows: the previous committee first, then the current one.
    const unknown = Buffer.alloc(32, 7).toString('base64url');
    assert.deepEqual(await plan(unknown), ['previous', 'current']);
  } finally {
    await t.close();
  }
});
