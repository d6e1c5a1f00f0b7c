/**
 * A restore in its own process, so a test can run it under limits (ulimit -f, or a tiny
 * file system mounted for it alone). argv: ledger URL, target; the phrase on stdin.
 * Prints the result, or the error's name and message, and every name left under the
 * target, as one JSON line.
 */
import { readdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { deriveKeys } from '../../core/repo/keys.js';
import { findSnapshots, restoreSnapshot } from '../../core/sync/restore.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { CodecPool } from '../../core/walrus/encoding/pool.js';

const [ledgerUrl, target] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const keys = deriveKeys((await lines.next()).value as string);
const pool = new CodecPool({ size: 1 });
const left = () => readdir(target!, { recursive: true }).catch(() => []);
try {
  const client = new WalrusClient({ chain: new LocalChain(ledgerUrl!, keys.account), pool });
  const [newest] = await findSnapshots(client, keys);
  const result = await restoreSnapshot(client, keys, newest!.snapshot, { target: target! });
  console.log(JSON.stringify({ result, left: await left() }));
} catch (error) {
  const { name, message } = error as Error;
  console.log(JSON.stringify({ error: { name, message }, left: await left() }));
} finally {
  await pool.close();
}
