/**
 * Choosing a folder in a plain browser, which cannot open the system's folder picker: a
 * dialog over GET /api/browse — the home folder and mounted volumes, one level at a time,
 * hidden folders left out unless asked for. The desktop app uses its native picker instead
 * (desktop.ts); `chooseFolder` picks whichever this window has.
 */
import type { Api } from './api.js';
import { folderPicker } from './desktop.js';
import { openDialog } from './dialog.js';
import { h } from './dom.js';
import { icon } from './icons.js';
import { inlineError, loading } from './placeholders.js';
import type { BrowseAnswer } from './wire.js';

/** The native picker in the desktop app, else the browse dialog; null when cancelled. */
export function chooseFolder(api: Api, start?: string): Promise<string | null> {
  const native = folderPicker();
  return native ? native() : browseDialog(api, start);
}

function browseDialog(api: Api, start?: string): Promise<string | null> {
  return new Promise((resolve) => {
    let chosen: string | null = null;
    let current: BrowseAnswer | null = null;
    let showHidden = false;
    const list = h('div', { class: 'browse-list' }, loading('Reading folders…'));
    const where = h('p', { class: 'browse-where' });
    const hidden = h('input', { type: 'checkbox', id: 'browse-hidden' });
    const choose = h(
      'button',
      {
        type: 'button',
        class: 'button button-primary',
        disabled: true,
        on: {
          click: () => {
            chosen = current?.path ?? null;
            dialog.close();
          },
        },
      },
      'Choose this folder',
    );
    const draw = () => {
      if (!current) return;
      const b = current;
      where.replaceChildren(icon('folder'), h('code', null, b.path));
      const rows = b.folders
        .filter((f) => showHidden || !f.hidden)
        .map((f) =>
          h(
            'li',
            null,
            f.path
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'browse-folder',
                    'data-name': f.name,
                    on: { click: () => void open(f.path!) },
                  },
                  icon('folder'),
                  f.name,
                  f.symlink ? h('span', { class: 'quiet' }, ' (link)') : null,
                )
              : h(
                  'span',
                  {
                    class: 'browse-folder quiet',
                    title: 'This name is not UTF-8: type the path instead',
                  },
                  icon('folder'),
                  f.name,
                ),
          ),
        );
      list.replaceChildren(
        h(
          'div',
          { class: 'browse-roots' },
          b.roots.map((r) =>
            h(
              'button',
              {
                type: 'button',
                class: 'button button-small',
                on: { click: () => void open(r.path) },
              },
              r.kind === 'home' ? 'Home' : r.name,
            ),
          ),
          b.parent
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'button button-small',
                  on: { click: () => void open(b.parent!) },
                },
                '↑ Up',
              )
            : null,
        ),
        rows.length
          ? h('ul', { class: 'browse-folders' }, rows)
          : h('p', { class: 'quiet' }, 'No folders here.'),
        ...(b.truncated
          ? [h('p', { class: 'hint' }, 'Not every folder is listed: type the path instead.')]
          : []),
      );
      choose.disabled = false;
    };
    const open = async (path?: string) => {
      choose.disabled = true;
      try {
        current = await api.browse(path);
        draw();
      } catch (error) {
        list.replaceChildren(inlineError(error));
      }
    };
    hidden.addEventListener('change', () => {
      showHidden = hidden.checked;
      draw();
    });
    const dialog = openDialog(
      'Choose a folder',
      where,
      list,
      h(
        'label',
        { class: 'check', for: 'browse-hidden' },
        hidden,
        h('span', null, 'Show hidden folders'),
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'button', on: { click: () => dialog.close() } },
          'Cancel',
        ),
        choose,
      ),
    );
    dialog.element.addEventListener('close', () => resolve(chosen));
    void open(start);
  });
}
