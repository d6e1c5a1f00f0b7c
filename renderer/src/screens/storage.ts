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
  formatCompact,
  formatCount,
  formatDateTime,
  formatDuration,
  formatWal,
  relativeTime,
  shortId,
} from '../format.js';
import { icon } from '../icons.js';
import { empty, errorText, failed, inlineError, loading } from '../placeholders.js';
import type { RenewalOverview, RenewalRecord, RenewalRun } from '../wire.js';
import type { Screen } from './screen.js';

/** Epochs change without an event of their own; this keeps "ends in …" and the chart current. */
const REFRESH_MS = 30_000;
/** Fewer epochs than this paid for is worth a warning (the tray warns at the same point). */
const LOW_BALANCE_EPOCHS = 3;

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

  const draw = (o: RenewalOverview) => {
    const s = o.storage;
    const epochsLeft = s.nextExpiryEpoch === null ? null : s.nextExpiryEpoch - s.epoch;
    const lastRenewal = o.log[0] ?? null;
    summary.replaceChildren(
      statCard(
        'WAL balance',
        formatWal(s.walFrost),
        formatWal(s.walFrost, true),
        `${formatCount(Number(BigInt(s.suiMist) / 1_000_000n) / 1000)} SUI for gas`,
      ),
      statCard(
        'Cost per epoch',
        formatWal(s.costPerEpochFrost),
        formatWal(s.costPerEpochFrost, true),
        `to keep ${formatCount(s.liveBlobs)} live ${s.liveBlobs === 1 ? 'blob' : 'blobs'}`,
      ),
      statCard(
        'Balance pays for',
        s.epochsAffordable === null
          ? '—'
          : `${formatCompact(s.epochsAffordable)} ${s.epochsAffordable === 1 ? 'epoch' : 'epochs'}`,
        s.epochsAffordable === null ? null : `${formatCount(s.epochsAffordable)} epochs`,
        s.epochsAffordable === null
          ? 'nothing costs anything yet'
          : `about ${formatDuration((s.epochsAffordable * s.epochDurationMs) / 1000)}`,
        s.epochsAffordable !== null && s.epochsAffordable < LOW_BALANCE_EPOCHS ? 'warning' : null,
      ),
      statCard(
        'Stored',
        formatBytes(s.liveStorageBytes),
        null,
        `${formatCount(s.liveBlobs)} live ${s.liveBlobs === 1 ? 'blob' : 'blobs'}, encoded size`,
      ),
      statCard(
        'Current epoch',
        formatCount(s.epoch),
        null,
        `the next starts in ${formatDuration(Math.max(0, s.epochEndsAt - Date.now()) / 1000)}`,
      ),
      statCard(
        'Next expiry',
        s.nextExpiryEpoch === null ? '—' : `Epoch ${formatCount(s.nextExpiryEpoch)}`,
        null,
        epochsLeft === null
          ? 'no live blobs'
          : `${epochsLeft} ${epochsLeft === 1 ? 'epoch' : 'epochs'} from now`,
        epochsLeft !== null && epochsLeft <= o.policy.windowEpochs ? 'due' : null,
      ),
      statCard(
        'Last renewal',
        lastRenewal ? relativeTime(lastRenewal.time) : 'None yet',
        lastRenewal ? formatDateTime(lastRenewal.time) : null,
        lastRenewal
          ? `${actionLabel(lastRenewal)} at epoch ${lastRenewal.epoch}`
          : 'nothing has needed renewing',
        lastRenewal?.action === 'error' ? 'danger' : null,
      ),
      statCard(
        'Renewal policy',
        `${o.policy.windowEpochs} + ${o.policy.termEpochs} epochs`,
        null,
        `extend by ${o.policy.termEpochs} when ${o.policy.windowEpochs} or fewer are left`,
      ),
    );
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
                  ['When', 'Epoch', 'Decision', 'Blob', 'Epochs', 'Cost', 'Why'].map((t) =>
                    h('th', { scope: 'col' }, t),
                  ),
                ),
              ),
              h('tbody', null, o.log.map(logRow)),
            ),
          )
        : h(
            'p',
            { class: 'quiet' },
            'No renewal decisions yet. Each extension, deletion and failure is recorded here.',
          ),
    );
    body.replaceChildren(summary, timeline, log);
  };

  const load = async () => {
    try {
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
    h(
      'div',
      { class: 'screen-head' },
      h('h1', { tabindex: -1 }, 'Storage & renewals'),
      h(
        'p',
        { class: 'lead' },
        'Walrus stores each blob for a number of epochs, paid in WAL. Floe extends the ones your backups need before they end.',
      ),
    ),
    body,
  );
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  const unsubscribe = live.on('renewal', () => void load());
  return () => {
    clearInterval(timer);
    unsubscribe();
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

function logRow(r: RenewalRecord): HTMLElement {
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
    h('td', null, r.blobId ? h('code', { title: r.blobId }, shortId(r.blobId)) : '—'),
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
