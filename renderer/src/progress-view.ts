/**
 * A running job's progress — a backup's or a restore's, both the same `ProgressSnapshot`
 * — drawn one way everywhere: the bar, files and bytes, speed, time left, current file.
 */
import { h } from './dom.js';
import { formatBytes, formatCount, formatDuration, formatRate, percent } from './format.js';
import type { ProgressSnapshot } from './wire.js';

export function progressView(p: ProgressSnapshot, label: string): HTMLElement {
  // After the files are read, the step in hand (the last pack's upload) is what moves.
  const step = p.step;
  const pct = step ? percent(step.bytesDone, step.bytesTotal) : percent(p.bytesDone, p.bytesTotal);
  const stat = (name: string, value: string) =>
    h('div', { class: 'stat' }, h('dt', null, name), h('dd', null, value));
  return h(
    'div',
    { class: 'progress-view' },
    h(
      'div',
      { class: 'progress-line' },
      h('progress', { max: 100, ...(pct === null ? {} : { value: pct }), 'aria-label': label }),
      h('span', { class: 'progress-percent' }, pct === null ? '' : `${pct}%`),
    ),
    h(
      'dl',
      { class: 'stats' },
      stat(
        'Files',
        p.filesTotal === null
          ? formatCount(p.filesDone)
          : `${formatCount(p.filesDone)} of ${formatCount(p.filesTotal)}`,
      ),
      step
        ? stat('Sent', `${formatBytes(step.bytesDone)} of ${formatBytes(step.bytesTotal)}`)
        : stat(
            'Data',
            p.bytesTotal === null
              ? formatBytes(p.bytesDone)
              : `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`,
          ),
      stat('Speed', p.rate > 0 ? formatRate(p.rate) : '—'),
      stat('Time left', p.etaSeconds === null ? '—' : `about ${formatDuration(p.etaSeconds)}`),
    ),
    p.currentPath ? h('p', { class: 'current-path', title: p.currentPath }, p.currentPath) : null,
  );
}
