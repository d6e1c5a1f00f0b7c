/** The restores started from this window, each until it ends and then with its result. */
import { h } from './dom.js';
import { baseName, formatBytes, formatCount, relativeTime } from './format.js';
import { icon } from './icons.js';
import { progressView } from './progress-view.js';
import type { RestoreTracker } from './restores.js';
import type { RestoreJob } from './wire.js';

/** A section listing the tracker's jobs, redrawn as they change; `stop` unsubscribes. */
export function restoreList(restores: RestoreTracker): { element: HTMLElement; stop(): void } {
  const element = h('section', { class: 'card restores', 'aria-labelledby': 'restores-title' });
  const draw = () => {
    element.hidden = restores.jobs.length === 0;
    element.replaceChildren(
      h('h2', { id: 'restores-title' }, 'Restores'),
      h('ul', { class: 'rows' }, restores.jobs.map(jobRow)),
    );
  };
  draw();
  return { element, stop: restores.subscribe(draw) };
}

function jobRow(job: RestoreJob): HTMLElement {
  const what = job.path ? baseName(job.path) : baseName(job.folder);
  const title = h(
    'div',
    { class: 'row-title' },
    h('strong', null, `${what} → ${job.target}`),
    h(
      'span',
      { class: `badge badge-restore-${job.state}` },
      { running: 'Restoring…', done: 'Done', failed: 'Failed' }[job.state],
    ),
  );
  let body: HTMLElement;
  if (job.state === 'running')
    body = job.progress
      ? progressView(job.progress, `Restoring ${what}`)
      : h('p', { class: 'row-detail' }, 'Starting…');
  else if (job.state === 'failed')
    body = h('p', { class: 'row-detail row-error' }, job.error ?? 'The restore failed.');
  else {
    const r = job.result!;
    body = h(
      'div',
      { class: 'row-detail' },
      h(
        'p',
        { class: 'restore-result' },
        `Restored ${formatCount(r.files)} ${r.files === 1 ? 'file' : 'files'} (${formatBytes(r.bytes)}) into ${job.target}`,
        r.alreadyRestored ? `; ${formatCount(r.alreadyRestored)} were already in place` : '',
        job.finishedAt ? `, ${relativeTime(job.finishedAt)}.` : '.',
      ),
      r.skipped.length
        ? h(
            'details',
            null,
            h('summary', null, `${formatCount(r.skipped.length)} skipped`),
            h(
              'ul',
              { class: 'skipped' },
              r.skipped.map((s) => h('li', null, h('code', null, s.path), ` — ${s.reason}`)),
            ),
          )
        : null,
    );
  }
  return h(
    'li',
    { class: 'row', 'data-restore': job.id, 'data-state': job.state },
    h(
      'div',
      { class: 'row-icon' },
      icon(job.state === 'failed' ? 'alert' : job.state === 'done' ? 'check' : 'restore'),
    ),
    h('div', { class: 'row-main' }, title, body),
  );
}
