/**
 * "Proof", on a snapshot's screen: what the chain records for every blob that holds the
 * snapshot (GET /api/snapshots/:id/proof — who certified it, holding how many shards,
 * until when its storage is paid for) and what the storage nodes answered when last asked
 * (the spot-check, GET/POST /api/spot-checks), with "Check now". Plain words first; the
 * numbers behind them in the tables, every term explained below them.
 */
import type { Api } from './api.js';
import { h } from './dom.js';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  inTime,
  percent,
  relativeTime,
  shortId,
} from './format.js';
import { icon } from './icons.js';
import { nodeNameCell } from './node-health-card.js';
import type { Live } from './live.js';
import { failed, inlineError, loading } from './placeholders.js';
import type {
  BlobProof,
  ProgressSnapshot,
  SnapshotProof,
  SpotCheckOverview,
  SpotCheckRecord,
} from './wire.js';

type Verdict = SpotCheckRecord['nodes'][number]['verdict'];

const VERDICTS: Record<Verdict, { text: string; badge: string }> = {
  answered: { text: 'Answered', badge: 'badge-idle' },
  missing: { text: 'Missing data', badge: 'badge-missing' },
  corrupt: { text: 'Sent damaged data', badge: 'badge-failed' },
  unreachable: { text: 'Did not answer', badge: 'badge-failed' },
};

const KINDS: Record<BlobProof['kind'], string> = {
  snapshot: 'Snapshot record',
  index: 'Index of packs',
  pack: 'Data pack',
};

export function proofPanel(
  api: Api,
  live: Live,
  snapshot: string,
): {
  element: HTMLElement;
  stop: () => void;
} {
  const promise = h(
    'div',
    { class: 'proof-promise' },
    loading('Reading the proof from the chain…'),
  );
  const check = h('div', { class: 'proof-check' });
  const blobs = h('div', { class: 'proof-blobs' });
  const element = h(
    'section',
    { class: 'card proof-panel', 'aria-labelledby': 'proof-title' },
    h('h2', { id: 'proof-title' }, icon('check'), 'Proof'),
    promise,
    check,
    blobs,
    glossary(),
  );
  let proof: SnapshotProof | null = null;
  let overview: SpotCheckOverview | null = null;
  let progress: ProgressSnapshot | null = null;
  let checking = false;
  let checkError: unknown = null;

  const loadProof = async () => {
    promise.replaceChildren(loading('Reading the proof from the chain…'));
    try {
      proof = await api.proof(snapshot);
      promise.replaceChildren(...promiseLines(proof));
      blobs.replaceChildren(blobTable(proof), explained(proof));
    } catch (error) {
      promise.replaceChildren(failed('The proof could not be read', error, () => void loadProof()));
    }
  };
  const loadChecks = async () => {
    try {
      overview = await api.spotChecks();
      checking ||= overview.running;
    } catch (error) {
      checkError = error;
    }
    drawCheck();
  };

  const drawCheck = () => {
    const last = overview?.history[0] ?? null;
    const button = h(
      'button',
      {
        type: 'button',
        class: 'button button-primary',
        disabled: checking,
        on: { click: () => void checkNow() },
      },
      icon('refresh'),
      checking ? 'Checking…' : 'Check now',
    );
    // In one element: h() skips the parts that are not there (replaceChildren would not).
    check.replaceChildren(
      h(
        'div',
        null,
        h('h3', null, 'Do the storage nodes still hold it?'),
        h(
          'p',
          { class: 'proof-last' },
          last
            ? `Last checked ${relativeTime(last.time)}: ${answeredLine(last)}.`
            : 'Not checked yet: “Check now” asks every storage node for a random sample of what it keeps for this snapshot and checks each piece.',
        ),
        checking ? checkProgress(progress) : null,
        h('div', { class: 'toolbar' }, button, h('span', { class: 'hint' }, nextLine(overview))),
        checkError ? inlineError(checkError) : null,
        last ? nodeTable(last) : null,
        overview && overview.history.length > 1 ? earlierChecks(overview.history) : null,
      ),
    );
  };

  const checkNow = async () => {
    checking = true;
    checkError = null;
    progress = null;
    drawCheck();
    try {
      await api.checkNow(snapshot);
    } catch (error) {
      checkError = error;
    }
    checking = false;
    await loadChecks();
  };

  const unsubscribe = [
    live.on('spot-check-progress', (p) => {
      progress = p;
      if (checking) drawCheck();
    }),
    live.on('spot-check', () => {
      // A scheduled check, or this one: either way the latest outcome is the one to show.
      if (!checking) void loadChecks();
    }),
  ];
  void loadProof();
  void loadChecks();
  return { element, stop: () => unsubscribe.forEach((u) => u()) };
}

function promiseLines(p: SnapshotProof): HTMLElement[] {
  const s = p.summary;
  const where =
    p.network === 'localnet'
      ? `Stored with ${p.nodes} storage nodes of the local test network (all on this computer)`
      : `Stored with ${p.nodes} independent storage nodes`;
  const enough =
    p.nodesEnough === null
      ? 'today too few of them hold enough to rebuild it'
      : `any ${p.nodesEnough} of them are enough to rebuild it`;
  const until =
    s.guaranteedUntil === null
      ? 'No storage is recorded on the chain for it.'
      : `Guaranteed until ${longDate(s.guaranteedUntil)}${s.renewedAutomatically ? ', renewed automatically' : ' (not renewed: a snapshot you keep no longer needs all of it)'}.`;
  const signed = s.complete
    ? `All ${s.blobs} blobs that hold it are certified: storage nodes holding at least ${p.quorumShards} of the ${p.nShards} shards signed that they store each one, the chain recorded it, and Floe checked every signature again.`
    : `${s.certified} of ${s.blobs} blobs are certified and ${s.verified} certificates check out${p.unlocated ? `; ${formatCount(p.unlocated)} pieces of files are in no blob Floe can find` : ''}.`;
  return [
    h('p', { class: 'proof-headline' }, `${where}; ${enough}. ${until}`),
    h(
      'p',
      { class: s.complete ? 'callout callout-success' : 'callout callout-warning' },
      icon(s.complete ? 'check' : 'alert'),
      h('span', null, signed),
    ),
  ];
}

function answeredLine(r: SpotCheckRecord): string {
  const answered = r.nodes.filter((n) => n.verdict === 'answered').length;
  const nodes = `${r.nodes.length} storage node${r.nodes.length === 1 ? '' : 's'}`;
  return answered === r.nodes.length
    ? `all ${nodes} answered with the right data`
    : `${answered} of ${nodes} answered with the right data`;
}

function nextLine(o: SpotCheckOverview | null): string {
  if (!o) return '';
  if (o.nextAt === null) return 'Automatic checks are off (Settings → Spot-check).';
  const every = o.setting.intervalHours === 24 ? 'daily' : `every ${o.setting.intervalHours} h`;
  return `Floe also checks ${o.setting.samplePercent} % of everything by itself, ${every}; next ${o.nextAt <= Date.now() ? 'soon' : inTime(o.nextAt)}.`;
}

function checkProgress(p: ProgressSnapshot | null): HTMLElement {
  const pct = p ? percent(p.filesDone, p.filesTotal) : null;
  return h(
    'div',
    { class: 'progress-line', role: 'status' },
    h('progress', {
      max: 100,
      ...(pct === null ? {} : { value: pct }),
      'aria-label': 'Spot-check',
    }),
    h(
      'span',
      { class: 'hint' },
      p
        ? `${formatCount(p.filesDone)} of ${p.filesTotal === null ? '…' : formatCount(p.filesTotal)} samples, ${formatBytes(p.bytesDone)} read`
        : 'Asking the storage nodes…',
    ),
  );
}

function nodeTable(r: SpotCheckRecord): HTMLElement {
  const margin =
    r.failuresTolerated < 0
      ? 'Some data cannot be rebuilt from the nodes that answered.'
      : `Margin: ${r.failuresTolerated === 0 ? 'no node more can be lost' : `it can lose ${r.failuresTolerated} more node${r.failuresTolerated === 1 ? '' : 's'}`} (the nodes that answered hold ${r.readShards} or more of the ${r.nShards} shards needed to rebuild each blob). Sample: ${r.samplePercent} % of each node’s pieces, ${formatCount(r.slivers)} pieces of ${formatCount(r.blobs)} blobs, ${formatBytes(r.bytes)} read.`;
  return h(
    'div',
    null,
    h('p', { class: 'proof-margin' }, margin),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table node-table' },
        h('caption', { class: 'visually-hidden' }, 'Each storage node in the last check'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Storage node'),
            h('th', { scope: 'col', class: 'number' }, 'Shards it keeps'),
            h('th', { scope: 'col' }, 'Last check'),
            h('th', { scope: 'col', class: 'number' }, 'Pieces verified'),
          ),
        ),
        h(
          'tbody',
          null,
          r.nodes.map((n) =>
            h(
              'tr',
              { 'data-node': n.name },
              nodeNameCell(n),
              h('td', { class: 'number' }, formatCount(n.shards)),
              h(
                'td',
                null,
                h(
                  'span',
                  { class: `badge ${VERDICTS[n.verdict].badge}` },
                  VERDICTS[n.verdict].text,
                ),
                n.detail && n.verdict !== 'answered'
                  ? h('span', { class: 'cell-sub' }, n.detail)
                  : null,
              ),
              h('td', { class: 'number' }, `${formatCount(n.ok)} of ${formatCount(n.asked)}`),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Every logged check, newest first: health over time. */
function earlierChecks(history: SpotCheckRecord[]): HTMLElement {
  return h(
    'details',
    { class: 'proof-detail' },
    h('summary', null, `Checks so far (${formatCount(history.length)})`),
    h(
      'ul',
      { class: 'check-history' },
      history.map((r) =>
        h(
          'li',
          null,
          h('time', { datetime: new Date(r.time).toISOString() }, formatDateTime(r.time)),
          ` (${r.trigger === 'scheduled' ? 'automatic' : 'on request'}, ${r.samplePercent} %): ${answeredLine(r)}; ${
            r.failuresTolerated < 0
              ? 'some data could not be rebuilt'
              : `margin ${r.failuresTolerated} node${r.failuresTolerated === 1 ? '' : 's'}`
          }`,
        ),
      ),
    ),
  );
}

function blobTable(p: SnapshotProof): HTMLElement {
  return h(
    'details',
    { class: 'proof-detail' },
    h('summary', null, `Each of the ${formatCount(p.blobs.length)} blobs that hold this snapshot`),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table blob-proof-table' },
        h('caption', { class: 'visually-hidden' }, 'The blobs of this snapshot and their proof'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Blob', 'Certified', 'Signed by', 'Stored until', 'Signature', 'On the chain'].map(
              (t) => h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          p.blobs.map((b) => blobRow(b, p.nShards)),
        ),
      ),
    ),
  );
}

function blobRow(b: BlobProof, nShards: number): HTMLElement {
  const c = b.certificate;
  const holds =
    b.holds && (b.holds.chunks || b.holds.trees)
      ? [
          b.holds.chunks ? counted(b.holds.chunks, 'piece', 'pieces') + ' of files' : null,
          b.holds.trees ? counted(b.holds.trees, 'folder listing', 'folder listings') : null,
        ]
          .filter(Boolean)
          .join(', ')
      : null;
  const signature = !c
    ? {
        text: b.state === 'certified' ? 'Not on the chain' : 'Not certified',
        badge: 'badge-failed',
      }
    : c.check === 'verified'
      ? { text: 'Checked', badge: 'badge-idle' }
      : c.check === 'signers-unchecked'
        ? { text: 'Keys no longer on the chain', badge: 'badge-missing' }
        : { text: 'Does not check out', badge: 'badge-failed' };
  return h(
    'tr',
    { 'data-blob': b.blobId },
    h(
      'td',
      null,
      KINDS[b.kind],
      h(
        'span',
        { class: 'cell-sub' },
        [shortId(b.blobId), b.size === null ? null : formatBytes(b.size), holds]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    h('td', null, b.certifiedEpoch === null ? '—' : `epoch ${b.certifiedEpoch}`),
    h(
      'td',
      null,
      c ? c.signers.map((s) => s.name).join(', ') : '—',
      c && c.signerShards !== null
        ? h(
            'span',
            { class: 'cell-sub' },
            `${c.signerShards} of ${nShards} shards (${c.quorumShards} needed)`,
          )
        : null,
    ),
    h(
      'td',
      null,
      b.endsAt === null ? '—' : longDate(b.endsAt),
      b.endEpoch === null
        ? null
        : h(
            'span',
            { class: 'cell-sub' },
            `epoch ${b.endEpoch}${b.renewed ? ', renewed automatically' : ''}`,
          ),
    ),
    h(
      'td',
      null,
      h('span', { class: `badge ${signature.badge}` }, signature.text),
      c?.problem ? h('span', { class: 'cell-sub' }, c.problem) : null,
    ),
    h(
      'td',
      null,
      b.objectId === null
        ? '—'
        : b.objectUrl
          ? h('a', { href: b.objectUrl, target: '_blank', rel: 'noopener' }, shortId(b.objectId))
          : h('span', { title: b.objectId }, shortId(b.objectId)),
      b.deletable === null
        ? null
        : h(
            'span',
            { class: 'cell-sub' },
            b.deletable ? 'you can delete it' : 'permanent until it ends',
          ),
    ),
  );
}

function explained(p: SnapshotProof): HTMLElement {
  return h(
    'details',
    { class: 'proof-detail' },
    h('summary', null, 'What this proves, and what it does not'),
    h('h3', null, 'Checked here'),
    h(
      'ul',
      null,
      p.checked.map((t) => h('li', null, t)),
    ),
    h('h3', null, 'Not proven'),
    h(
      'ul',
      null,
      p.notChecked.map((t) => h('li', null, t)),
    ),
  );
}

function glossary(): HTMLElement {
  const term = (name: string, text: string) => [h('dt', null, name), h('dd', null, text)];
  return h(
    'details',
    { class: 'glossary proof-detail' },
    h('summary', null, 'What these words mean'),
    h(
      'dl',
      null,
      ...term(
        'Blob',
        'One stored object on Walrus. A snapshot is held by a few: its record, the packs with your (encrypted) files, and the indexes that say which pack holds what.',
      ),
      ...term(
        'Storage node',
        'A computer that keeps part of every blob and signs that it does. Each keeps some shards.',
      ),
      ...term(
        'Shard',
        'One share of the network’s storage: every blob is cut into as many pieces as there are shards, and a third or so of them is enough to rebuild it.',
      ),
      ...term(
        'Certified',
        'Nodes holding more than two thirds of the shards signed that they store the blob, and the chain recorded their signatures. Floe checks those signatures again.',
      ),
      ...term(
        'Epoch',
        'The period the network sells storage by; storage ends at the start of the epoch shown.',
      ),
      ...term(
        'Spot-check',
        'Floe asks every node for a random sample of the pieces it should keep and checks each one against the blob’s fingerprint: it reads a tiny part of the data, not all of it.',
      ),
      ...term(
        'Margin',
        'How many more nodes could stop, the biggest first, before some of this data could no longer be rebuilt.',
      ),
    ),
  );
}

function counted(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A day; with the time too when it is that close (the local test network's short epochs). */
function longDate(ms: number): string {
  const soon = ms - Date.now() < 2 * 86_400_000;
  return new Date(ms).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    ...(soon ? { hour: '2-digit', minute: '2-digit' } : {}),
  });
}
