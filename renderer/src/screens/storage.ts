/**
 * Storage and renewals: what the account holds and pays, when its live blobs' storage
 * ends (the timeline), every renewal decision with failures standing out, and "Renew
 * now". Walrus sells storage by the epoch, so everything here counts in epochs, with
 * wall-clock equivalents where they help.
 */
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import { expiryChart } from '../expiry-chart.js';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
  formatWal,
  relativeTime,
  shortId,
} from '../format.js';
import { icon } from '../icons.js';
import { nodeHealthCard } from '../node-health-card.js';
import { empty, errorText, failed, inlineError, loading } from '../placeholders.js';
import type { NetworkView, RenewalOverview, RenewalRecord, RenewalRun } from '../wire.js';
import type { Screen } from './screen.js';

/** Epochs change without an event of their own; this keeps "ends in …" and the chart current. */
const REFRESH_MS = 30_000;
/** Fewer epochs than this paid for is worth a warning (the tray warns at the same point). */
const LOW_BALANCE_EPOCHS = 3;
const MONTH_S = 30 * 86_400;
const GiB = 1024 ** 3;

const NETWORK_NAMES: Record<string, string> = {
  localnet: 'the local test network on this computer',
  testnet: 'Walrus testnet',
  mainnet: 'Walrus mainnet',
};

function networkName(running: string): string {
  return NETWORK_NAMES[running] ?? running;
}

/** "999.96 WAL": two decimals from 1 WAL up, four below; exact amounts go in the title. */
function formatWalShort(frost: string): string {
  const wal = Number(BigInt(frost)) / 1e9;
  if (wal === 0) return '0 WAL';
  if (wal < 0.0001) return '< 0.0001 WAL';
  return `${wal.toLocaleString('en-US', { maximumFractionDigits: wal >= 1 ? 2 : 4 })} WAL`;
}

function formatSui(mist: string): string {
  const sui = Number(BigInt(mist)) / 1e9;
  return `${sui.toLocaleString('en-US', { maximumFractionDigits: sui >= 1 ? 2 : 4 })} SUI`;
}

/** The account: its address (copyable), and how to add funds on this network. */
function accountCard(network: NetworkView | null, s: RenewalOverview['storage']): HTMLElement[] {
  const title = h('h2', { id: 'account-title' }, 'Your account');
  if (!network) return [title, h('p', { class: 'quiet' }, 'The account could not be read.')];
  const address = h('code', { class: 'account-address' }, network.address);
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'button button-small',
      on: {
        click: async () => {
          await navigator.clipboard.writeText(network.address).catch(() => undefined);
          copy.textContent = 'Copied';
        },
      },
    },
    'Copy',
  );
  const funding: Record<string, string> = {
    localnet:
      'On the local test network the money is pretend: Floe fills the account from the network’s own faucet when it is created.',
    testnet:
      'Testnet money is free: get SUI from https://faucet.sui.io/ for this address, then exchange some for WAL (1:1) with the Walrus CLI’s “walrus get-wal” or a testnet wallet.',
    mainnet:
      'Buy WAL (for storage) and a little SUI (for network fees) on an exchange or in a Sui wallet, and send them to this address. The recovery phrase opens this account in any Sui wallet too.',
  };
  return [
    title,
    h(
      'p',
      { class: 'hint' },
      `On ${networkName(network.running)}. It pays in WAL for storage and in SUI for each transaction.`,
    ),
    h('div', { class: 'account-line' }, address, copy),
    h(
      'p',
      null,
      `${formatWalShort(s.walFrost)} and ${formatSui(s.suiMist)} now. ${funding[network.running] ?? ''}`,
    ),
  ];
}

/** A few words for the curious. */
function glossary(): HTMLElement {
  const term = (name: string, text: string) => [h('dt', null, name), h('dd', null, text)];
  return h(
    'details',
    { class: 'card glossary' },
    h('summary', null, 'What these words mean'),
    h(
      'dl',
      null,
      ...term(
        'Walrus',
        'A storage network run by many independent operators. Each of your (encrypted) packs is cut into pieces spread over their storage nodes; a part of them is enough to rebuild it.',
      ),
      ...term(
        'Blob',
        'One stored file as Walrus sees it. Floe packs many of your files, encrypted, into each blob.',
      ),
      ...term(
        'Epoch',
        'The period Walrus sells storage by: two weeks on mainnet, a day on testnet, a minute on the local test network.',
      ),
      ...term('WAL', 'The token storage is paid in.'),
      ...term(
        'SUI',
        'The token that pays the small fee of each transaction on Sui, the blockchain that records who stores what until when.',
      ),
      ...term(
        'Renewal',
        'Paying for more epochs before a blob’s storage ends. Floe does it for every blob your backups need.',
      ),
    ),
  );
}

export const storageScreen: Screen = (pane, { api, live }) => {
  let overview: RenewalOverview | null = null;
  const summary = h('div', { class: 'stat-cards' });
  const timeline = h('section', { class: 'card', 'aria-labelledby': 'timeline-title' });
  const log = h('section', { class: 'card', 'aria-labelledby': 'log-title' });
  const outcome = h('div', { class: 'renew-outcome', 'aria-live': 'polite' });
  const renewButton = h(
    'button',
    { type: 'button', class: 'button button-primary', on: { click: () => void renew() } },
    icon('refresh'),
    'Renew now',
  );
  const body = h(
    'div',
    { class: 'storage-body' },
    loading('Reading your storage from the network…'),
  );
  const epochNote = h('p', { class: 'lead' });
  const account = h('section', { class: 'card account-card', 'aria-labelledby': 'account-title' });
  const nodes = nodeHealthCard(api, live);
  /** Which network and account: read once (it changes only with a restart). */
  let network: NetworkView | null = null;

  const draw = (o: RenewalOverview) => {
    const s = o.storage;
    const epochsLeft = s.nextExpiryEpoch === null ? null : s.nextExpiryEpoch - s.epoch;
    const lastRenewal = o.log[0] ?? null;
    const kinds = new Map(o.blobs.map((b) => [b.blobId, b.kind]));
    const epoch = s.epochDurationMs / 1000;
    const epochsPerMonth = MONTH_S / epoch;
    const perMonth = BigInt(Math.round(Number(s.costPerEpochFrost) * epochsPerMonth));
    const gib = s.liveStorageBytes / GiB;
    summary.replaceChildren(
      statCard(
        'Balance',
        formatWalShort(s.walFrost),
        formatWal(s.walFrost, true),
        `and ${formatSui(s.suiMist)} for network fees`,
      ),
      statCard(
        'Storage costs',
        `${formatWalShort(perMonth.toString())} a month`,
        `${formatWal(s.costPerEpochFrost, true)} per epoch`,
        gib > 0
          ? `${formatWalShort(BigInt(Math.round(Number(perMonth) / gib)).toString())} per GiB stored, a month`
          : 'nothing stored yet',
      ),
      statCard(
        'The balance lasts',
        s.epochsAffordable === null ? '—' : `about ${formatDuration(s.epochsAffordable * epoch)}`,
        s.epochsAffordable === null ? null : `${formatCount(s.epochsAffordable)} epochs`,
        s.epochsAffordable === null
          ? 'nothing costs anything yet'
          : 'at today’s price, for what is stored now',
        s.epochsAffordable !== null && s.epochsAffordable < LOW_BALANCE_EPOCHS ? 'warning' : null,
      ),
      statCard(
        'Stored',
        formatBytes(s.liveStorageBytes),
        null,
        `${formatCount(s.liveBlobs)} ${s.liveBlobs === 1 ? 'blob' : 'blobs'}, as encoded on the network (about 5× your data)`,
      ),
      statCard(
        'Storage paid for',
        epochsLeft === null
          ? '—'
          : formatDuration(
              Math.max(0, epochsLeft - 1) * epoch + Math.max(0, s.epochEndsAt - Date.now()) / 1000,
            ),
        s.nextExpiryEpoch === null
          ? null
          : `until epoch ${formatCount(s.nextExpiryEpoch)} (now ${formatCount(s.epoch)})`,
        epochsLeft === null
          ? 'nothing stored yet'
          : 'for the blob that ends first; renewed before then',
        epochsLeft !== null && epochsLeft <= o.policy.windowEpochs ? 'due' : null,
      ),
      statCard(
        'Last renewal',
        lastRenewal ? relativeTime(lastRenewal.time) : 'None yet',
        lastRenewal ? formatDateTime(lastRenewal.time) : null,
        lastRenewal ? actionLabel(lastRenewal) : 'nothing has needed renewing',
        lastRenewal?.action === 'error' ? 'danger' : null,
      ),
      statCard(
        'Renewal',
        `${formatDuration(o.policy.termEpochs * epoch)} at a time`,
        `window ${o.policy.windowEpochs} epochs, term ${o.policy.termEpochs} epochs`,
        `when less than ${formatDuration(o.policy.windowEpochs * epoch)} is left`,
      ),
    );
    epochNote.textContent = `Walrus sells storage by the epoch. ${network ? `On ${networkName(network.running)} an epoch lasts ${formatDuration(epoch)}` : `An epoch lasts ${formatDuration(epoch)} here`}${network?.running === 'mainnet' ? '' : ' (on Walrus mainnet, two weeks)'}; Floe extends what your backups need before it ends.`;
    account.replaceChildren(...accountCard(network, s));
    timeline.replaceChildren(
      h(
        'div',
        { class: 'card-head' },
        h(
          'div',
          null,
          h('h2', { id: 'timeline-title' }, 'Upcoming expiries'),
          h(
            'p',
            { class: 'quiet' },
            `Blobs whose storage ends within ${o.policy.windowEpochs} epochs are extended by ${o.policy.termEpochs} epochs at the next renewal.`,
          ),
        ),
        renewButton,
      ),
      outcome,
      o.blobs.length
        ? expiryChart(o)
        : empty(
            'storage',
            'Nothing stored yet',
            'Once a backup finishes, its blobs appear here by the epoch their storage ends.',
          ),
    );
    log.replaceChildren(
      h(
        'h2',
        { id: 'log-title' },
        'Renewal log',
        o.log.some((r) => r.action === 'error')
          ? h(
              'span',
              { class: 'count count-danger' },
              o.log.filter((r) => r.action === 'error').length,
            )
          : null,
      ),
      o.log.length
        ? h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'table log-table' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['When', 'Epoch', 'Decision', 'What', 'Epochs bought', 'Cost', 'Why'].map((t) =>
                    h('th', { scope: 'col' }, t),
                  ),
                ),
              ),
              h(
                'tbody',
                null,
                o.log.map((r) => logRow(r, kinds)),
              ),
            ),
          )
        : h(
            'p',
            { class: 'quiet' },
            'No renewal decisions yet. Each extension, deletion and failure is recorded here.',
          ),
    );
    body.replaceChildren(summary, account, timeline, nodes.element, log, glossary());
  };

  const load = async () => {
    try {
      network ??= await api.network().catch(() => null);
      overview = await api.renewals();
      draw(overview);
    } catch (error) {
      // Keep showing what was last read, with the failure above it, rather than nothing.
      if (!overview)
        body.replaceChildren(
          failed(
            error instanceof ApiError && error.status === 503
              ? 'The network cannot be reached'
              : 'Storage could not be read',
            error,
            () => void load(),
          ),
        );
      else outcome.replaceChildren(inlineError(error));
    }
  };

  const renew = async () => {
    renewButton.disabled = true;
    outcome.replaceChildren(loading('Renewing…'));
    try {
      const run = await api.renewNow();
      await load();
      outcome.replaceChildren(runSummary(run));
    } catch (error) {
      outcome.replaceChildren(inlineError(error));
    } finally {
      renewButton.disabled = false;
    }
  };

  pane.append(
    h('div', { class: 'screen-head' }, h('h1', { tabindex: -1 }, 'Storage & renewals'), epochNote),
    body,
  );
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  const unsubscribe = live.on('renewal', () => void load());
  return () => {
    clearInterval(timer);
    unsubscribe();
    nodes.stop();
  };
};

function statCard(
  label: string,
  value: string,
  exact: string | null,
  note: string,
  tone: 'warning' | 'due' | 'danger' | null = null,
): HTMLElement {
  return h(
    'div',
    { class: 'stat-card', 'data-tone': tone ?? undefined },
    h('p', { class: 'stat-label' }, label),
    h('p', { class: 'stat-value', title: exact ?? undefined }, value),
    h('p', { class: 'stat-note' }, note),
  );
}

function actionLabel(r: RenewalRecord): string {
  return {
    extend: 'Extended',
    delete: 'Deleted',
    expire: 'Expired',
    compact: 'Compacted',
    forget: 'Forgot a snapshot',
    error: 'Failed',
  }[r.action];
}

const KIND_WORDS: Record<string, string> = {
  pack: 'files (a pack)',
  index: 'the index of packs',
  snapshot: 'a snapshot',
};

/** One decision; `kinds` names what a live blob holds (the log itself knows only its id). */
function logRow(r: RenewalRecord, kinds: Map<string, string | null>): HTMLElement {
  const kind = r.blobId ? kinds.get(r.blobId) : undefined;
  return h(
    'tr',
    { class: r.action === 'error' ? 'log-error' : undefined, 'data-action': r.action },
    h(
      'td',
      null,
      h(
        'time',
        { datetime: new Date(r.time).toISOString(), title: formatDateTime(r.time) },
        relativeTime(r.time),
      ),
    ),
    h('td', { class: 'number' }, r.epoch),
    h(
      'td',
      null,
      h(
        'span',
        { class: `badge badge-log-${r.action}` },
        r.action === 'error' ? icon('alert') : null,
        actionLabel(r),
      ),
    ),
    h(
      'td',
      null,
      r.blobId
        ? h(
            'span',
            { title: `blob ${r.blobId}` },
            kind ? (KIND_WORDS[kind] ?? kind) : `blob ${shortId(r.blobId)}`,
          )
        : '—',
    ),
    h('td', { class: 'number' }, r.epochs ?? '—'),
    h('td', { class: 'number' }, r.costFrost ? formatWal(r.costFrost) : '—'),
    h('td', { class: 'log-reason' }, r.reason),
  );
}

function runSummary(run: RenewalRun): HTMLElement {
  const did =
    run.extended || run.deleted
      ? `Extended ${formatCount(run.extended)} and deleted ${formatCount(run.deleted)} ${run.extended + run.deleted === 1 ? 'blob' : 'blobs'}, for ${formatWal(run.costFrost)}.`
      : 'Nothing needed renewing: every live blob is paid for beyond the renewal window.';
  if (!run.errors.length)
    return h(
      'p',
      { class: 'callout callout-success', role: 'status' },
      icon('check'),
      h('span', null, did),
    );
  return h(
    'div',
    { class: 'callout callout-danger', role: 'alert' },
    icon('alert'),
    h(
      'div',
      null,
      h(
        'strong',
        null,
        `${formatCount(run.errors.length)} ${run.errors.length === 1 ? 'renewal' : 'renewals'} failed.`,
      ),
      h('p', null, did),
      h(
        'ul',
        null,
        run.errors.map((e) => h('li', null, errorText(e))),
      ),
    ),
  );
}
