/**
 * "Restore…", in plain words, from every place that restores (the snapshot browser, a
 * file's versions): where to — "Where it was" or "Another folder" — and what to do when
 * something is already there — keep both (the restored copy gets a new name), replace it,
 * or skip it. The job's progress and its outcome show in the Restores list.
 */
import { chooseFolder } from './folder-browser.js';
import { openDialog } from './dialog.js';
import { h } from './dom.js';
import { baseName } from './format.js';
import { icon } from './icons.js';
import { inlineError } from './placeholders.js';
import type { ScreenContext } from './screens/screen.js';
import type { RestoreRequest } from './wire.js';

export interface RestoreChoice {
  snapshot: string;
  folder: string;
  /** Inside the folder, in the text form; '' for all of it. */
  path: string;
  /** What to call it ("report.pdf", "Photos"). */
  name: string;
  isDir: boolean;
  /** When this version was backed up, in words, for the dialog's sentence. */
  when?: string;
  /** The same as an ISO time (the snapshot's), which names a kept copy. */
  time?: string;
}

type Conflict = NonNullable<RestoreRequest['conflict']>;

/** The choices; keep-both's note shows the name the copy would get, when there is one item. */
function conflictChoices(
  one: RestoreChoice | null,
): { value: Conflict; label: string; note: string }[] {
  return [
    {
      value: 'keep-both',
      label: 'Keep both',
      note: one?.time
        ? `The restored copy gets a new name: “${copyName(one)}”.`
        : 'The restored copy gets a new name, with the date of the backup in it.',
    },
    { value: 'replace', label: 'Replace', note: 'What is there now is replaced by the backup.' },
    {
      value: 'skip',
      label: 'Skip',
      note: 'What is there now stays; only what is missing comes back.',
    },
  ];
}

/** As the restore names it (core/sync/restore-plan.ts keptCopyName): the backup's day, before the extension. */
function copyName(item: RestoreChoice): string {
  const d = new Date(item.time!);
  const two = (n: number) => String(n).padStart(2, '0');
  const label = ` (restored ${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())})`;
  const dot = item.isDir ? -1 : item.name.lastIndexOf('.');
  return dot > 0 ? `${item.name.slice(0, dot)}${label}${item.name.slice(dot)}` : item.name + label;
}

/** Restores one item, or (several) everything a snapshot holds, each folder into its own. */
export function restoreDialog(ctx: ScreenContext, ...items: RestoreChoice[]): void {
  const one = items.length === 1 ? items[0]! : null;
  const what = one
    ? one.path
      ? `${one.isDir ? 'the folder' : 'the file'} ${one.name}`
      : `all of ${baseName(one.folder)}`
    : `everything in this snapshot (${items.map((i) => baseName(i.folder)).join(', ')})`;
  const original = one ? placeOf(one) : 'each folder’s own place';
  const radio = (name: string, value: string, checked: boolean) =>
    h('input', { type: 'radio', name, value, id: `${name}-${value}`, checked });
  const here = radio('restore-where', 'original', true);
  const elsewhere = radio('restore-where', 'other', false);
  const target = h('input', {
    type: 'text',
    id: 'restore-target',
    placeholder: '~/Restored',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-label': 'Restore into',
  });
  target.addEventListener('focus', () => (elsewhere.checked = true));
  const CONFLICTS = conflictChoices(one);
  const conflicts = CONFLICTS.map((c, i) => radio('restore-conflict', c.value, i === 0));
  const problem = h('div', { class: 'form-problem' });
  const submit = h(
    'button',
    { type: 'submit', class: 'button button-primary' },
    icon('restore'),
    'Restore',
  );

  const form = h(
    'form',
    {
      novalidate: true,
      on: {
        submit: (e) => {
          e.preventDefault();
          void start();
        },
      },
    },
    h('p', null, `Bring back ${what}${one?.when ? ` as it was on ${one.when}` : ''}.`),
    h(
      'fieldset',
      { class: 'choice-group' },
      h('legend', null, 'Restore to'),
      h(
        'label',
        { class: 'check', for: 'restore-where-original' },
        here,
        h('span', null, 'Where it was', h('span', { class: 'hint' }, ` — ${original}`)),
      ),
      h(
        'label',
        { class: 'check', for: 'restore-where-other' },
        elsewhere,
        h('span', null, 'Another folder'),
      ),
      h(
        'div',
        { class: 'input-row' },
        target,
        h(
          'button',
          {
            type: 'button',
            class: 'button',
            on: {
              click: async () => {
                const chosen = await chooseFolder(ctx.api);
                if (chosen) {
                  target.value = chosen;
                  elsewhere.checked = true;
                }
              },
            },
          },
          'Browse…',
        ),
      ),
    ),
    h(
      'fieldset',
      { class: 'choice-group' },
      h('legend', null, 'If something is already there'),
      ...CONFLICTS.map((c, i) =>
        h(
          'label',
          { class: 'check', for: `restore-conflict-${c.value}` },
          conflicts[i]!,
          h('span', null, c.label, h('span', { class: 'hint' }, ` — ${c.note}`)),
        ),
      ),
    ),
    problem,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'button', on: { click: () => dialog.close() } },
        'Cancel',
      ),
      submit,
    ),
  );
  const dialog = openDialog('Restore', form);
  submit.focus();

  async function start(): Promise<void> {
    problem.replaceChildren();
    const into = elsewhere.checked ? target.value.trim() : null;
    if (elsewhere.checked && !into) {
      problem.replaceChildren(inlineError(new Error('Choose the folder to restore into.')));
      target.focus();
      return;
    }
    const conflict = (conflicts.find((c) => c.checked)?.value ?? 'keep-both') as Conflict;
    submit.disabled = true;
    try {
      for (const item of items)
        await ctx.restores.start({
          snapshot: item.snapshot,
          folder: item.folder,
          ...(item.path ? { path: item.path } : {}),
          // No target: where it was. Several folders into another: each into its own subfolder.
          ...(into
            ? {
                target:
                  items.length > 1
                    ? `${into.replace(/[/\\]+$/, '')}/${baseName(item.folder)}`
                    : into,
              }
            : {}),
          conflict,
        });
      dialog.close();
    } catch (error) {
      problem.replaceChildren(inlineError(error));
      submit.disabled = false;
    }
  }
}

/** The folder an item goes back into when restored where it was. */
function placeOf(item: RestoreChoice): string {
  if (!item.path) return item.folder;
  const parent = item.path.includes('/') ? item.path.slice(0, item.path.lastIndexOf('/')) : '';
  return parent ? `${item.folder}/${parent}` : item.folder;
}
