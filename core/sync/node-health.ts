/**
 * Each storage node of today's committee as the user can judge it: what the chain says
 * (its shards, its stake, the storage challenges it passed or failed in recent epochs —
 * the localnet records them; Walrus on Sui has none on chain, so null there) and what
 * this machine's spot-checks found (its last answer, and when it last answered with the
 * right data).
 */
import type { ReadChain } from '../walrus/chain/chain.js';
import type { NodeVerdict } from './spot-check.js';
import type { SpotCheckRecord } from './spot-check-schedule.js';

/** How many epochs of challenges are counted (the current one included). */
export const CHALLENGE_EPOCHS = 5;

export interface NodeHealth {
  nodeId: string;
  name: string;
  url: string;
  shards: number;
  /** In FROST, as the chain gives it (a decimal string). */
  stake: string;
  challenges: { passed: number; failed: number; open: number } | null;
  /** The newest spot-check that asked it. */
  lastCheck: { time: number; verdict: NodeVerdict; ok: number; asked: number } | null;
  /** When a spot-check last found every sliver it was asked for right. */
  lastSeen: number | null;
}

export interface NodeHealthView {
  epoch: number;
  /** Challenges are counted from this epoch on. */
  challengesSince: number;
  nodes: NodeHealth[];
}

/** `history`: the logged spot-checks, newest first (spotCheckHistory). */
export async function nodeHealth(
  chain: ReadChain,
  history: SpotCheckRecord[],
): Promise<NodeHealthView> {
  const state = await chain.systemState();
  const since = Math.max(0, state.epoch - CHALLENGE_EPOCHS + 1);
  const challenges = await chain.challenges(since);
  return {
    epoch: state.epoch,
    challengesSince: since,
    nodes: state.committee.map((m): NodeHealth => {
      const mine = challenges?.filter((c) => c.nodeId === m.nodeId) ?? null;
      const checks = history.flatMap((r) =>
        r.nodes.filter((n) => n.nodeId === m.nodeId).map((n) => ({ time: r.time, n })),
      );
      const last = checks[0] ?? null;
      return {
        nodeId: m.nodeId,
        name: m.name || m.nodeId,
        url: m.url,
        shards: m.shards.length,
        stake: m.stake,
        challenges: mine && {
          passed: mine.filter((c) => c.outcome === 'passed').length,
          failed: mine.filter((c) => c.outcome === 'failed').length,
          open: mine.filter((c) => c.outcome === 'open').length,
        },
        lastCheck: last && {
          time: last.time,
          verdict: last.n.verdict,
          ok: last.n.ok,
          asked: last.n.asked,
        },
        lastSeen: checks.find((c) => c.n.verdict === 'answered')?.time ?? null,
      };
    }),
  };
}
