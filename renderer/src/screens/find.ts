/**
 * Finding a file's past: search every snapshot by name (a part of it, or a pattern such
 * as `*.pdf`), optionally in one folder and between two dates (GET /api/search), then one
 * path's versions — each distinct content once, with when it was backed up and which
 * snapshots hold it — and its history of changes (GET /api/versions). Any version restores
 * to where it was or to another folder. `/find?q=…` searches, `/find/versions?folder=…&path=…`
 * shows one path; both are links, so the browser's Back works.
 */
import { h, keepingFocus } from '../dom.js';
import { baseName, formatBytes, formatCount, formatDateTime, relativeTime } from '../format.js';
import { icon } from '../icons.js';
import { empty, failed, loading } from '../placeholders.js';
import { restoreDialog } from '../restore-dialog.js';
import { restoreList } from '../restore-list.js';
import type { FoundPath, PathChange, PathVersion, PathVersions } from '../wire.js';
import type { Screen, ScreenContext } from './screen.js';

export const findScreen: Screen = (pane, ctx, url) => {
  if (url.pathname !== '/find/versions') return searchView(pane, ctx, url.searchParams);
  // A version restored from here shows its progress and its outcome right here.
  const restores = restoreList(ctx.restores);
  versionsView(pane, ctx, url.searchParams, restores.element);
  return restores.stop;
};

function searchView(pane: HTMLElement, ctx: ScreenContext, params: URLSearchParams): void {
  const { api } = ctx;
  const q = h('input', {
    type: 'search',
    id: 'find-q',
    value: params.get('q') ?? '',
    placeholder: 'report, *.pdf, Photos/2024',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'find-q-hint',
  });
  const folder = h('select', { id: 'find-folder' }, h('option', { value: '' }, 'All folders'));
  const from = h('input', { type: 'date', id: 'find-from', value: params.get('from') ?? '' });
  const to = h('input', { type: 'date', id: 'find-to', value: params.get('to') ?? '' });
  const results = h('section', { class: 'card', 'aria-live': 'polite' });

  void api
    .snapshots()
    .then(({ snapshots }) => {
      const folders = [...new Set(snapshots.flatMap((s) => s.folders))].sort();
      for (const f of folders)
        folder.append(h('option', { value: f, selected: params.get('folder') === f }, f));
    })
    .catch(() => undefined);

  const form = h(
    'form',
    {
      class: 'card find-form',
      role: 'search',
      on: {
        submit: (e) => {
          e.preventDefault();
          const next = new URLSearchParams();
          if (q.value.trim()) next.set('q', q.value.trim());
          if (folder.value) next.set('folder', folder.value);
          if (from.value) next.set('from', from.value);
          if (to.value) next.set('to', to.value);
          ctx.navigate(`/find?${next}`);
        },
      },
    },
    h(
      'label',
      { class: 'field field-grow', for: 'find-q' },
      h('span', null, 'Name of a file or folder'),
      q,
      h(
        'span',
        { class: 'hint', id: 'find-q-hint' },
        'A part of the name, or a pattern: * for any letters, ? for one. Upper and lower case are the same.',
      ),
    ),
    h(
      'div',
      { class: 'field-grid' },
      h('label', { class: 'field', for: 'find-folder' }, h('span', null, 'In'), folder),
      h('label', { class: 'field', for: 'find-from' }, h('span', null, 'Backed up from'), from),
      h('label', { class: 'field', for: 'find-to' }, h('span', null, 'until'), to),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, icon('snapshots'), 'Find'),
    ),
  );

  pane.append(
    h(
      'div',
      { class: 'screen-head' },
      h('h1', { tabindex: -1 }, 'Find files'),
      h(
        'p',
        { class: 'lead' },
        'Every snapshot at once: find a file by its name, see each version Floe kept, and bring back the one you need.',
      ),
    ),
    form,
    results,
  );

  const pattern = params.get('q');
  if (!pattern) {
    results.replaceChildren(
      empty(
        'snapshots',
        'Search your backups',
        'Type a name above: every version of every file that matches, across all your snapshots.',
      ),
    );
    return;
  }
  results.replaceChildren(loading('Searching every snapshot…'));
  void api
    .search({
      q: pattern,
      ...(params.get('folder') ? { folder: params.get('folder')! } : {}),
      ...(params.get('from') ? { from: params.get('from')! } : {}),
      ...(params.get('to') ? { to: params.get('to')! } : {}),
    })
    .then((found) => {
      results.replaceChildren(
        h(
          'h2',
          null,
          found.total === 0
            ? 'Nothing found'
            : `${formatCount(found.total)} ${found.total === 1 ? 'match' : 'matches'} in ${formatCount(found.snapshotsSearched)} snapshots`,
        ),
        found.results.length
          ? h(
              'ul',
              { class: 'rows find-results' },
              found.results.map((r) => foundRow(r)),
            )
          : h(
              'p',
              { class: 'quiet' },
              'No file or folder by that name was ever backed up. Try a shorter part of the name, or *.',
            ),
        found.truncated
          ? h(
              'p',
              { class: 'hint' },
              `Showing the first ${formatCount(found.results.length)}: add to the name to narrow it down.`,
            )
          : '',
      );
    })
    .catch((error: unknown) =>
      results.replaceChildren(
        failed('The search could not be run', error, () => ctx.navigate(`/find?${params}`)),
      ),
    );
}

function versionsLink(folder: string, path: string): string {
  return `/find/versions?${new URLSearchParams({ folder, path })}`;
}

function foundRow(r: FoundPath): HTMLElement {
  return h(
    'li',
    { class: 'row', 'data-path': r.path },
    h(
      'div',
      { class: 'row-icon' },
      icon(r.type === 'dir' ? 'folder' : r.type === 'symlink' ? 'link' : 'file'),
    ),
    h(
      'div',
      { class: 'row-main' },
      h(
        'div',
        { class: 'row-title' },
        h('a', { href: versionsLink(r.folder, r.path) }, r.name),
        r.inLatest ? null : h('span', { class: 'badge badge-held' }, 'Not in the latest backup'),
      ),
      h(
        'p',
        { class: 'row-path', title: `${r.folder}/${r.path}` },
        `${baseName(r.folder)}/${r.path}`,
      ),
      h(
        'p',
        { class: 'row-detail' },
        `${formatCount(r.versions)} ${r.versions === 1 ? 'version' : 'versions'} in ${formatCount(r.snapshots)} ${r.snapshots === 1 ? 'snapshot' : 'snapshots'} · last backed up ${relativeTime(Date.parse(r.last.time))}${r.type === 'file' ? ` · ${formatBytes(r.last.size)}` : ''}`,
      ),
    ),
  );
}

function versionsView(
  pane: HTMLElement,
  ctx: ScreenContext,
  params: URLSearchParams,
  restores: HTMLElement,
): void {
  const folder = params.get('folder') ?? '';
  const path = params.get('path') ?? '';
  const body = h('div', { class: 'stack' }, loading('Reading its history…'));
  pane.append(
    h(
      'div',
      { class: 'screen-head' },
      h('p', { class: 'crumbs' }, h('a', { href: '/find' }, 'Find files'), ' › '),
      h('h1', { tabindex: -1 }, path ? baseName(path) : baseName(folder)),
      h('p', { class: 'lead row-path' }, path ? `${folder}/${path}` : folder),
    ),
    body,
    restores,
  );
  void ctx.api
    .versions(folder, path)
    .then((v) => keepingFocus(body, () => body.replaceChildren(...drawVersions(ctx, v))))
    .catch((error: unknown) =>
      body.replaceChildren(
        failed('Its history could not be read', error, () =>
          ctx.navigate(versionsLink(folder, path)),
        ),
      ),
    );
}

function drawVersions(ctx: ScreenContext, v: PathVersions): HTMLElement[] {
  const isDir = v.versions[0]?.type === 'dir';
  return [
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'versions-title' },
      h(
        'h2',
        { id: 'versions-title' },
        `${formatCount(v.versions.length)} ${v.versions.length === 1 ? 'version' : 'versions'}`,
      ),
      h(
        'p',
        { class: 'hint' },
        isDir
          ? 'Each time the folder’s contents changed, newest first. Restore any of them as it was then.'
          : 'Each different content Floe kept, newest first (the same content in many snapshots is one version).',
      ),
      h(
        'ul',
        { class: 'rows versions' },
        v.versions.map((x, i) => versionRow(ctx, v, x, i)),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, isDir ? 'Browse history' : 'History'),
      v.changes.length
        ? h(
            'ol',
            { class: 'history' },
            v.changes.map((c) => changeRow(c, isDir)),
          )
        : h('p', { class: 'quiet' }, 'It never changed.'),
    ),
  ];
}

function versionRow(ctx: ScreenContext, v: PathVersions, x: PathVersion, i: number): HTMLElement {
  const [first, last] = [formatDateTime(x.firstSeen), formatDateTime(x.lastSeen)];
  const when = first === last ? first : `${first} – ${last}`;
  return h(
    'li',
    { class: 'row version-row', 'data-version': i },
    h('div', { class: 'row-icon' }, icon(x.type === 'dir' ? 'folder' : 'file')),
    h(
      'div',
      { class: 'row-main' },
      h(
        'div',
        { class: 'row-title' },
        h('strong', null, when),
        x.inLatest ? h('span', { class: 'badge badge-idle' }, 'In the latest backup') : null,
      ),
      h(
        'p',
        { class: 'row-detail' },
        [
          x.type === 'dir' ? `${formatCount(x.entries ?? 0)} items` : formatBytes(x.size),
          x.mtime ? `modified ${formatDateTime(x.mtime)}` : null,
          `in ${formatCount(x.snapshots.length)} ${x.snapshots.length === 1 ? 'snapshot' : 'snapshots'}`,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    h(
      'div',
      { class: 'row-actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'button button-small',
          'aria-label': `Restore the version of ${when}`,
          on: {
            click: () =>
              restoreDialog(ctx, {
                snapshot: x.restore.snapshot,
                folder: x.restore.folder,
                path: x.restore.path,
                name: v.name,
                isDir: x.type === 'dir',
                when: formatDateTime(x.lastSeen),
                time: x.lastSeen,
              }),
          },
        },
        icon('restore'),
        'Restore…',
      ),
    ),
  );
}

const CHANGE_WORDS: Record<PathChange['kind'], string> = {
  created: 'First backed up',
  changed: 'Changed',
  deleted: 'Deleted',
  recreated: 'Back again',
};

function changeRow(c: PathChange, isDir: boolean): HTMLElement {
  const detail =
    isDir && c.entries
      ? ` — ${[
          c.entries.added ? `${formatCount(c.entries.added)} added` : '',
          c.entries.removed ? `${formatCount(c.entries.removed)} removed` : '',
          c.entries.modified ? `${formatCount(c.entries.modified)} changed` : '',
        ]
          .filter(Boolean)
          .join(', ')}`
      : '';
  return h(
    'li',
    { 'data-kind': c.kind },
    h('time', { datetime: c.time }, formatDateTime(c.time)),
    ' ',
    h('strong', null, CHANGE_WORDS[c.kind]),
    detail,
    ' ',
    h('a', { href: `/snapshots/${encodeURIComponent(c.snapshot)}` }, 'open the snapshot'),
  );
}
