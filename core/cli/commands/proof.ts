/**
 * `floe proof [SNAPSHOT] [--json]`: the proof behind a snapshot (core/sync/proof.ts) —
 * every blob that holds it, who certified it on chain and until when its storage lasts —
 * read from the chain and the blobs, so it works the same on a new machine.
 */
import { parseArgs } from 'node:util';
import { proveSnapshot, type BlobProof, type SnapshotProof } from '../../sync/proof.js';
import { RepoReader } from '../../sync/repo-reader.js';
import { findSnapshots } from '../../sync/restore.js';
import { openNetworkSession } from '../../session/session.js';
import { UsageError } from '../errors.js';
import { formatBytes } from '../format.js';
import type { CommandContext } from '../main.js';

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
