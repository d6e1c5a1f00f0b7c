/**
 * `floe blob put|get|extend|rm|ls`: raw Walrus blobs on the local network, with the
 * account `floe localnet start` funded. Floe's backups use the same client underneath.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChain } from '../../walrus/chain/local-chain.js';
import type { BlobObject } from '../../walrus/chain/chain.js';
import { WalrusClient } from '../../walrus/client/client.js';
import { CodecPool } from '../../walrus/encoding/pool.js';
import { ProgressTracker } from '../../sync/progress.js';
import { formatBytes, formatWal } from '../format.js';
import { UsageError } from '../errors.js';
import { ProgressBar } from '../progress-bar.js';
import type { CommandContext } from '../main.js';
import type { LocalnetInfo } from '../../localnet/info.js';
import { localnetDir, userLocalnetDir } from '../../session/localnet.js';

const USAGE = `usage:
  floe blob put FILE [--epochs N] [--deletable] [--attr KEY=VALUE]...
  floe blob get BLOB_ID OUT
  floe blob extend ID --epochs N
  floe blob rm ID
  floe blob ls
  (ID is a blob object id 0x… or a blob id; --localnet DIR picks the network)`;

/**
 * Blob ids are base64url and one in 32 starts with '-', which an option parser takes for
 * an option. A 43-character base64url word is never one of ours, so it is shielded from
 * the parser and handed back as the positional it is.
 */
const BLOB_ID = /^-[A-Za-z0-9_-]{42}$/;
const SHIELD = '\u0000';
const shieldBlobId = (arg: string) => (BLOB_ID.test(arg) ? SHIELD + arg : arg);
const unshieldBlobId = (arg: string) => (arg.startsWith(SHIELD) ? arg.slice(1) : arg);

export async function blobCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parseArgs({
    args: rest.map(shieldBlobId),
    options: {
      epochs: { type: 'string' },
      deletable: { type: 'boolean', default: false },
      attr: { type: 'string', multiple: true },
      localnet: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const values = parsed.values;
  const positionals = parsed.positionals.map(unshieldBlobId);
  const dir = values.localnet ?? (ctx.dataDir ? localnetDir(ctx.dataDir) : userLocalnetDir());
  const info = await readFile(join(dir, 'localnet.json'), 'utf8').then(
    (t) => JSON.parse(t) as LocalnetInfo,
    () => {
      throw new UsageError(`no local network in ${dir}: start one with "floe localnet start"`);
    },
  );
  const chain = new LocalChain(
    info.ledgerUrl,
    Ed25519Keypair.fromSecretKey(info.account.secretKey),
  );
  const pool = new CodecPool();
  const client = new WalrusClient({ chain, pool });
  try {
    switch (sub) {
      case 'put':
        return await put(client, positionals, values, ctx);
      case 'get':
        return await get(client, positionals, ctx);
      case 'extend': {
        const [id] = positionals;
        const epochs = Number(values.epochs);
        if (!id || !Number.isInteger(epochs) || epochs < 1) throw new UsageError(USAGE);
        const objectId = await resolveObject(client, id);
        const blob = await client.extend(objectId, epochs);
        ctx.out(
          ctx.json
            ? JSON.stringify(blob)
            : `extended ${blob.blobId}: stored until epoch ${blob.endEpoch}`,
        );
        return 0;
      }
      case 'rm': {
        const [id] = positionals;
        if (!id) throw new UsageError(USAGE);
        const objectId = await resolveObject(client, id);
        await client.delete(objectId);
        ctx.out(
          ctx.json
            ? JSON.stringify({ deleted: objectId })
            : `deleted ${objectId}; its storage returns to your account`,
        );
        return 0;
      }
      case 'ls': {
        const blobs = await client.listOwned();
        if (ctx.json) ctx.out(JSON.stringify(blobs));
        else for (const b of blobs) ctx.out(lsLine(b));
        return 0;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await pool.close();
  }
}

async function put(
  client: WalrusClient,
  positionals: string[],
  values: {
    epochs?: string | undefined;
    deletable?: boolean | undefined;
    attr?: string[] | undefined;
  },
  ctx: CommandContext,
): Promise<number> {
  const [file] = positionals;
  if (!file) throw new UsageError(USAGE);
  const epochs = Number(values.epochs ?? 5);
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new UsageError('--epochs must be a positive whole number');
  const attributes: Record<string, string> = {};
  for (const kv of values.attr ?? []) {
    const at = kv.indexOf('=');
    if (at < 1) throw new UsageError(`--attr takes KEY=VALUE, not "${kv}"`);
    attributes[kv.slice(0, at)] = kv.slice(at + 1);
  }
  const data = new Uint8Array(await readFile(file));
  const tracker = new ProgressTracker('store');
  const bar = ctx.json ? null : new ProgressBar();
  tracker.setTotals({ files: 1 });
  let sent = 0;
  const stored = await client.store(data, {
    epochs,
    deletable: values.deletable ?? false,
    ...(Object.keys(attributes).length ? { attributes } : {}),
    onProgress: (p) => {
      tracker.setPhase(p.phase);
      tracker.setTotals({ bytes: p.bytesTotal || null });
      tracker.advance(p.bytesSent - sent);
      sent = p.bytesSent;
      bar?.update(tracker.snapshot());
    },
  });
  bar?.done();
  if (ctx.json) {
    ctx.out(
      JSON.stringify({ ...stored, cost: stored.cost.toString(), tip: stored.tip.toString() }),
    );
  } else {
    ctx.out(`stored ${file} (${formatBytes(stored.size)}) as blob ${stored.blobId}`);
    ctx.out(
      `  object ${stored.objectId}, until epoch ${stored.endEpoch}, cost ${formatWal(stored.cost)}`,
    );
    if (stored.failedNodes.length) ctx.out(`  not confirmed by: ${stored.failedNodes.join('; ')}`);
  }
  return 0;
}

async function get(
  client: WalrusClient,
  positionals: string[],
  ctx: CommandContext,
): Promise<number> {
  const [blobId, out] = positionals;
  if (!blobId || !out) throw new UsageError(USAGE);
  const data = await client.read(blobId);
  await writeFile(out, data);
  ctx.out(
    ctx.json
      ? JSON.stringify({ blobId, bytes: data.length, out })
      : `wrote ${formatBytes(data.length)} to ${out}`,
  );
  return 0;
}

async function resolveObject(client: WalrusClient, id: string): Promise<string> {
  if (/^0x[0-9a-f]{64}$/.test(id)) return id;
  const mine = (await client.chain.blobsById(id)).filter(
    (b) =>
      b.owner === client.chain.address && (b.state === 'certified' || b.state === 'registered'),
  );
  if (mine.length === 0) throw new UsageError(`this account holds no live blob object for ${id}`);
  if (mine.length > 1)
    throw new UsageError(
      `this account holds ${mine.length} objects for ${id}; name one: ${mine.map((b) => b.objectId).join(', ')}`,
    );
  return mine[0]!.objectId;
}

function lsLine(b: BlobObject): string {
  return `${b.blobId}  ${b.objectId}  ${formatBytes(b.size).padStart(10)}  ${b.state.padEnd(10)} until epoch ${b.endEpoch}${b.deletable ? '  deletable' : ''}`;
}
