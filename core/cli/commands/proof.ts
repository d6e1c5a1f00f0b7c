/**
 * `floe proof [SNAPSHOT] [--json]`: the proof behind a snapshot (core/sync/proof.ts) —
 * every blob that holds it, who certified it on chain and until when its storage lasts —
 * read from the chain and the blobs, so it works the same on a new machine.
 * `floe verify [SNAPSHOT] [--sample PERCENT]`: the spot-check (core/sync/spot-check.ts) —
 * do the storage nodes still hold it, sliver by sampled sliver.
 */
import { parseArgs } from 'node:util';
import { proveSnapshot, type BlobProof, type SnapshotProof } from '../../sync/proof.js';
import { RepoReader } from '../../sync/repo-reader.js';
import { snapshotBlobs } from '../../sync/snapshot-blobs.js';
import { runSpotCheck } from '../../sync/spot-check-schedule.js';
import { ProgressBar } from '../progress-bar.js';
import { findSnapshots } from '../../sync/restore.js';
import { openNetworkSession } from '../../session/session.js';
import { UsageError } from '../errors.js';
import { formatBytes } from '../format.js';
import type { CommandContext } from '../main.js';

/** `floe verify [SNAPSHOT] [--sample PERCENT] [--json]`: exit 1 unless every node answered. */
export async function verifyCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { sample: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1)
    throw new UsageError('usage: floe verify [SNAPSHOT|latest] [--sample PERCENT]');
  const session = await openNetworkSession(ctx);
  try {
    const settings = session.settings().spotCheck;
    const samplePercent =
      values.sample === undefined ? settings.samplePercent : Number(values.sample);
    if (!(samplePercent > 0 && samplePercent <= 100))
      throw new UsageError('--sample is a percentage above 0 and at most 100, e.g. 1 or 0.5');
    let blobIds: Set<string> | undefined;
    if (positionals[0]) {
      const found = await findSnapshots(session.client, session.keys);
      const id = positionals[0];
      const chosen = id === 'latest' ? found[0] : found.find((f) => f.snapshot.id.startsWith(id));
      if (!chosen) throw new UsageError(`no snapshot ${id}; "floe snapshots" lists them`);
      const reader = await RepoReader.open(session.client, session.keys);
      const blobs = await snapshotBlobs(reader, { ...chosen.snapshot, blobId: chosen.blob.blobId });
      blobIds = new Set([chosen.blob.blobId, ...blobs.indexBlobIds, ...blobs.packs.keys()]);
    }
    const bar = ctx.json ? null : new ProgressBar(process.stderr, 5_000, 'slivers');
    const report = await runSpotCheck(
      { index: session.index, client: session.client },
      {
        samplePercent,
        trigger: 'manual',
        warnMarginNodes: settings.warnMarginNodes,
        ...(blobIds ? { blobIds } : {}),
        onProgress: (p) => bar?.update(p),
      },
    );
    bar?.done();
    if (ctx.json) ctx.out(JSON.stringify(report.record));
    else {
      ctx.out(
        `checked ${report.slivers} slivers of ${report.blobs} blobs (${samplePercent} % of each node's), ${formatBytes(report.bytes)} read in ${report.seconds.toFixed(1)} s`,
      );
      for (const n of report.nodes)
        ctx.out(
          `${n.name.padEnd(12)} ${n.verdict.padEnd(12)} ${n.ok}/${n.asked} slivers verified, ${n.shards} shards${n.detail && n.verdict !== 'answered' ? ` — ${n.detail}` : ''}`,
        );
      ctx.out(report.summary);
    }
    return report.nodes.every((n) => n.verdict === 'answered') ? 0 : 1;
  } finally {
    await session.close();
  }
}

export async function proofCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError('usage: floe proof [SNAPSHOT|latest]');
  const id = positionals[0] ?? 'latest';
  const session = await openNetworkSession(ctx);
  try {
    const found = await findSnapshots(session.client, session.keys);
    const chosen = id === 'latest' ? found[0] : found.find((f) => f.snapshot.id.startsWith(id));
    if (!chosen) throw new UsageError(`no snapshot ${id}; "floe snapshots" lists them`);
    const reader = await RepoReader.open(session.client, session.keys);
    const proof = await proveSnapshot(
      {
        index: session.index,
        chain: session.chain,
        client: session.client,
        reader,
        network: session.network,
      },
      { ...chosen.snapshot, blobId: chosen.blob.blobId },
    );
    if (ctx.json) ctx.out(JSON.stringify(proof));
    else for (const line of proofLines(proof)) ctx.out(line);
    return proof.summary.complete ? 0 : 1;
  } finally {
    await session.close();
  }
}

/** The proof as a person reads it: the promise first, then blob by blob, then the fine print. */
export function proofLines(p: SnapshotProof): string[] {
  const s = p.summary;
  const lines = [
    `snapshot ${p.snapshot.id.slice(0, 8)} of ${p.snapshot.time}`,
    `Stored with ${p.nodes} storage nodes; ${p.nodesEnough === null ? 'too few of them hold enough' : `any ${p.nodesEnough} of them hold enough`} to rebuild it (the primary slivers of ${p.readShards} of ${p.nShards} shards).`,
    s.guaranteedUntil === null
      ? 'No storage is recorded on chain for it.'
      : `Storage is paid for until ${longDate(s.guaranteedUntil)} (epoch ${s.guaranteedUntilEpoch}; now ${p.epoch})${s.renewedAutomatically ? ', renewed automatically' : ', not renewed: no retained snapshot needs every blob'}.`,
    `${s.blobs} blobs, ${s.certified} certified, ${s.verified} certificates checked from the chain` +
      (p.unlocated ? `; ${p.unlocated} chunks are listed by no index blob` : '') +
      '.',
    '',
  ];
  for (const b of p.blobs) lines.push(blobLine(b, p.nShards));
  lines.push('', 'Checked here:', ...p.checked.map((t) => `  - ${t}`));
  lines.push('Not proven:', ...p.notChecked.map((t) => `  - ${t}`));
  return lines;
}

function blobLine(b: BlobProof, nShards: number): string {
  const c = b.certificate;
  const what =
    b.kind === 'pack' && b.holds
      ? `pack (${b.holds.trees ? `${b.holds.trees} trees, ` : ''}${b.holds.chunks} chunks)`
      : b.kind;
  const signed = c
    ? `certified in epoch ${c.epoch} by ${c.signers.map((s) => s.name).join(', ')}` +
      (c.signerShards === null
        ? ''
        : ` (${c.signerShards} of ${nShards} shards; quorum ${c.quorumShards})`) +
      ` — ${c.check === 'verified' ? 'signature verified' : c.check === 'signers-unchecked' ? 'committee of that epoch not on chain any more' : `INVALID: ${c.problem}`}`
    : b.state === 'certified'
      ? `certified in epoch ${b.certifiedEpoch}; the chain has no certify transaction for it${b.seenHere ? ` (this machine saw ${b.seenHere.signerNodeIds.join(', ')} sign)` : ''}`
      : `not certified (${b.state})`;
  const ends = b.endsAt === null ? '' : `; storage to epoch ${b.endEpoch} (${longDate(b.endsAt)})`;
  const object = b.objectId ? `; object ${b.objectUrl ?? b.objectId}` : '';
  const deletable = b.deletable === null ? '' : b.deletable ? ', deletable' : ', permanent';
  return `${what.padEnd(8)} ${b.blobId}${b.size === null ? '' : ` ${formatBytes(b.size)}`}: ${signed}${ends}${object}${deletable}`;
}

function longDate(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
