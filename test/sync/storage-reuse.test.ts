/**
 * Storage bought for stores that were killed is used again. Ten backups killed mid-upload,
 * then one that completes: each restart deletes the interrupted blob (its storage returns
 * to the account) and registers the next pack into that storage instead of buying more.
 * What the account spent is measured against a clean backup of the same files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from '../../core/index/index.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';
import { runBackup } from '../../core/sync/backup.js';
import { collectStatus } from '../../core/sync/status.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { killBackup } from '../support/killed-backup.js';
import { startTestNetwork } from '../support/localnet.js';

const KILLS = 10;
const WAL = 1e9;

test(`after ${KILLS} backups killed mid-upload, their storage holds the packs of the next`, async (tt) => {
  const t = await startTestNetwork();
  const dir = await mkdtemp(join(tmpdir(), 'floe-reuse-'));
  try {
    const src = join(dir, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    for (let i = 0; i < 6; i++)
      await writeFile(join(src, 'sub', `f${i}.bin`), randomBytes(150_000));
    await writeFile(join(src, 'note.txt'), 'keep me');

    const account = async (name: string) => {
      const phrase = generateRecoveryPhrase();
      const keys = deriveKeys(phrase);
      const chain = new LocalChain(t.net.url, keys.account);
      await chain.faucet(chain.address);
      const indexPath = join(dir, `${name}.db`);
      const setup = Index.open(indexPath);
      setup.addFolder(src);
      setup.close();
      const balance = async () => BigInt((await chain.balances(chain.address)).wal);
      return { phrase, keys, chain, indexPath, start: await balance(), balance };
    };
    const finish = async (a: Awaited<ReturnType<typeof account>>) => {
      const client = new WalrusClient({ chain: a.chain, pool: t.pool });
      const index = Index.open(a.indexPath);
      await runBackup({ index, keys: a.keys, client, epochs: 5, packTargetSize: 300_000 });
      const status = await collectStatus(index, client);
      index.close();
      return { spent: a.start - (await a.balance()), status };
    };

    // The same files backed up once, undisturbed, by another account.
    const clean = await finish(await account('clean'));

    const killed = await account('killed');
    for (let i = 0; i < KILLS; i++)
      await killBackup(
        t.net,
        killed.phrase,
        killed.indexPath,
        { line: (o) => o.store === 'uploading' && (o.bytesSent as number) > 0 },
        `kill ${i + 1}`,
      );
    const afterKills = await finish(killed);

    const unused = afterKills.status.storage!.unusedStorage;
    const spentFor = (s: bigint) => `${(Number(s) / WAL).toFixed(4)} WAL`;
    tt.diagnostic(
      `clean backup ${spentFor(clean.spent)}; after ${KILLS} kills ${spentFor(afterKills.spent)}; ` +
        `unused storage left: ${unused.resources} resources, ${unused.bytes} bytes`,
    );
    // Every killed store bought storage once at most; the next run stored into it.
    assert.ok(unused.resources <= 1, `${unused.resources} storage resources sit unused`);
    assert.ok(
      afterKills.spent < (clean.spent * 3n) / 2n,
      `the killed account spent ${spentFor(afterKills.spent)}, a clean backup ${spentFor(clean.spent)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  }
});
