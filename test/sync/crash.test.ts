/**
 * kill -9 at every stage of a backup, then back up again: no file lost, no dangling
 * reference, no pack referenced twice, nothing left registered and paid for, and the
 * work completes. The backup runs in a child process; the kill is triggered either by
 * the child's own progress lines or, for the instants between two chain transactions,
 * synchronously from the ledger's event stream before the child hears the reply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';
import { runBackup } from '../../core/sync/backup.js';
import { isFloeBlob } from '../../core/sync/attributes.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { killBackup } from '../support/killed-backup.js';
import { startTestNetwork, type TestNetwork } from '../support/localnet.js';

type Trigger =
  | { line: (o: Record<string, unknown>) => boolean }
  | { event: (type: string, data: Record<string, unknown>, t: TestNetwork) => boolean };

const STAGES: Record<string, Trigger> = {
  'mid-read': { line: (o) => o.backup === 'uploading' && (o.filesDone as number) >= 2 },
  'mid-encode': { line: (o) => o.store === 'encoding' },
  'mid-upload': { line: (o) => o.store === 'uploading' && (o.bytesSent as number) > 0 },
  'between pack certify and index commit': {
    event: (type, data, t) => type === 'BlobCertified' && kindOf(t, data) === 'pack',
  },
  'while the index blob is registered, before its upload': {
    event: (type, data, t) => type === 'BlobRegistered' && kindOf(t, data) === 'index',
  },
  'between snapshot certify and index commit': {
    event: (type, data, t) => type === 'BlobCertified' && kindOf(t, data) === 'snapshot',
  },
};

function kindOf(t: TestNetwork, data: Record<string, unknown>): string | undefined {
  return t.net.ledger.ledger.blob(data.objectId as string)?.attributes.kind;
}

for (const [stage, trigger] of Object.entries(STAGES)) {
  test(`kill -9 ${stage}, then back up again: nothing lost, nothing dangling`, async () => {
    const t = await startTestNetwork();
    const dir = await mkdtemp(join(tmpdir(), 'floe-crash-'));
    try {
      const phrase = generateRecoveryPhrase();
      const keys = deriveKeys(phrase);
      const chain = new LocalChain(t.net.url, keys.account);
      await chain.faucet(chain.address);
      const src = join(dir, 'src');
      await mkdir(join(src, 'sub'), { recursive: true });
      for (let i = 0; i < 6; i++)
        await writeFile(join(src, 'sub', `f${i}.bin`), randomBytes(150_000));
      await writeFile(join(src, 'note.txt'), 'keep me');
      const indexPath = join(dir, 'index.db');
      const setup = Index.open(indexPath);
      setup.addFolder(src);
      setup.close();

      await killBackup(
        t.net,
        phrase,
        indexPath,
        'event' in trigger ? { event: (type, data) => trigger.event(type, data, t) } : trigger,
        `the ${stage} kill`,
      );

      // Restart: the same index file, a backup that must complete.
      const client = new WalrusClient({ chain, pool: t.pool });
      const index = Index.open(indexPath);
      await runBackup({ index, keys, client, epochs: 5, packTargetSize: 300_000 });
      assert.deepEqual(index.pending(), [], 'the journal is empty');

      // Nothing lost: a new machine restores the tree byte for byte.
      const [newest] = await findSnapshots(client, keys);
      const out = join(dir, 'out');
      await restoreSnapshot(client, keys, newest!.snapshot, { target: out });
      for (const name of await readdir(join(src, 'sub')))
        assert.deepEqual(
          await readFile(join(out, 'sub', name)),
          await readFile(join(src, 'sub', name)),
        );
      assert.equal(await readFile(join(out, 'note.txt'), 'utf8'), 'keep me');

      // Nothing dangling or doubled: each certified pack blob on chain is one pack in the
      // index, and nothing is left registered (paid for, never certified).
      const owned = (await client.listOwned()).filter((b) => b.attributes.app === 'floe');
      const packBlobs = index.packs().map((p) => p.blobId);
      assert.equal(new Set(packBlobs).size, packBlobs.length, 'no blob is two packs');
      for (const b of owned) {
        assert.notEqual(b.state, 'registered', `blob ${b.blobId} left registered`);
        if (b.state === 'certified' && isFloeBlob(b.attributes, 'pack'))
          assert.ok(packBlobs.includes(b.blobId), `certified pack ${b.blobId} is not in the index`);
      }
      index.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
      await t.close();
    }
  });
}
