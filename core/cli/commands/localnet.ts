/**
 * `floe localnet start`: a whole local Walrus network in the foreground. It writes
 * `localnet.json` (ledger URL and a funded test account) into its data directory, which
 * `floe blob …` reads, and stops cleanly on Ctrl-C. `--relay` adds an upload relay;
 * `--relay-tip MIST` (and `--relay-tip-per-kib MIST`) make it charge as a paid one does.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Localnet } from '../../localnet/network.js';
import { LocalChain } from '../../walrus/chain/local-chain.js';
import type { TipConfig } from '../../walrus/relay/tip.js';
import { localnetDir, type LocalnetInfo } from '../../session/localnet.js';
import { UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import type { CommandContext } from '../main.js';

export async function localnetCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'start')
    throw new UsageError(
      'usage: floe localnet start [--nodes N] [--shards N] [--epoch-duration 60s] [--data DIR] ' +
        '[--relay [--relay-tip MIST] [--relay-tip-per-kib MIST]]',
    );
  const { values } = parseArgs({
    args: rest,
    options: {
      nodes: { type: 'string', default: '10' },
      shards: { type: 'string', default: '100' },
      'epoch-duration': { type: 'string', default: '60s' },
      'max-epochs-ahead': { type: 'string', default: '53' },
      data: { type: 'string' },
      port: { type: 'string' },
      relay: { type: 'boolean', default: false },
      'relay-tip': { type: 'string' },
      'relay-tip-per-kib': { type: 'string' },
    },
    strict: true,
  });
  const dir = values.data ?? localnetDir();
  const net = await Localnet.start({
    dir,
    nodes: positiveInt(values.nodes, '--nodes'),
    nShards: positiveInt(values.shards, '--shards'),
    epochDurationMs: parseDuration(values['epoch-duration']),
    maxEpochsAhead: positiveInt(values['max-epochs-ahead'], '--max-epochs-ahead'),
    ...(values.port ? { ledgerPort: positiveInt(values.port, '--port') } : {}),
    ...(values.relay
      ? { relay: { tip: relayTip(values['relay-tip'], values['relay-tip-per-kib']) } }
      : {}),
  });
  const keypair = new Ed25519Keypair();
  const chain = new LocalChain(net.url, keypair);
  await chain.faucet(chain.address);
  const state = await chain.systemState();
  const info: LocalnetInfo = {
    ledgerUrl: net.url,
    ...(net.relay ? { relayUrl: net.relay.url } : {}),
    nodes: state.committee.map((m) => ({ nodeId: m.nodeId, url: m.url, shards: m.shards.length })),
    account: { address: chain.address, secretKey: keypair.getSecretKey() },
  };
  await writeFile(join(dir, 'localnet.json'), JSON.stringify(info, null, 2), { mode: 0o600 });
  if (ctx.json) {
    ctx.out(JSON.stringify(info));
  } else {
    ctx.out(`Walrus localnet running in ${dir}`);
    ctx.out(
      `  ledger    ${net.url}   epoch ${state.epoch}, ${state.epochDurationMs / 1000}s epochs, ${state.nShards} shards`,
    );
    for (const n of info.nodes) ctx.out(`  ${n.nodeId.padEnd(9)} ${n.url}   ${n.shards} shards`);
    if (info.relayUrl) ctx.out(`  relay     ${info.relayUrl}`);
    ctx.out(`  account   ${info.account.address} (funded; key in ${join(dir, 'localnet.json')})`);
    ctx.out('Press Ctrl-C to stop.');
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
