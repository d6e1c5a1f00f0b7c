/**
 * The proof behind a snapshot on a real localnet: exactly the blobs that hold it, each
 * with the signers and end epoch the ledger records, checked as the contract checks
 * them — still after renewals extended them, and from the chain alone on a new machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import { runBackup } from '../../core/sync/backup.js';
import { proveSnapshot, type SnapshotProof } from '../../core/sync/proof.js';
import { runRenewals } from '../../core/sync/renewals.js';
import { RepoReader } from '../../core/sync/repo-reader.js';
import { proofLines } from '../../core/cli/commands/proof.js';
import type { ReadChain } from '../../core/walrus/chain/chain.js';
import { startTestAccount, type TestAccount } from '../support/account.js';

/** Two backups: the second adds a file, so it needs the first run's packs and its own. */
async function twoBackups(a: TestAccount) {
  const { keys, client, src, index } = a;
  await writeFile(join(src, 'a.bin'), randomBytes(600_000));
  await writeFile(join(src, 'b.bin'), randomBytes(600_000));
  const first = await runBackup({ index, keys, client, epochs: 3, packTargetSize: 400_000 });
  const firstPacks = index.packs('certified').map((p) => p.blobId!);
  await writeFile(join(src, 'c.bin'), randomBytes(300_000));
  const second = await runBackup({ index, keys, client, epochs: 3, packTargetSize: 400_000 });
  const allPacks = index.packs('certified').map((p) => p.blobId!);
  return { first, second, firstPacks, allPacks };
}

async function prove(
  a: TestAccount,
  run: Awaited<ReturnType<typeof runBackup>>,
  chain: ReadChain = a.chain,
): Promise<SnapshotProof> {
  const reader = await RepoReader.open(a.client, a.keys);
  return proveSnapshot(
    { index: a.index, chain, client: a.client, reader, network: 'localnet' },
    { ...run.snapshot, blobId: run.snapshotBlobId },
  );
}

/** What the ledger itself holds for a blob: its object, and who signed its certify call. */
function ledgerView(a: TestAccount, objectId: string) {
  const ledger = a.t.net.ledger.ledger;
  const blob = ledger.blob(objectId)!;
  const certify = ledger.objectTransactions(objectId).find((t) => t.call?.kind === 'certify_blob')!;
  const committee = ledger.committeeOfEpoch(certify.epoch!)!;
  const call = certify.call as { signers: number[] };
  return {
    endEpoch: blob.endEpoch,
    certifiedEpoch: blob.certifiedEpoch,
    deletable: blob.deletable,
    signers: call.signers.map((i) => committee[i]!.nodeId).sort(),
  };
}

test('the proof of a snapshot lists exactly its blobs, with the signers and end epochs the ledger records', async () => {
  const a = await startTestAccount();
  try {
    const { first, second, firstPacks, allPacks } = await twoBackups(a);
    assert.ok(firstPacks.length >= 2, 'the files fill more than one pack');
    assert.ok(allPacks.length > firstPacks.length);
    for (const [run, packs] of [
      [first, firstPacks],
      [second, allPacks],
    ] as const) {
      const proof = await prove(a, run);
      const byKind = (k: string) =>
        proof.blobs
          .filter((b) => b.kind === k)
          .map((b) => b.blobId)
          .sort();
      assert.deepEqual(byKind('snapshot'), [run.snapshotBlobId]);
      assert.deepEqual(byKind('pack'), [...packs].sort());
      assert.deepEqual(byKind('index'), [...run.snapshot.indexBlobs].sort());
      for (const b of proof.blobs) {
        const l = ledgerView(a, b.objectId!);
        assert.equal(b.endEpoch, l.endEpoch);
        assert.equal(b.certifiedEpoch, l.certifiedEpoch);
        assert.equal(b.deletable, l.deletable);
        assert.deepEqual(b.certificate!.signers.map((s) => s.nodeId).sort(), l.signers);
        assert.equal(b.certificate!.check, 'verified', `${b.kind} ${b.blobId}`);
        assert.ok(b.certificate!.signerShards! >= b.certificate!.quorumShards);
        assert.equal(b.seenHere?.agrees, true, 'what this machine saw is what the chain says');
        assert.equal(b.renewed, true);
      }
      assert.equal(proof.summary.complete, true);
      assert.equal(
        proof.summary.guaranteedUntilEpoch,
        Math.min(...proof.blobs.map((b) => b.endEpoch!)),
      );
      assert.equal(proof.nodes, 4);
      // 10 shards over 4 nodes (3, 3, 2, 2): n − 2f = 4 shards, any 2 nodes hold them.
      assert.equal(proof.readShards, 4);
      assert.equal(proof.nodesEnough, 2);
      assert.equal(proof.quorumShards, 7);
    }
    const lines = proofLines(await prove(a, second));
    assert.match(lines[1]!, /Stored with 4 storage nodes; any 2 of them hold enough to rebuild it/);
    assert.match(lines[2]!, /renewed automatically/);
  } finally {
    await a.close();
  }
});

test('after renewals extend its blobs the proof follows the new end epochs and still finds each certificate', async () => {
  const a = await startTestAccount();
  try {
    const { second } = await twoBackups(a);
    const before = await prove(a, second);
    a.t.net.ledger.advanceEpoch();
    a.t.net.ledger.advanceEpoch();
    const renewal = await runRenewals(a.client, a.index, { windowEpochs: 2, termEpochs: 4 });
    assert.ok(renewal.extended > 0);
    const after = await prove(a, second);
    for (const b of after.blobs) {
      const was = before.blobs.find((x) => x.blobId === b.blobId)!;
      assert.equal(b.endEpoch, ledgerView(a, b.objectId!).endEpoch);
      assert.ok(b.endEpoch! > was.endEpoch!);
      assert.equal(b.certificate!.txDigest, was.certificate!.txDigest);
      assert.equal(b.certificate!.check, 'verified');
    }
  } finally {
    await a.close();
  }
});

test('a new machine, with only the phrase and the chain, gets the same proof (less what the old machine saw)', async () => {
  const a = await startTestAccount();
  try {
    const { second } = await twoBackups(a);
    const here = await prove(a, second);
    const fresh = Index.open(join(a.dir, 'new-machine.db'));
    try {
      const reader = await RepoReader.open(a.client, a.keys);
      const there = await proveSnapshot(
        { index: fresh, chain: a.chain, client: a.client, reader, network: 'localnet' },
        { ...second.snapshot, blobId: second.snapshotBlobId },
      );
      const strip = (p: SnapshotProof) =>
        p.blobs
          .map((b) => ({ ...b, seenHere: null, renewed: null }))
          .sort((x, y) => (x.blobId < y.blobId ? -1 : 1));
      assert.deepEqual(strip(there), strip(here));
      assert.ok(
        there.blobs.every((b) => b.seenHere === null && b.certificate?.check === 'verified'),
      );
      assert.equal(there.summary.verified, here.summary.verified);
    } finally {
      fresh.close();
    }
  } finally {
    await a.close();
  }
});

test('a chain that answers with another blob’s certificate is caught, not shown as proof', async () => {
  const a = await startTestAccount();
  try {
    const { second } = await twoBackups(a);
    const owned = await a.client.listOwned();
    const other = owned.find((b) => b.blobId !== second.snapshotBlobId && b.state === 'certified')!;
    // A chain (standing in for a lying full node) that gives every blob the same certificate.
    const lying: ReadChain = Object.assign(Object.create(a.chain) as ReadChain, {
      certification: () => a.chain.certification(other),
    });
    const proof = await prove(a, second, lying);
    const snapshot = proof.blobs.find((b) => b.kind === 'snapshot')!;
    assert.equal(snapshot.certificate!.check, 'invalid');
    assert.match(snapshot.certificate!.problem!, /another blob/);
    assert.equal(snapshot.seenHere?.agrees, false);
    assert.equal(proof.summary.complete, false);
  } finally {
    await a.close();
  }
});
