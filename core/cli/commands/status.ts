/** `floe status`: folders, pending work, the last snapshot, and what storage costs. */
import { join } from 'node:path';
import { lockHolder } from '../../index/lock.js';
import { folderWords } from '../../sync/folder-words.js';
import { collectStatus, type FloeStatus } from '../../sync/status.js';
import { UsageError } from '../errors.js';
import { formatBytes, formatDuration, formatWal } from '../format.js';
import type { CommandContext } from '../main.js';
import { openNetworkSession } from '../../session/session.js';

export async function statusCommand(args: string[], ctx: CommandContext): Promise<number> {
  if (args.length) throw new UsageError('usage: floe status');
  const session = await openNetworkSession(ctx);
  try {
    const renewer = await lockHolder(join(session.dataDir, 'floe.lock'));
    const s = await collectStatus(session.index, session.client, {
      renewerRunning: renewer !== null,
    });
    if (ctx.json) {
      ctx.out(JSON.stringify({ account: session.keys.address, ...s }));
      return needsAttention(s) ? 1 : 0;
    }
    ctx.out(`account   ${session.keys.address}`);
    if (s.folders.length === 0) ctx.out('folders   none yet: add one with "floe add DIR"');
    for (const f of s.folders) {
      const words = folderWords(f);
      ctx.out(`folder    ${f.path}  ${words.label}${words.detail ? `: ${words.detail}` : ''}`);
    }
    ctx.out(
      `snapshot  ${s.lastSnapshot ? `${s.lastSnapshot.id.slice(0, 8)} at ${s.lastSnapshot.time} (${s.lastSnapshot.files} files changed)` : 'none yet'}`,
    );
    if (s.pendingJournal)
      ctx.out(`pending   ${s.pendingJournal} interrupted store(s), finished by the next backup`);
    if (s.storage) {
      const st = s.storage;
      const left = Math.max(0, (st.epochEndsAt - Date.now()) / 1000);
      ctx.out(
        `epoch     ${st.epoch} (ends in ${formatDuration(left)}; epochs last ${formatDuration(st.epochDurationMs / 1000)})`,
      );
      ctx.out(
        `stored    ${st.liveBlobs} live blobs, ${formatBytes(st.liveStorageBytes)} encoded on the network`,
      );
      ctx.out(
        `expiry    ${st.nextExpiryEpoch === null ? 'nothing stored' : `next at epoch ${st.nextExpiryEpoch}; renewed before it`}`,
      );
      ctx.out(
        `balance   ${formatWal(BigInt(st.walFrost))}; storage costs ${formatWal(BigInt(st.costPerEpochFrost))} per epoch${st.epochsAffordable === null ? '' : ` (${st.epochsAffordable} epochs paid for)`}`,
      );
      if (st.unusedStorage.resources)
        ctx.out(
          `unused    ${formatBytes(st.unusedStorage.bytes)} of storage paid for and holding nothing (${st.unusedStorage.resources} resources); the next stores use it`,
        );
    } else ctx.out(`network   unreachable: ${s.networkError}`);
    if (s.lastRenewal)
      ctx.out(
        `renewal   last: ${s.lastRenewal.action} at epoch ${s.lastRenewal.epoch} (${s.lastRenewal.reason})`,
      );
    for (const r of s.renewalFailures)
      ctx.out(`FAILED    renewal at epoch ${r.epoch}: ${r.reason}`);
    if (s.unrenewed && s.storage)
      ctx.out(
        `RENEW     storage the backups need ends at epoch ${s.unrenewed.endEpoch} (in ${s.unrenewed.epochsLeft} epoch${s.unrenewed.epochsLeft === 1 ? '' : 's'}) ` +
          'and nothing will renew it: no floe watch or desktop app is running for this data directory. ' +
          `Run "floe renew" now; from cron, run "floe backup" or "floe renew" at least once an epoch (${formatDuration(s.storage.epochDurationMs / 1000)} here).`,
      );
    if (s.lapsed)
      ctx.out(
        `LAPSED    the storage of ${s.lapsed.blobs} blob(s) the backups need ended at epoch ${s.lapsed.lastEndEpoch}: ` +
          'run "floe backup" to store the files still on this machine anew; snapshots that needed it can no longer be restored ("floe check" lists them).',
      );
    return needsAttention(s) ? 1 : 0;
  } finally {
    await session.close();
  }
}

/**
 * Exit 1 when something needs the user: failing renewals, no network, a folder not backed
 * up, storage that lapsed, or storage due with nothing running to renew it.
 */
function needsAttention(s: FloeStatus): boolean {
  return (
    s.renewalFailures.length > 0 ||
    s.networkError !== null ||
    s.lapsed !== null ||
    s.unrenewed !== null ||
    s.folders.some((f) => folderWords(f).needsYou)
  );
}
