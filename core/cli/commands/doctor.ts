/**
 * `floe doctor`: checks each thing Floe depends on, in the order a person would fix them,
 * and says in plain words what is wrong and what to do: the data directory, the index,
 * the keychain and the account, the network and its storage nodes, the balance, the
 * encoder, and unfinished or failed work.
 */
import { randomBytes } from 'node:crypto';
import { stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageNodeClient } from '../../walrus/storage-node-client.js';
import type { WalrusClient } from '../../walrus/client/client.js';
import type { TipConfig } from '../../walrus/relay/tip.js';
import { diagnoseNetwork } from '../../walrus/chain/sui-diagnose.js';
import { nativeEncoder } from '../../walrus/encoding/codec.js';
import { probeNativeEncoder } from '../../walrus/encoding/native/index.js';
import { collectStatus } from '../../sync/status.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatWal } from '../format.js';
import type { CommandContext } from '../main.js';
import { openDataDir, openNetworkSession } from '../../session/session.js';

type Verdict = 'ok' | 'warn' | 'fail';
interface Finding {
  check: string;
  verdict: Verdict;
  detail: string;
}

/** Warn when the balance pays for fewer epochs of storage than this. */
const LOW_BALANCE_EPOCHS = 10;

const MiB = 1024 * 1024;
/**
 * Free space the data directory needs. The index takes about 230 bytes per file, and a
 * backup commits its file rows in one transaction whose write-ahead log, measured for
 * 100,000 files, is as large as the index itself (22.7 MB beside a 22.6 MB index) until
 * it is checkpointed: below that a backup fails at its very end. So: fail below the
 * index's size (at least 32 MiB); warn below twice that (at least 256 MiB), the room a
 * first backup of another large folder takes.
 */
export function freeSpaceVerdict(
  free: number,
  indexBytes: number,
): { verdict: Verdict; needed: number } {
  const minimum = Math.max(32 * MiB, indexBytes);
  const comfortable = Math.max(256 * MiB, 2 * indexBytes);
  return free < minimum
    ? { verdict: 'fail', needed: minimum }
    : { verdict: free < comfortable ? 'warn' : 'ok', needed: comfortable };
}

export async function doctorCommand(args: string[], ctx: CommandContext): Promise<number> {
  if (args.length) throw new UsageError('usage: floe doctor');
  const findings: Finding[] = [];
  const note = (check: string, verdict: Verdict, detail: string) => {
    findings.push({ check, verdict, detail });
    if (!ctx.json)
      ctx.out(
        `${verdict === 'ok' ? 'ok  ' : verdict === 'warn' ? 'WARN' : 'FAIL'}  ${check}: ${detail}`,
      );
  };
  await localChecks(ctx, note);
  if (!findings.some((f) => f.verdict === 'fail')) await networkChecks(ctx, note);
  if (ctx.json) ctx.out(JSON.stringify({ findings }));
  return findings.some((f) => f.verdict === 'fail') ? 1 : 0;
}

async function localChecks(
  ctx: CommandContext,
  note: (c: string, v: Verdict, d: string) => void,
): Promise<void> {
  const session = await openDataDir(ctx);
  try {
    const probe = join(session.dataDir, `.doctor-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(probe, 'x');
      await unlink(probe);
      note('data directory', 'ok', `${session.dataDir} is writable`);
    } catch (error) {
      note(
        'data directory',
        'fail',
        `${session.dataDir} is not writable (${(error as Error).message}); set --data or FLOE_HOME`,
      );
    }
    const { bavail, bsize } = await statfs(session.dataDir);
    const free = bavail * bsize;
    const space = freeSpaceVerdict(free, (await stat(session.index.path)).size);
    note(
      'free space',
      space.verdict,
      `${formatBytes(free)} free in ${session.dataDir}` +
        (space.verdict === 'ok'
          ? ''
          : `; Floe needs at least ${space.needed / MiB} MiB there for its index to grow: free space, or move the data directory (--data, FLOE_HOME)`),
    );
    const integrity = session.index.quickCheck();
    note(
      'index',
      integrity === 'ok' ? 'ok' : 'fail',
      integrity === 'ok'
        ? `${session.index.path} is consistent`
        : `${integrity}; run "floe index rebuild"`,
    );
    const secrets = await session.secrets();
    note(
      'secret store',
      'ok',
      secrets.kind === 'keychain'
        ? 'the OS keychain'
        : 'an encrypted key file (no keychain service is running)',
    );
    const account = session.account();
    if (!account)
      note(
        'account',
        'fail',
        'none on this machine: "floe init" creates one, "floe restore --phrase" brings one back',
      );
    else if (!(await secrets.get(account)))
      note(
        'account',
        'fail',
        `${account} is set but its phrase is not in the secret store; restore with "floe restore --phrase"`,
      );
    else note('account', 'ok', account);
    const folders = session.index.folders();
    note(
      'folders',
      folders.length ? 'ok' : 'warn',
      folders.length ? folders.map((f) => f.path).join(', ') : 'none: add one with "floe add DIR"',
    );
  } finally {
    await session.close();
  }
}

/** The upload relay, when one is set: it answers, and what it charges against the limit. */
async function relayCheck(
  client: WalrusClient,
  note: (c: string, v: Verdict, d: string) => void,
): Promise<void> {
  const relay = client.uploadRelay;
  if (!relay) return;
  let config: TipConfig;
  try {
    config = await relay.tipConfig();
  } catch (error) {
    note(
      'upload relay',
      'fail',
      `${(error as Error).message}; stores fail until it answers (or clear uploadRelayUrl in Settings)`,
    );
    return;
  }
  if (!config) return note('upload relay', 'ok', `${relay.client.url} answers; it is free`);
  const charge =
    'const' in config.kind
      ? `${config.kind.const} MIST per blob`
      : `${config.kind.linear.base} MIST per blob + ${config.kind.linear.perEncodedKiB} MIST per encoded KiB`;
  const base = 'const' in config.kind ? config.kind.const : config.kind.linear.base;
  const over = relay.maxTip !== null && base > relay.maxTip;
  note(
    'upload relay',
    over ? 'fail' : 'ok',
    `${relay.client.url} answers; it asks ${charge} in SUI, paid to ${config.address}` +
      (over
        ? `, more than the ${relay.maxTip} MIST allowed (uploadRelayMaxTipMist): every store would be refused`
        : relay.maxTip !== null
          ? `; at most ${relay.maxTip} MIST per blob is allowed`
          : ''),
  );
}

async function networkChecks(
  ctx: CommandContext,
  note: (c: string, v: Verdict, d: string) => void,
): Promise<void> {
  const session = await openNetworkSession(ctx);
  try {
    await relayCheck(session.client, note);
    if (session.network !== 'localnet') {
      // The real network: RPC, deployment, storage nodes, balances, in plain words.
      const rpcUrl = process.env.FLOE_SUI_RPC_URL;
      for (const f of await diagnoseNetwork(
        session.network,
        session.keys.address,
        rpcUrl ? { rpcUrl } : {},
      ))
        note(f.check, f.verdict, f.detail);
      return;
    }
    const state = await session.chain.systemState();
    note(
      'network',
      'ok',
      `local Walrus network, epoch ${state.epoch}, ${state.nShards} shards on ${state.committee.length} nodes`,
    );
    const health = await Promise.all(
      state.committee.map((m) =>
        new StorageNodeClient(m.url)
          .health({ signal: AbortSignal.timeout(5_000) })
          .then(() => ({ m, up: true }))
          .catch(() => ({ m, up: false })),
      ),
    );
    const downShards = health.filter((h) => !h.up).reduce((n, h) => n + h.m.shards.length, 0);
    const f = Math.floor((state.nShards - 1) / 3);
    const down = health.filter((h) => !h.up).map((h) => h.m.name);
    note(
      'storage nodes',
      downShards === 0 ? 'ok' : downShards <= f ? 'warn' : 'fail',
      downShards === 0
        ? `all ${health.length} answer`
        : `${down.join(', ')} do not answer (${downShards} of ${state.nShards} shards); ${downShards <= f ? 'stores and reads still work' : 'stores fail until they are back'}`,
    );
    // One real encode through the worker pool: the encoder loads and answers.
    await session.pool.encode(state.nShards, randomBytes(1024));
    note(
      'encoder',
      'ok',
      nativeEncoder
        ? `native RS2 encoder (${nativeEncoder.simd}) in worker threads`
        : `walrus-wasm in worker threads (the native encoder is not built here: ${probeNativeEncoder().reason})`,
    );
    const status = await collectStatus(session.index, session.client);
    if (status.storage) {
      const s = status.storage;
      const low = s.epochsAffordable !== null && s.epochsAffordable < LOW_BALANCE_EPOCHS;
      note(
        'balance',
        BigInt(s.walFrost) === 0n ? 'fail' : low ? 'warn' : 'ok',
        `${formatWal(BigInt(s.walFrost))}; storage costs ${formatWal(BigInt(s.costPerEpochFrost))} per epoch${s.epochsAffordable === null ? '' : `, paid for ${s.epochsAffordable} epochs`}${low || BigInt(s.walFrost) === 0n ? ' — top up: on the local network "floe init" funds from its faucet' : ''}`,
      );
    }
    note(
      'journal',
      status.pendingJournal ? 'warn' : 'ok',
      status.pendingJournal
        ? `${status.pendingJournal} interrupted store(s); the next backup finishes them`
        : 'nothing unfinished',
    );
    note(
      'renewal',
      status.renewalFailures.length ? 'fail' : 'ok',
      status.renewalFailures.length
        ? status.renewalFailures[0]!.reason
        : status.lastRenewal
          ? `last: ${status.lastRenewal.action} at epoch ${status.lastRenewal.epoch}`
          : 'nothing renewed yet',
    );
  } catch (error) {
    note('network', 'fail', (error as Error).message);
  } finally {
    await session.close();
  }
}
