/**
 * Snapshots: the list, newest first; one snapshot's folders browsed with breadcrumbs;
 * restoring a file, a folder or everything to a folder the user chooses; and its Proof
 * (proof-panel.ts). Names are
 * shown and sent in the API's text form (core/api/names.ts: UTF-8, with %XX for bytes
 * that are not), so a name in any encoding still round-trips to the right file.
 */
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import {
  baseName,
  formatBytes,
  formatCount,
  formatDateTime,
  relativeTime,
  shortId,
} from '../format.js';
import { icon } from '../icons.js';
import { empty, failed, loading } from '../placeholders.js';
import { proofPanel } from '../proof-panel.js';
import { restoreDialog } from '../restore-dialog.js';
import { restoreList } from '../restore-list.js';
import { retentionCard } from '../retention-card.js';
import type { EntryView, SnapshotSummary, SnapshotTree } from '../wire.js';
import type { Screen, ScreenContext } from './screen.js';

export const snapshotsScreen: Screen = (pane, ctx, url) => {
  const id = decodeURIComponent(url.pathname.split('/')[2] ?? '');
  const restores = restoreList(ctx.restores);
  if (!id) {
    list(pane, ctx, restores.element);
    return restores.stop;
  }
  const proof = proofPanel(ctx.api, ctx.live, id);
  browse(pane, ctx, id, url.searchParams, restores.element, proof.element);
  return () => {
    restores.stop();
    proof.stop();
  };
};

function list(pane: HTMLElement, { api }: ScreenContext, restores: HTMLElement): void {
  const body = h('section', { class: 'card' }, loading('Loading snapshots…'));
  const load = async () => {
    body.replaceChildren(loading('Loading snapshots…'));
    try {
      const { snapshots } = await api.snapshots();
      body.replaceChildren(
        snapshots.length
          ? h(
              'table',
              { class: 'table snapshot-table' },
              h('caption', { class: 'visually-hidden' }, 'Snapshots, newest first'),
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['When', 'Folders', 'Files changed', 'Uploaded', 'Computer'].map((t) =>
                    h('th', { scope: 'col' }, t),
                  ),
                ),
              ),
              h('tbody', null, snapshots.map(snapshotRow)),
            )
          : empty(
              'snapshots',
              'No snapshots yet',
              'Each backup makes a snapshot: the state of your folders at that moment, restorable as a whole or file by file.',
            ),
      );
    } catch (error) {
      body.replaceChildren(failed('Snapshots could not be loaded', error, () => void load()));
    }
  };
  pane.append(
    h(
      'div',
      { class: 'screen-head' },
      h('h1', { tabindex: -1 }, 'Snapshots'),
      h(
        'p',
        { class: 'lead' },
        'Every backup, as your folders were at that moment. Open one to browse and restore.',
      ),
    ),
    restores,
    retentionCard(api, () => void load()),
    body,
  );
  void load();
}

function snapshotRow(s: SnapshotSummary): HTMLElement {
  return h(
    'tr',
    { 'data-snapshot': s.id },
    h(
      'td',
      { 'data-label': 'When' },
      h(
        'a',
        { href: `/snapshots/${encodeURIComponent(s.id)}`, class: 'strong-link' },
        formatDateTime(s.time),
      ),
      h('span', { class: 'cell-sub' }, relativeTime(Date.parse(s.time))),
      s.retained
        ? null
        : h(
            'span',
            {
              class: 'badge badge-paused',
              title: 'Forgotten by the retention policy: still listed, no longer kept alive',
            },
            'Forgotten',
          ),
    ),
    h(
      'td',
      { 'data-label': 'Folders' },
      s.folders.map((f) =>
        h('span', { class: 'folder-chip', title: f }, icon('folder'), baseName(f)),
      ),
    ),
    h('td', { 'data-label': 'Files changed', class: 'number' }, formatCount(s.stats.files)),
    h('td', { 'data-label': 'Uploaded', class: 'number' }, formatBytes(s.stats.bytes)),
    h('td', { 'data-label': 'Computer' }, s.hostname),
  );
}

function browse(
  pane: HTMLElement,
  ctx: ScreenContext,
  id: string,
  query: URLSearchParams,
  restores: HTMLElement,
  proof: HTMLElement,
): void {
  const { api } = ctx;
  let folder = query.get('folder');
  let path = query.get('path') ?? '';
  let summary: SnapshotSummary | null = null;
  const title = h('h1', { tabindex: -1 }, 'Snapshot');
  const sub = h('p', { class: 'lead' }, `Snapshot ${shortId(id)}`);
  const tabs = h('div', { class: 'tabs' });
  const crumbs = h('nav', { class: 'breadcrumbs', 'aria-label': 'Folder path' });
  const toolbar = h('div', { class: 'toolbar' });
  const body = h('div', { class: 'tree' }, loading('Opening the snapshot…'));

  const at = (f: string | null, p: string) => {
    const q = new URLSearchParams();
    if (f) q.set('folder', f);
    if (p) q.set('path', p);
    const qs = q.toString();
    return `/snapshots/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}`;
  };
  /** Moves within this snapshot without rebuilding the screen (and refetching the list). */
  const go = (f: string | null, p: string) => (e: Event) => {
    e.preventDefault();
    history.pushState(null, '', at(f, p));
    folder = f;
    path = p;
    void load();
    body.focus();
  };
  const link = (f: string | null, p: string, ...children: (Node | string)[]) =>
    h('a', { href: at(f, p), on: { click: go(f, p) } }, ...children);

  const load = async () => {
    body.replaceChildren(loading('Opening the folder…'));
    try {
      const [snapshots, tree] = await Promise.all([
        summary ? null : api.snapshots(),
        api.tree(id, folder, path),
      ]);
      summary ??= snapshots?.snapshots.find((s) => s.id === id) ?? null;
      drawHead(tree);
      drawTree(tree);
    } catch (error) {
      toolbar.replaceChildren();
      body.replaceChildren(
        failed(
          error instanceof ApiError && error.status === 404
            ? 'This is not in the snapshot'
            : 'The snapshot could not be opened',
          error,
          () => void load(),
        ),
      );
    }
  };

  const drawHead = (tree: SnapshotTree) => {
    if (summary) {
      title.textContent = `Snapshot of ${formatDateTime(summary.time)}`;
      sub.textContent = `${relativeTime(Date.parse(summary.time))} on ${summary.hostname} · ${shortId(id)}`;
    }
    const roots = summary?.folders ?? [tree.folder];
    tabs.replaceChildren(
      ...(roots.length > 1
        ? roots.map((r) => {
            const a = link(r, '', icon('folder'), baseName(r));
            a.className = 'tab';
            if (r === tree.folder) a.setAttribute('aria-current', 'true');
            return a;
          })
        : []),
    );
    const names = tree.path ? tree.path.split('/') : [];
    const items = [
      { label: baseName(tree.folder), path: '' },
      ...names.map((n, i) => ({ label: n, path: names.slice(0, i + 1).join('/') })),
    ];
    crumbs.replaceChildren(
      h(
        'ol',
        null,
        items.map((item, i) =>
          h(
            'li',
            null,
            i === items.length - 1
              ? h('span', { 'aria-current': 'page' }, item.label)
              : link(tree.folder, item.path, item.label),
          ),
        ),
      ),
    );
    toolbar.replaceChildren(
      ...[
        tree.path
          ? h(
              'button',
              {
                type: 'button',
                class: 'button',
                on: {
                  click: () =>
                    restoreDialog(ctx, {
                      snapshot: id,
                      folder: tree.folder,
                      path: tree.path,
                      name: baseName(tree.path),
                      isDir: true,
                    }),
                },
              },
              icon('restore'),
              'Restore this folder…',
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            class: 'button button-primary',
            on: {
              click: () =>
                restoreDialog(
                  ctx,
                  ...roots.map((r) => ({
                    snapshot: id,
                    folder: r,
                    path: '',
                    name: baseName(r),
                    isDir: true,
                  })),
                ),
            },
          },
          icon('restore'),
          'Restore everything…',
        ),
      ].filter((button) => button !== null),
    );
  };

  const drawTree = (tree: SnapshotTree) => {
    if (!tree.entries.length) {
      body.replaceChildren(
        empty('folder', 'This folder is empty', 'It held no files when this snapshot was taken.'),
      );
      return;
    }
    const entries = [...tree.entries].sort((a, b) =>
      a.type === b.type || (a.type !== 'dir' && b.type !== 'dir')
        ? a.name.localeCompare(b.name)
        : a.type === 'dir'
          ? -1
          : 1,
    );
    const inside = (e: EntryView) => (tree.path ? `${tree.path}/${e.name}` : e.name);
    body.replaceChildren(
      h(
        'table',
        { class: 'table tree-table' },
        h(
          'caption',
          { class: 'visually-hidden' },
          `Contents of ${tree.path || baseName(tree.folder)}`,
        ),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Name'),
            h('th', { scope: 'col', class: 'number' }, 'Size'),
            h('th', { scope: 'col' }, 'Modified'),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
          ),
        ),
        h(
          'tbody',
          null,
          entries.map((e) =>
            h(
              'tr',
              { 'data-entry': e.name },
              h(
                'td',
                { class: 'entry-name' },
                e.type === 'dir'
                  ? link(tree.folder, inside(e), icon('folder'), h('span', null, e.name))
                  : h(
                      'span',
                      { class: 'entry' },
                      icon(e.type === 'symlink' ? 'link' : 'file'),
                      h('span', null, e.name),
                      e.target ? h('span', { class: 'cell-sub' }, `→ ${e.target}`) : null,
                    ),
              ),
              h('td', { class: 'number' }, e.type === 'file' ? formatBytes(e.size) : ''),
              h('td', null, h('time', { datetime: e.mtime }, formatDateTime(e.mtime))),
              h(
                'td',
                { class: 'row-actions' },
                h(
                  'a',
                  {
                    class: 'button button-small button-quiet',
                    href: `/find/versions?${new URLSearchParams({ folder: tree.folder, path: inside(e) })}`,
                    'aria-label': `${e.type === 'dir' ? 'History' : 'Versions'} of ${e.name}`,
                  },
                  icon('snapshots'),
                  e.type === 'dir' ? 'History' : 'Versions',
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'button button-small button-quiet',
                    'aria-label': `Restore ${e.name}`,
                    on: {
                      click: () =>
                        restoreDialog(ctx, {
                          snapshot: id,
                          folder: tree.folder,
                          path: inside(e),
                          name: e.name,
                          isDir: e.type === 'dir',
                        }),
                    },
                  },
                  icon('restore'),
                  'Restore…',
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };

  body.tabIndex = -1;
  pane.append(
    h('a', { href: '/snapshots', class: 'back-link' }, '← All snapshots'),
    h('div', { class: 'screen-head' }, title, sub),
    restores,
    h(
      'section',
      { class: 'card browser' },
      tabs,
      h('div', { class: 'browser-bar' }, crumbs, toolbar),
      body,
    ),
    proof,
  );
  void load();
}
