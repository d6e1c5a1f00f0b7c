/**
 * The folders Floe backs up, each in its named state (core/sync/folder-words.ts says it in
 * words: up to date, backing up N %, waiting to retry, folder missing, deletions held, not
 * restored…) with the decisions a state asks for (record held deletions, restore here or
 * start fresh), kept current by `folder-state` and `progress` events; adding
 * one (the native picker in the desktop app, a typed path in a browser), pausing,
 * resuming and removing.
 */
import { confirmAction } from '../dialog.js';
import { folderPicker } from '../desktop.js';
import { chooseFolder } from '../folder-browser.js';
import { h, keepingFocus } from '../dom.js';
import { baseName, formatCount, percent, relativeTime } from '../format.js';
import { icon, type IconName } from '../icons.js';
import { folderWords } from '../../../core/sync/folder-words.js';
import { empty, failed, inlineError, loading } from '../placeholders.js';
import type { FolderRow, ProgressSnapshot } from '../wire.js';
import type { Screen } from './screen.js';

export const foldersScreen: Screen = (pane, { api, live }) => {
  let folders: FolderRow[] | null = null;
  /** When each folder was last in a snapshot (ms), by its path. */
  const lastBackup = new Map<string, number>();
  const backedUp = (paths: string[], time: string) => {
    for (const path of paths)
      lastBackup.set(path, Math.max(lastBackup.get(path) ?? 0, Date.parse(time)));
  };
  const list = h('div', { class: 'folder-list' }, loading('Loading your folders…'));
  const problem = h('div', { class: 'form-problem' });
  const pick = folderPicker();

  const add = async (path: string) => {
    problem.replaceChildren();
    try {
      const folder = await api.addFolder(path);
      // The event stream will say so too; showing it now makes the click feel answered.
      if (folders && !folders.some((f) => f.id === folder.id)) folders = [...folders, folder];
      draw();
      return true;
    } catch (error) {
      problem.replaceChildren(inlineError(error));
      return false;
    }
  };

  const pathInput = h('input', {
    type: 'text',
    id: 'folder-path',
    placeholder: '/home/you/Documents',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'folder-path-hint',
  });
  const addForm = pick
    ? h(
        'div',
        { class: 'add-folder' },
        h(
          'button',
          {
            type: 'button',
            class: 'button button-primary',
            on: {
              click: async () => {
                const path = await pick();
                if (path) await add(path);
              },
            },
          },
          icon('plus'),
          'Add a folder…',
        ),
      )
    : h(
        'form',
        {
          class: 'add-folder',
          novalidate: true,
          on: {
            submit: async (e) => {
              e.preventDefault();
              const path = pathInput.value.trim();
              if (!path) {
                pathInput.focus();
                return;
              }
              if (await add(path)) pathInput.value = '';
            },
          },
        },
        h(
          'label',
          { class: 'field field-grow', for: 'folder-path' },
          h('span', null, 'Folder to back up'),
          h(
            'div',
            { class: 'input-row' },
            pathInput,
            h(
              'button',
              {
                type: 'button',
                class: 'button',
                on: {
                  click: async () => {
                    const path = await chooseFolder(api);
                    if (path && (await add(path))) pathInput.value = '';
                  },
                },
              },
              'Browse…',
            ),
          ),
          h(
            'span',
            { class: 'hint', id: 'folder-path-hint' },
            'Browse to it, or type its path: /home/you/Documents, ~/Documents, or Documents (in your home folder).',
          ),
        ),
        h('button', { type: 'submit', class: 'button button-primary' }, icon('plus'), 'Add folder'),
      );

  const draw = () => {
    if (!folders) return;
    if (!folders.length) {
      list.replaceChildren(
        empty(
          'folder',
          'No folders yet',
          'Add a folder above: Floe backs it up now, and again whenever something in it changes.',
        ),
      );
      return;
    }
    const rows = folders.map((f) => folderRow(f, live.progress));
    keepingFocus(list, () => list.replaceChildren(h('ul', { class: 'rows' }, rows)));
  };

  const folderRow = (f: FolderRow, progress: ProgressSnapshot | null) => {
    const name = baseName(f.path);
    const words = folderWords(f);
    const pct =
      f.state === 'uploading' && progress ? percent(progress.bytesDone, progress.bytesTotal) : null;
    const label = pct === null ? words.label : `Backing up ${pct}%`;
    const detail =
      f.state === 'uploading' && progress
        ? h(
            'div',
            { class: 'row-detail' },
            h('progress', {
              max: 100,
              ...(pct === null ? {} : { value: pct }),
              'aria-label': `Uploading ${name}`,
            }),
            progress.filesTotal !== null
              ? h(
                  'span',
                  null,
                  `${formatCount(progress.filesDone)} of ${formatCount(progress.filesTotal)} files`,
                )
              : null,
          )
        : h(
            'p',
            { class: words.needsYou ? 'row-detail row-error' : 'row-detail' },
            words.detail
              ? sentence(words.detail)
              : lastBackup.has(f.path)
                ? `Backed up ${relativeTime(lastBackup.get(f.path)!)}`
                : 'Waiting for its first backup.',
          );
    return h(
      'li',
      { class: 'row folder-row', 'data-state': f.state, 'data-path': f.path },
      h('div', { class: 'row-icon' }, icon('folder')),
      h(
        'div',
        { class: 'row-main' },
        h(
          'div',
          { class: 'row-title' },
          h('strong', null, name),
          h(
            'span',
            {
              class: `badge badge-${f.state}${f.dirty && f.state === 'idle' ? ' badge-dirty' : ''}`,
            },
            label,
          ),
        ),
        h('p', { class: 'row-path', title: f.path }, f.path),
        detail,
      ),
      h('div', { class: 'row-actions' }, ...decisions(f, name), ...ordinaryActions(f, name)),
    );
  };

  /** What the folder's state asks of the user, first in the row. */
  const decisions = (f: FolderRow, name: string): HTMLElement[] => {
    if (f.state === 'held')
      return [
        actionButton(
          f,
          'confirm',
          'check',
          'Record the deletions',
          `Record the deletions in ${name}`,
          () => confirmDeletions(f),
        ),
      ];
    if (f.state === 'not-restored')
      return [
        actionButton(f, 'restore', 'restore', 'Restore it here', `Restore ${name} here`, () =>
          restoreHere(f),
        ),
        actionButton(f, 'fresh', 'refresh', 'Start fresh', `Start fresh with ${name}`, () =>
          startFresh(f),
        ),
      ];
    return [];
  };

  const ordinaryActions = (f: FolderRow, name: string): HTMLElement[] => [
    h(
      'button',
      {
        type: 'button',
        class: 'button button-small',
        'aria-label': `${f.paused ? 'Resume' : 'Pause'} ${name}`,
        'data-key': `pause-${f.id}`,
        on: {
          click: (e) => void setPaused(f, !f.paused, e.currentTarget as HTMLButtonElement),
        },
      },
      icon(f.paused ? 'play' : 'pause'),
      f.paused ? 'Resume' : 'Pause',
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button button-small button-quiet',
        'aria-label': `Remove ${name}`,
        'data-key': `remove-${f.id}`,
        on: { click: () => void remove(f) },
      },
      icon('trash'),
      'Remove',
    ),
  ];

  const actionButton = (
    f: FolderRow,
    key: string,
    glyph: IconName,
    text: string,
    label: string,
    act: () => Promise<void>,
  ) =>
    h(
      'button',
      {
        type: 'button',
        class: 'button button-small button-primary',
        'aria-label': label,
        'data-key': `${key}-${f.id}`,
        on: {
          click: async (e) => {
            const button = e.currentTarget as HTMLButtonElement;
            button.disabled = true;
            problem.replaceChildren();
            try {
              await act();
            } catch (error) {
              problem.replaceChildren(inlineError(error));
            }
            button.disabled = false;
          },
        },
      },
      icon(glyph),
      text,
    );

  const confirmDeletions = async (f: FolderRow) => {
    const held = f.detail.held;
    const sure = await confirmAction({
      title: `Record the deletions in ${baseName(f.path)}?`,
      text: held
        ? `The last backup of ${f.path} held ${formatCount(held.total)} files; ${formatCount(held.deleted)} of them are gone now. If you deleted them on purpose, the next snapshot records that. Older snapshots keep them until they are forgotten.`
        : `The next snapshot records ${f.path} as it is now. Older snapshots keep what it held.`,
      confirm: 'Record the deletions',
      danger: true,
    });
    if (sure) replace(await api.confirmDeletions(f.id));
  };

  const restoreHere = async (f: FolderRow) => {
    await api.restoreFolder(f.id);
    problem.replaceChildren(
      h(
        'p',
        { class: 'form-note' },
        `Restoring ${f.path} — see Activity for progress. It is backed up from here on once the restore is done.`,
      ),
    );
  };

  const startFresh = async (f: FolderRow) => {
    const sure = await confirmAction({
      title: `Start fresh with ${baseName(f.path)}?`,
      text: `Floe backs up ${f.path} as it is on this computer now, instead of restoring it. What your earlier snapshots hold of it stays restorable from Snapshots.`,
      confirm: 'Start fresh',
      danger: false,
    });
    if (sure) replace(await api.startFresh(f.id));
  };

  const setPaused = async (f: FolderRow, paused: boolean, button: HTMLButtonElement) => {
    button.disabled = true;
    problem.replaceChildren();
    try {
      replace(await api.setFolderPaused(f.id, paused));
    } catch (error) {
      problem.replaceChildren(inlineError(error));
      button.disabled = false;
    }
  };

  const remove = async (f: FolderRow) => {
    const sure = await confirmAction({
      title: `Stop backing up ${baseName(f.path)}?`,
      text: `Floe stops watching ${f.path}. Nothing is deleted: its files stay on this computer, and the snapshots that hold it stay restorable.`,
      confirm: 'Remove folder',
      danger: true,
    });
    if (!sure) return;
    problem.replaceChildren();
    try {
      await api.removeFolder(f.id);
      if (folders) folders = folders.filter((x) => x.id !== f.id);
      draw();
    } catch (error) {
      problem.replaceChildren(inlineError(error));
    }
  };

  const replace = (row: FolderRow) => {
    if (folders) folders = folders.map((f) => (f.id === row.id ? row : f));
    draw();
  };

  const load = async () => {
    list.replaceChildren(loading('Loading your folders…'));
    try {
      // Without the snapshots the list still shows; it just cannot say when each was backed up.
      const [list, past] = await Promise.all([api.folders(), api.snapshots().catch(() => null)]);
      for (const snapshot of past?.snapshots ?? []) backedUp(snapshot.folders, snapshot.time);
      folders = list.folders;
      draw();
    } catch (error) {
      list.replaceChildren(failed('Your folders could not be loaded', error, () => void load()));
    }
  };

  pane.append(
    h(
      'div',
      { class: 'screen-head' },
      h('h1', { tabindex: -1 }, 'Folders'),
      h('p', { class: 'lead' }, 'What Floe keeps backed up. Changes are picked up as they happen.'),
    ),
    h('section', { class: 'card', 'aria-label': 'Add a folder' }, addForm, problem),
    list,
  );
  void load();
  const unsubscribe = [
    live.on('folder-state', ({ folders: latest }) => {
      folders = latest;
      draw();
    }),
    live.on('progress', draw),
    live.on('backup', ({ snapshot }) => {
      backedUp(snapshot.folders, snapshot.time);
      draw();
    }),
  ];
  // "Backed up 3 min ago" should not stay "just now" forever.
  const tick = setInterval(draw, 30_000);
  return () => {
    clearInterval(tick);
    for (const u of unsubscribe) u();
  };
};

/** "the folder cannot be read" → "The folder cannot be read." */
function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
