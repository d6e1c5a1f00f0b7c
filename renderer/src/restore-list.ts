/** The restores started from this window, each until it ends and then with its result. */
import { h } from './dom.js';
import { baseName, formatBytes, formatCount, relativeTime } from './format.js';
import { icon } from './icons.js';
import { inlineError } from './placeholders.js';
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
      h(
        'ul',
        { class: 'rows' },
        restores.jobs.map((j) => jobRow(j, restores)),
      ),
    );
  };
  draw();
  return { element, stop: restores.subscribe(draw) };
}

function jobRow(job: RestoreJob, restores: RestoreTracker): HTMLElement {
  const what = job.path ? baseName(job.path) : baseName(job.folder);
  const title = h(
    'div',
    { class: 'row-title' },
    h('strong', null, `${what} → ${job.target}`),
    h('span', { class: `badge badge-restore-${outcome(job)}` }, badgeText(job)),
  );
  let body: HTMLElement;
  if (job.state === 'running')
    body = job.progress
      ? progressView(job.progress, `Restoring ${what}`)
      : h('p', { class: 'row-detail' }, 'Starting…');
  else if (job.state === 'failed')
    body = h('p', { class: 'row-detail row-error' }, job.error ?? 'The restore failed.');
  else body = resultView(job, restores);
  return h(
    'li',
    { class: 'row', 'data-restore': job.id, 'data-state': job.state },
    h(
      'div',
      { class: 'row-icon' },
      icon(
        job.state === 'failed' || outcome(job) === 'partial'
          ? 'alert'
          : job.state === 'done'
            ? 'check'
            : 'restore',
      ),
    ),
    h('div', { class: 'row-main' }, title, body),
  );
}

/** 'partial' when something was left as it was: a green "Done" there would hide it. */
function outcome(job: RestoreJob): RestoreJob['state'] | 'partial' {
  return job.state === 'done' && job.result!.skipped.length ? 'partial' : job.state;
}

function badgeText(job: RestoreJob): string {
  if (job.state === 'running') return 'Restoring…';
  if (job.state === 'failed') return 'Failed';
  const r = job.result!;
  if (!r.skipped.length) return 'Done';
  return r.files ? 'Some kept as they were' : 'Nothing restored';
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * What the restore did, in sentences: what came back, what was already in place, what was
 * replaced or kept beside with a new name — and, first and never folded away, what was left
 * as it was and why, with the two ways to bring it back anyway.
 */
function resultView(job: RestoreJob, restores: RestoreTracker): HTMLElement {
  const r = job.result!;
  const skippedFiles = r.skipped.reduce((n, s) => n + s.files, 0);
  const lines: (HTMLElement | null)[] = [
    h(
      'p',
      { class: 'restore-result' },
      r.files || !r.skipped.length
        ? `Restored ${plural(r.files, 'file')} (${formatBytes(r.bytes)}) into ${job.target}`
        : `Nothing was restored into ${job.target}`,
      r.alreadyRestored
        ? `; ${plural(r.alreadyRestored, 'file was', 'files were')} already as the backup has them`
        : '',
      job.finishedAt ? `, ${relativeTime(job.finishedAt)}.` : '.',
    ),
  ];
  if (r.renamed.length)
    lines.push(
      conflictList(
        `${plural(r.renamed.length, 'copy', 'copies')} restored beside yours under a new name:`,
        r.renamed.map((c) => h('li', null, h('code', null, c.path), ' → ', h('code', null, c.to))),
      ),
    );
  if (r.replaced.length)
    lines.push(
      conflictList(
        `${plural(r.replaced.length, 'local item')} replaced by the backup’s copy:`,
        r.replaced.map((c) => h('li', null, h('code', null, c.path), ` — ${c.reason}`)),
      ),
    );
  if (r.skipped.length) {
    const again = (conflict: 'replace' | 'keep-both') =>
      void restores
        .start({
          snapshot: job.snapshot,
          folder: job.folder,
          ...(job.path ? { path: job.path } : {}),
          ...(job.toOriginalPlace ? {} : { target: job.target }),
          conflict,
        })
        .catch((error: unknown) => problem.replaceChildren(inlineError(error)));
    const problem = h('div', { class: 'form-problem' });
    lines.push(
      h(
        'div',
        { class: 'restore-skipped', role: 'status' },
        h(
          'p',
          null,
          h(
            'strong',
            null,
            `${plural(skippedFiles, 'file')} kept as ${skippedFiles === 1 ? 'it was' : 'they were'}`,
          ),
          ` — what is there now differs from the backup, and this restore was told to skip it.`,
        ),
        h(
          'ul',
          { class: 'skipped' },
          r.skipped.map((s) => h('li', null, h('code', null, s.path), ` — ${s.reason}`)),
        ),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'button', on: { click: () => again('keep-both') } },
            'Keep both',
          ),
          h(
            'button',
            { type: 'button', class: 'button', on: { click: () => again('replace') } },
            'Replace them',
          ),
        ),
        problem,
      ),
    );
  }
  return h('div', { class: 'row-detail' }, ...lines);
}

function conflictList(title: string, items: HTMLElement[]): HTMLElement {
  return h('details', null, h('summary', null, title), h('ul', { class: 'skipped' }, items));
}
