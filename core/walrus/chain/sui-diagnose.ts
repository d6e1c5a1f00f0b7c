/**
 * `floe doctor --network testnet|mainnet`: what stands between this account and storing on
 * a public Walrus network, in the order a person would fix it — the Sui full node, the
 * Walrus deployment Floe's ids name, the storage nodes, the account's SUI and WAL, and
 * (when one is configured) the upload relay — each with what to do about it.
 */
import { isQuorum } from '../protocol/quorum.js';
import { StorageNodeClient } from '../storage-node-client.js';
import { ChainError, ChainUnavailableError, type SystemState } from './chain.js';
import { suiNetwork, type SuiNetwork, type SuiNetworkName } from './networks.js';
import { SuiReadChain } from './sui-chain.js';
import { GrpcSui, type SuiHistoryReader, type SuiReader } from './sui-rpc.js';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Finding {
  check: string;
  verdict: Verdict;
  detail: string;
}

export interface DiagnoseOptions {
  /** Another full node than the network's public one. */
  rpcUrl?: string;
  /** An upload relay whose tip configuration to read. */
  uploadRelayUrl?: string;
  /** Reads the chain through this instead of `rpcUrl` (tests). */
  sui?: SuiReader & SuiHistoryReader;
}

const NODE_TIMEOUT_MS = 5_000;

export async function diagnoseNetwork(
  network: SuiNetworkName | SuiNetwork,
  address: string,
  o: DiagnoseOptions = {},
): Promise<Finding[]> {
  const net = typeof network === 'string' ? suiNetwork(network) : network;
  const sui = o.sui ?? new GrpcSui(o.rpcUrl ?? net.rpcUrl, net.name);
  const chain = new SuiReadChain(sui, net, address);
  const findings: Finding[] = [];
  const note = (check: string, verdict: Verdict, detail: string) =>
    findings.push({ check, verdict, detail });

  let state: SystemState;
  try {
    state = await chain.systemState();
  } catch (error) {
    if (error instanceof ChainUnavailableError)
      note(
        'sui full node',
        'fail',
        `${sui.url} cannot be reached: check the internet connection, or name another Sui ${net.name} full node (${error.message})`,
      );
    else {
      note('sui full node', 'ok', `${sui.url} answers`);
      note(
        'walrus deployment',
        'fail',
        error instanceof ChainError ? error.message : String(error),
      );
    }
    return findings;
  }
  note('sui full node', 'ok', `${sui.url} answers`);
  // Prices are per unit of 1 MiB: a GiB is 1024 units.
  const perGiB = (price: string) => tokens(BigInt(price) * 1024n, 'WAL');
  note(
    'walrus deployment',
    'ok',
    `Walrus ${net.name}, epoch ${state.epoch}, ${state.nShards} shards on ${state.committee.length} storage nodes; ` +
      `storage costs ${perGiB(state.storagePricePerUnit)} per GiB of encoded size per epoch, plus ${perGiB(state.writePricePerUnit)} per GiB once`,
  );

  const answering = await Promise.all(
    state.committee.map((m) =>
      new StorageNodeClient(m.url).health({ timeoutMs: NODE_TIMEOUT_MS }).then(
        () => true,
        () => false,
      ),
    ),
  );
  findings.push(storageNodesFinding(state, answering));

  try {
    const b = await chain.balances(address);
    const sui = BigInt(b.sui);
    const wal = BigInt(b.wal);
    if (sui === 0n)
      note('sui balance', 'fail', `${address} has no SUI to pay gas: ${net.funding.sui(address)}`);
    else note('sui balance', 'ok', `${tokens(sui, 'SUI')} for gas`);
    if (wal === 0n)
      note(
        'wal balance',
        'fail',
        `${address} has no WAL to pay storage: ${net.funding.wal(address)}`,
      );
    else note('wal balance', 'ok', tokens(wal, 'WAL'));
  } catch (error) {
    note('balances', 'fail', (error as Error).message);
  }

  if (o.uploadRelayUrl) findings.push(await uploadRelayFinding(o.uploadRelayUrl));
  return findings;
}

/**
 * Stores need confirmations from nodes holding a quorum of shards (3w ≥ 2n + 1), so they
 * still work while the nodes that do not answer hold at most f; reads need only n − 2f.
 */
export function storageNodesFinding(state: SystemState, answering: boolean[]): Finding {
  const down = state.committee.filter((_, i) => !answering[i]);
  const downShards = down.reduce((n, m) => n + m.shards.length, 0);
  const f = Math.floor((state.nShards - 1) / 3);
  const storesWork = isQuorum(state.nShards - downShards, state.nShards);
  if (downShards === 0)
    return {
      check: 'storage nodes',
      verdict: 'ok',
      detail: `all ${state.committee.length} answer`,
    };
  const names = down.length > 5 ? `${down.length} nodes` : down.map((m) => m.name).join(', ');
  return {
    check: 'storage nodes',
    verdict: storesWork ? 'warn' : 'fail',
    detail:
      `${names} do not answer (${downShards} of ${state.nShards} shards); ` +
      (storesWork
        ? 'stores and reads still work'
        : downShards <= 2 * f
          ? 'reads still work, stores fail until they are back'
          : 'stores and reads fail until they are back; is this machine online?'),
  };
}

/** The relay's `/v1/tip-config` (walrus-upload-relay's OpenAPI document): none, or a tip. */
async function uploadRelayFinding(url: string): Promise<Finding> {
  const check = 'upload relay';
  let config: unknown;
  try {
    const res = await fetch(new URL('/v1/tip-config', url), {
      signal: AbortSignal.timeout(NODE_TIMEOUT_MS),
    });
    if (!res.ok) return { check, verdict: 'fail', detail: `${url} answered ${res.status}` };
    config = await res.json();
  } catch (error) {
    return {
      check,
      verdict: 'fail',
      detail: `${url} does not answer (${(error as Error).message})`,
    };
  }
  if (config === 'no_tip') return { check, verdict: 'ok', detail: `${url} asks no tip` };
  const tip = (config as { send_tip?: { address: string; kind: Record<string, any> } }).send_tip;
  if (!tip)
    return { check, verdict: 'fail', detail: `${url} sent a tip configuration Floe cannot read` };
  const amount =
    'const' in tip.kind
      ? tokens(BigInt(tip.kind.const), 'SUI')
      : `${tokens(BigInt(tip.kind.linear.base), 'SUI')} plus ${tokens(BigInt(tip.kind.linear.encoded_size_mul_per_kib), 'SUI')} per KiB encoded`;
  return {
    check,
    verdict: 'ok',
    detail: `${url} asks a tip of ${amount} per upload, paid to ${tip.address}`,
  };
}

/** SUI and WAL both count in units of 10⁻⁹ (MIST, FROST). */
function tokens(amount: bigint, symbol: string): string {
  const whole = amount / 1_000_000_000n;
  const fraction = (amount % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${whole}${fraction ? '.' + fraction : ''} ${symbol}`;
}
