/**
 * `floe localnet start`: a whole local Walrus network in the foreground — the user's own
 * (the one every data directory uses, and that Floe otherwise starts in the background),
 * `floe --data DATADIR`'s own (in DATADIR/localnet), or one in `localnet start --data DIR`
 * itself. It writes `localnet.json` (ledger URL, a funded test account, its pid) into its
 * directory, which `floe blob …` and data directories read, and stops cleanly on Ctrl-C
 * or `floe localnet stop`.
 * `--listen ADDRESS` serves it to other machines (a home server); `--relay` adds an upload
 * relay, `--relay-tip MIST` (and `--relay-tip-per-kib MIST`) make it charge as a paid one.
 */
import { isIP } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Localnet, type LocalnetOptions } from '../../localnet/network.js';
import { LocalChain } from '../../walrus/chain/local-chain.js';
import type { TipConfig } from '../../walrus/relay/tip.js';
import { IndexBusyError, lockIndex } from '../../index/lock.js';
import { INFO_FILE, writeLocalnetInfo, type LocalnetInfo } from '../../localnet/info.js';
import { stopLocalnet } from '../../localnet/user-localnet.js';
import { localnetDir, userLocalnetDir } from '../../session/localnet.js';
import { UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import type { CommandContext } from '../main.js';

const USAGE =
  'usage: floe [--data DATADIR] localnet start [--data DIR] [--nodes N] [--shards N] [--epoch-duration 60s]\n' +
  '         [--listen ADDRESS] [--port N] [--relay [--relay-tip MIST] [--relay-tip-per-kib MIST]]\n' +
  '       floe [--data DATADIR] localnet stop [--data DIR]';

/**
 * After the subcommand, `--data DIR` is the network's own directory (as it always was);
 * before it, the data directory whose network this is.
 */
const OPTIONS = { data: { type: 'string' } } as const;

/** The network's directory: `localnet … --data`, else the data directory's own, else the user's. */
function networkDir(values: { data?: string }, ctx: CommandContext): string {
  return values.data ?? (ctx.dataDir ? localnetDir(ctx.dataDir) : userLocalnetDir());
}

export async function localnetCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'stop') return stopCommand(rest, ctx);
  if (sub !== 'start') throw new UsageError(USAGE);
  const { values } = parseArgs({
    args: rest,
    options: {
      ...OPTIONS,
      nodes: { type: 'string', default: '10' },
      shards: { type: 'string', default: '100' },
      'epoch-duration': { type: 'string', default: '60s' },
      'max-epochs-ahead': { type: 'string', default: '53' },
      listen: { type: 'string' },
      port: { type: 'string' },
      relay: { type: 'boolean', default: false },
      'relay-tip': { type: 'string' },
      'relay-tip-per-kib': { type: 'string' },
    },
    strict: true,
  });
  const dir = networkDir(values, ctx);
  const options = {
    dir,
    nodes: positiveInt(values.nodes, '--nodes'),
    nShards: positiveInt(values.shards, '--shards'),
    epochDurationMs: parseDuration(values['epoch-duration']),
    maxEpochsAhead: positiveInt(values['max-epochs-ahead'], '--max-epochs-ahead'),
    ...(values.listen !== undefined ? { host: listenAddress(values.listen) } : {}),
    ...(values.port ? { ledgerPort: positiveInt(values.port, '--port') } : {}),
    ...(values.relay
      ? { relay: { tip: relayTip(values['relay-tip'], values['relay-tip-per-kib']) } }
      : {}),
  };
  await mkdir(dir, { recursive: true });
  // One network per directory: a second would fight the first over its ledger and ports.
  const lock = await lockIndex(join(dir, 'localnet.lock')).catch((error: unknown) => {
    if (error instanceof IndexBusyError)
      throw new Error(
        `a localnet already runs in ${dir} (pid ${error.pid}): "floe localnet stop" ends it`,
      );
    throw error;
  });
  try {
    return await serve(options, ctx);
  } finally {
    await lock.release();
  }
}

async function serve(options: LocalnetOptions, ctx: CommandContext): Promise<number> {
  const { dir } = options;
  const net = await Localnet.start(options);
  const keypair = new Ed25519Keypair();
  const chain = new LocalChain(net.url, keypair);
  await chain.faucet(chain.address);
  const state = await chain.systemState();
  const info: LocalnetInfo = {
    ledgerUrl: net.url,
    ...(net.relay ? { relayUrl: net.relay.url } : {}),
    nodes: state.committee.map((m) => ({ nodeId: m.nodeId, url: m.url, shards: m.shards.length })),
    account: { address: chain.address, secretKey: keypair.getSecretKey() },
    pid: process.pid,
  };
  await writeLocalnetInfo(dir, info);
  if (ctx.json) {
    ctx.out(JSON.stringify(info));
  } else {
    ctx.out(`Walrus localnet running in ${dir} (pid ${process.pid})`);
    ctx.out(
      `  ledger    ${net.url}   epoch ${state.epoch}, ${state.epochDurationMs / 1000}s epochs, ${state.nShards} shards`,
    );
    for (const n of info.nodes) ctx.out(`  ${n.nodeId.padEnd(9)} ${n.url}   ${n.shards} shards`);
    if (info.relayUrl) ctx.out(`  relay     ${info.relayUrl}`);
    ctx.out(`  account   ${info.account.address} (funded; key in ${join(dir, INFO_FILE)})`);
    ctx.out('Press Ctrl-C to stop (or run "floe localnet stop").');
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    ctx.signal?.addEventListener('abort', stop, { once: true });
  });
  await net.stop();
  return 0;
}

async function stopCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const dir = networkDir(values, ctx);
  const pid = await stopLocalnet(dir);
  if (ctx.json) ctx.out(JSON.stringify({ dir, stopped: pid }));
  else ctx.out(pid ? `Stopped the localnet in ${dir} (pid ${pid})` : `No localnet runs in ${dir}`);
  return 0;
}

/**
 * `--listen`: the address other machines reach this one at, which the committee lists for
 * the nodes — so a concrete one, not a wildcard that no client could connect to.
 */
function listenAddress(text: string): string {
  if (!text || text === '0.0.0.0' || text === '::' || (!isIP(text) && !/^[a-z0-9.-]+$/i.test(text)))
    throw new UsageError(
      `--listen needs the address other computers reach this one at (e.g. 192.168.1.20 or myserver.local), not "${text}"`,
    );
  return text;
}

/** The relay's tip: none, a constant, or linear in the encoded size; paid to a fresh address. */
function relayTip(constant: string | undefined, perKiB: string | undefined): TipConfig {
  if (constant === undefined && perKiB === undefined) return null;
  const address = new Ed25519Keypair().toSuiAddress();
  const base = BigInt(nonNegativeInt(constant ?? '0', '--relay-tip'));
  if (perKiB === undefined) return { address, kind: { const: base } };
  return {
    address,
    kind: {
      linear: { base, perEncodedKiB: BigInt(nonNegativeInt(perKiB, '--relay-tip-per-kib')) },
    },
  };
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`${flag} must be a whole number of MIST, not "${text}"`);
  return n;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive whole number, not "${text}"`);
  return n;
}
