/**
 * A backup in its own process, so a test can kill -9 it at an exact stage. argv: ledger
 * URL, index path, then the recovery phrase on stdin's first line. Prints one JSON line
 * per progress report ({ backup } for files read, { store } for each blob store's phases).
 */
import { createInterface } from 'node:readline';
import { Index } from '../../core/index/index.js';
import { deriveKeys } from '../../core/repo/keys.js';
import { runBackup } from '../../core/sync/backup.js';
import { LocalChain } from '../../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../../core/walrus/client/client.js';
import { CodecPool } from '../../core/walrus/encoding/pool.js';

const [ledgerUrl, indexPath] = process.argv.slice(2);
const phrase = (await createInterface({ input: process.stdin })[Symbol.asyncIterator]().next())
  .value as string;
const keys = deriveKeys(phrase);
const pool = new CodecPool({ size: 1 });
const client = new WalrusClient({ chain: new LocalChain(ledgerUrl!, keys.account), pool });
const index = Index.open(indexPath!);
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
await runBackup(
  {
    index,
    keys,
    client,
    epochs: 5,
    packTargetSize: 300_000,
    chunker: { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 },
    onStore: (p) => say({ store: p.phase, bytesSent: p.bytesSent }),
  },
  (p) => say({ backup: p.phase, filesDone: p.filesDone }),
);
say({ done: true });
index.close();
await pool.close();
