/**
 * The renewal timeline: how many live blobs stop being paid for at each coming epoch,
 * with the renewal window shaded — blobs inside it are the ones the next renewal run
 * extends. Drawn as SVG attributes (which the page's CSP allows; style attributes it does
 * not), sized by its viewBox so CSS scales it to any width.
 */
import { h, svg } from './dom.js';
import { formatBytes, formatCount } from './format.js';
import type { RenewalOverview } from './wire.js';

const WIDTH = 720;
const HEIGHT = 240;
const PAD = { top: 28, right: 16, bottom: 58, left: 40 };
/** At most this many epoch labels along the axis; more would overlap. */
const MAX_LABELS = 12;

export interface EpochBucket {
  epoch: number;
  blobs: number;
  bytes: number;
}

/** One bucket per epoch from the current one to the last expiry, empty epochs included. */
export function expiryBuckets(
  blobs: RenewalOverview['blobs'],
  epoch: number,
  windowEpochs: number,
): EpochBucket[] {
  const last = Math.max(epoch + windowEpochs + 1, ...blobs.map((b) => b.endEpoch));
  const buckets: EpochBucket[] = [];
  for (let e = epoch; e <= last; e++) buckets.push({ epoch: e, blobs: 0, bytes: 0 });
  for (const b of blobs) {
    const bucket = buckets[b.endEpoch - epoch];
    if (!bucket) continue;
    bucket.blobs++;
    bucket.bytes += b.storageSize;
  }
  return buckets;
}

/** A round step for about four gridlines: 1, 2 or 5 times a power of ten, and at least 1. */
export function tickStep(most: number): number {
  const rough = Math.max(1, most / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
}

export function expiryChart(overview: RenewalOverview): HTMLElement {
  const epoch = overview.storage.epoch;
  const windowEpochs = overview.policy.windowEpochs;
  const buckets = expiryBuckets(overview.blobs, epoch, windowEpochs);
  const most = Math.max(1, ...buckets.map((b) => b.blobs));
  const step = tickStep(most);
  const top = Math.ceil(most / step) * step;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / buckets.length;
  const x = (e: number) => PAD.left + (e - epoch) * slot;
  const y = (n: number) => PAD.top + plotH - (n / top) * plotH;
  const barW = Math.max(2, Math.min(36, slot * 0.6));
  const labelEvery = Math.ceil(buckets.length / MAX_LABELS);
  const ticks = Array.from({ length: top / step + 1 }, (_, i) => i * step);
  const due = overview.blobs.filter((b) => b.endEpoch <= epoch + windowEpochs).length;

  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      class: 'expiry-chart',
      role: 'img',
      'aria-labelledby': 'expiry-chart-title expiry-chart-desc',
    },
    svg('title', { id: 'expiry-chart-title' }, 'Live blobs by the epoch their storage ends'),
    svg(
      'desc',
      { id: 'expiry-chart-desc' },
      `${formatCount(overview.blobs.length)} live blobs; ${formatCount(due)} end within the renewal window of ${windowEpochs} epochs after epoch ${epoch}.`,
    ),
    svg('rect', {
      class: 'window-band',
      x: x(epoch),
      y: PAD.top - 18,
      width: Math.min(windowEpochs + 1, buckets.length) * slot,
      height: plotH + 18,
    }),
    svg('text', { class: 'window-label', x: x(epoch) + 6, y: PAD.top - 6 }, 'Renewal window'),
    ticks.map((t) => [
      svg('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(t), y2: y(t) }),
      svg('text', { class: 'axis-label', x: PAD.left - 8, y: y(t) + 4, 'text-anchor': 'end' }, t),
    ]),
    buckets.map((b, i) => {
      const cx = x(b.epoch) + slot / 2;
      return [
        b.blobs
          ? svg(
              'g',
              {
                class: b.epoch <= epoch + windowEpochs ? 'bar bar-due' : 'bar',
                'data-epoch': b.epoch,
                'data-blobs': b.blobs,
              },
              svg('rect', {
                x: cx - barW / 2,
                y: y(b.blobs),
                width: barW,
                height: Math.max(1, plotH - (y(b.blobs) - PAD.top)),
                rx: 3,
              }),
              svg(
                'text',
                { class: 'bar-label', x: cx, y: y(b.blobs) - 5, 'text-anchor': 'middle' },
                b.blobs,
              ),
              svg(
                'title',
                {},
                `Epoch ${b.epoch}: storage ends for ${formatCount(b.blobs)} ${b.blobs === 1 ? 'blob' : 'blobs'} (${formatBytes(b.bytes)} encoded)`,
              ),
            )
          : null,
        i % labelEvery === 0
          ? svg(
              'text',
              { class: 'axis-label', x: cx, y: HEIGHT - PAD.bottom + 18, 'text-anchor': 'middle' },
              b.epoch,
            )
          : null,
        b.epoch === epoch
          ? svg(
              'text',
              { class: 'now-label', x: cx, y: HEIGHT - PAD.bottom + 33, 'text-anchor': 'middle' },
              'now',
            )
          : null,
      ];
    }),
    svg('line', {
      class: 'axis',
      x1: PAD.left,
      x2: WIDTH - PAD.right,
      y1: PAD.top + plotH,
      y2: PAD.top + plotH,
    }),
    svg('line', {
      class: 'now-line',
      x1: x(epoch),
      x2: x(epoch),
      y1: PAD.top - 18,
      y2: PAD.top + plotH,
    }),
    svg(
      'text',
      { class: 'axis-title', x: PAD.left + plotW / 2, y: HEIGHT - 6, 'text-anchor': 'middle' },
      'Epoch when storage ends',
    ),
  );

  // The same numbers as a table, for screen readers and for anyone who wants them exact.
  const table = h(
    'details',
    { class: 'chart-table' },
    h('summary', null, 'Show as a table'),
    h(
      'table',
      { class: 'table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Epoch'),
          h('th', { scope: 'col', class: 'number' }, 'Blobs ending'),
          h('th', { scope: 'col', class: 'number' }, 'Encoded size'),
        ),
      ),
      h(
        'tbody',
        null,
        buckets
          .filter((b) => b.blobs)
          .map((b) =>
            h(
              'tr',
              null,
              h('td', null, b.epoch),
              h('td', { class: 'number' }, formatCount(b.blobs)),
              h('td', { class: 'number' }, formatBytes(b.bytes)),
            ),
          ),
      ),
    ),
  );
  return h('figure', { class: 'chart' }, chart, table);
}
